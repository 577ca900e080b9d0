"""Count the pupil screens that need scrolling on a class iPad (issue 11's closing note).

Run it against a live demo school (`make run`, or any server seeded with `flask demo seed`):

    .venv/bin/python scripts/count_scrolling_screens.py --url http://127.0.0.1:5000 --password PW

It signs in as the demo `teacher`, makes a fresh browser a class iPad, signs out, and walks the
pupil screens the way a pupil does, at the pupil's own symbol size (demo Ben; Dev for the picture
password): the start screen, picture password, home, Our rules, the first lesson on home from
its intro through every step to the end, every question of Report a worry, the thank-you and
"Are you finished?" (where there is one). It does this at 1024x768 and 810x1080 and prints, for
each, how many screens needed scrolling and which.

A screen needs scrolling when the page is taller than the screen, or when something the pupil
must see (an answer, Start, Next, Send, a tile, the worry button) is outside the screen or cut
off by a box that scrolls, with the page at the top. Only Chromium and Playwright are needed
(the browser tests' own), not the app's code, so it measures any version of the app.
"""

from __future__ import annotations

import argparse
import sys
import time
from dataclasses import dataclass, field

from playwright.sync_api import Page, ViewportSize, sync_playwright

CHROMIUM = "/usr/bin/chromium"
VIEWPORTS: dict[str, ViewportSize] = {
    "1024x768": {"width": 1024, "height": 768},
    "810x1080": {"width": 810, "height": 1080},
}
MUST_SEE = (
    ".choice-card, .ce-target, .big-next, [data-send], .tile, .worry-step:not([hidden]) textarea,"
    " .worry-button, .primary-action"
)
# Run in the page at scroll 0: why this screen needs scrolling, or nothing.
NEEDS_SCROLLING = """(selector) => {
  const problems = [];
  const page = document.scrollingElement;
  if (page.scrollHeight > innerHeight + 1) {
    problems.push("page " + page.scrollHeight + "px tall");
  }
  const shown = el => { const r = el.getBoundingClientRect(); return r.width > 0 && r.height > 0 &&
    getComputedStyle(el).visibility !== "hidden"; };
  const clipped = (el, r) => {
    for (let box = el.parentElement; box && box !== document.body; box = box.parentElement) {
      const style = getComputedStyle(box);
      if (style.overflowX === "visible" && style.overflowY === "visible") { continue; }
      const c = box.getBoundingClientRect();
      if (r.top < c.top - 0.5 || r.bottom > c.bottom + 0.5) { return true; }
    }
    return false;
  };
  for (const el of [...document.querySelectorAll(selector)].filter(shown)) {
    const r = el.getBoundingClientRect();
    const out = r.top < 0 || r.bottom > innerHeight + 0.5 || r.left < 0
      || r.right > innerWidth + 0.5;
    if (out || clipped(el, r)) {
      const name = el.getAttribute("aria-label") || el.textContent || el.tagName;
      problems.push("out of view: " + name.trim().replace(/\\s+/g, " ").slice(0, 30));
    }
  }
  return problems;
}"""


@dataclass
class Walk:
    page: Page
    screens: list[str] = field(default_factory=list)
    scrolling: dict[str, list[str]] = field(default_factory=dict)

    def check(self, screen: str) -> None:
        self.page.wait_for_load_state()
        self.page.wait_for_timeout(300)  # pages of tiles and worry steps are laid out by script
        self.page.evaluate("() => window.scrollTo(0, 0)")
        name = f"{len(self.screens) + 1:02d} {screen}"
        self.screens.append(name)
        found: list[str] = self.page.evaluate(NEEDS_SCROLLING, MUST_SEE)
        if found:
            self.scrolling[name] = found


def enrol(page: Page, url: str, password: str) -> None:
    """Sign in as the demo teacher, make this browser a class iPad, sign out."""
    page.goto(url + "/sign-in")
    page.get_by_label("Username").fill("teacher")
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()
    page.goto(url + "/class-ipads/")
    form = page.locator("form", has=page.get_by_role("heading", name="Make this iPad a class iPad"))
    form.get_by_label("iPad name").fill(f"Scroll count iPad {time.strftime('%H%M%S')}")
    form.get_by_role("button", name="Make this a class iPad").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/sign-in")


def walk_lesson(walk: Walk) -> None:
    page = walk.page
    page.locator(".lesson-tile").first.click()
    walk.check("lesson intro")
    page.locator(".big-next:visible, .primary-action:visible").first.click()
    for _ in range(40):
        # The end screen ("Well done!") is the answer to the last step's Next: .../finish.
        if page.locator(".lesson-done").count() or page.url.endswith("/finish"):
            break
        walk.check("lesson step")
        nexts = page.locator(".big-next:visible")
        cards = page.locator(
            "form.answers .choice-card:visible, .ce-target:visible, .until-button:visible,"
            " .anticipate-go:visible, .me-tap:visible"
        )
        if nexts.count():
            nexts.first.click()
        elif cards.count():
            cards.last.click()
        else:
            return
    walk.check("lesson done")


def walk_worry(walk: Walk) -> None:
    page = walk.page
    page.locator(".worry-button").click()
    for step in ("what", "where", "feeling", "talk_to"):
        walk.check(f"worry {step}")
        page.locator(f'[data-step="{step}"] .choice-card').first.click()
    walk.check("worry words")
    page.locator("[data-send]").click()
    page.get_by_role("heading", name="Thank you for telling.").wait_for()
    walk.check("worry thank you")


def walk_ipad(page: Page, url: str) -> Walk:
    walk = Walk(page)
    page.goto(url + "/class-ipad")
    walk.check("start")
    page.get_by_role("button", name="Dev").click()
    walk.check("picture password")
    page.goto(url + "/class-ipad")
    page.get_by_role("button", name="Ben", exact=True).click()
    walk.check("home")
    page.locator(".rules-tile").click()
    walk.check("our rules")
    page.goto(url + "/pupil/")
    walk_lesson(walk)
    page.goto(url + "/pupil/")
    walk_worry(walk)
    page.goto(url + "/pupil/")
    page.locator("#finished-form button").click()
    confirm = page.locator("[data-confirm-finish]")
    if confirm.count() and confirm.is_visible():  # older versions signed out at once
        walk.check("are you finished")
        confirm.click()
    return walk


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n", 1)[0])
    parser.add_argument("--url", default="http://127.0.0.1:5000", help="the demo school's address")
    parser.add_argument("--password", required=True, help="the demo accounts' password")
    args = parser.parse_args(argv)
    url = args.url.rstrip("/")
    rows = []
    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=["--no-sandbox"])
        for label, viewport in VIEWPORTS.items():
            context = browser.new_context(viewport=viewport, has_touch=True, locale="en-GB")
            context.set_default_timeout(15_000)
            page = context.new_page()
            enrol(page, url, args.password)
            walk = walk_ipad(page, url)
            context.close()
            rows.append((label, len(walk.screens), len(walk.scrolling)))
            print(f"{label}: {len(walk.scrolling)} of {len(walk.screens)} screens need scrolling")
            for screen, problems in walk.scrolling.items():
                print(f"  {screen}: {'; '.join(problems)}")
        browser.close()
    print("\n| viewport | pupil screens walked | needed scrolling |\n|---|---|---|")
    for label, screens, scrolling in rows:
        print(f"| {label} | {screens} | {scrolling} |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
