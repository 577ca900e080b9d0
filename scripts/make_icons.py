"""Draw the class-iPad app icons (a white shield with a tick on the school blue) as PNG and ICO.

The icons are committed in static/icons/; run this again only to change them:
    .venv/bin/python scripts/make_icons.py
Drawn at four times the size and scaled down, so edges are smooth even at 16 px.
"""

from __future__ import annotations

from pathlib import Path

from PIL import Image, ImageDraw

OUT = Path(__file__).resolve().parent.parent / "static" / "icons"
BLUE = (11, 79, 138, 255)  # --brand in static/css/app.css: white on it is 8.6:1
WHITE = (255, 255, 255, 255)
OVERSAMPLE = 4


def _shield(steps: int = 24) -> list[tuple[float, float]]:
    """A shield in a 1x1 box: flat shoulders, straight sides, curved down to a point."""
    top = [(0.08, 0.12), (0.5, 0.0), (0.92, 0.12), (0.92, 0.48)]
    right = [_bezier((0.92, 0.48), (0.9, 0.82), (0.5, 1.0), i / steps) for i in range(1, steps)]
    left = [_bezier((0.5, 1.0), (0.1, 0.82), (0.08, 0.48), i / steps) for i in range(steps)]
    return top + right + left


def _bezier(
    a: tuple[float, float], b: tuple[float, float], c: tuple[float, float], t: float
) -> tuple[float, float]:
    u = 1 - t
    return (u * u * a[0] + 2 * u * t * b[0] + t * t * c[0],
            u * u * a[1] + 2 * u * t * b[1] + t * t * c[1])


def draw(size: int, shield: float, rounded: bool) -> Image.Image:
    """One icon: `shield` is the shield's height as a share of the icon; `rounded` leaves the
    corners transparent (browser tabs), otherwise the blue fills the square (iOS, maskable)."""
    big = size * OVERSAMPLE
    image = Image.new("RGBA", (big, big), (0, 0, 0, 0))
    pen = ImageDraw.Draw(image)
    if rounded:
        pen.rounded_rectangle((0, 0, big - 1, big - 1), radius=big * 0.2, fill=BLUE)
    else:
        pen.rectangle((0, 0, big, big), fill=BLUE)
    side = big * shield
    left, top = (big - side * 0.9) / 2, (big - side) / 2

    def at(x: float, y: float) -> tuple[float, float]:
        return (left + x * side * 0.9, top + y * side)

    pen.polygon([at(x, y) for x, y in _shield()], fill=WHITE)
    tick = [at(0.27, 0.5), at(0.44, 0.67), at(0.74, 0.33)]
    pen.line(tick, fill=BLUE, width=round(side * 0.13), joint="curve")
    for x, y in (tick[0], tick[2]):  # round the tick's ends
        r = side * 0.065
        pen.ellipse((x - r, y - r, x + r, y + r), fill=BLUE)
    return image.resize((size, size), Image.Resampling.LANCZOS)


def main() -> None:
    OUT.mkdir(parents=True, exist_ok=True)
    for size in (192, 512):
        draw(size, 0.72, rounded=True).save(OUT / f"icon-{size}.png", optimize=True)
        # Maskable: the platform crops to a circle of 80 %; keep the shield inside it.
        draw(size, 0.56, rounded=False).save(OUT / f"maskable-{size}.png", optimize=True)
    # iOS rounds the corners itself and shows transparency as black: opaque, full-bleed.
    draw(180, 0.68, rounded=False).convert("RGB").save(OUT / "apple-touch-icon.png", optimize=True)
    favicon = draw(256, 0.84, rounded=True)
    favicon.save(OUT / "favicon.ico", sizes=[(16, 16), (32, 32), (48, 48)])
    draw(32, 0.84, rounded=True).save(OUT / "favicon-32.png", optimize=True)


if __name__ == "__main__":
    main()
