"""School pictures: uploads cleaned and limited, SVG refused, layers as for symbols, CSV import."""

from __future__ import annotations

import io
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
from flask.testing import FlaskClient
from PIL import Image
from PIL.PngImagePlugin import PngInfo
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.errors import Forbidden, Invalid
from classroom.symbols import pictures, services
from classroom.symbols.symboliser import symbolise
from tests import corpora, factories
from tests.symbol_helpers import picture_folder


def png_with_metadata(size: tuple[int, int] = (900, 700)) -> bytes:
    image = Image.new("RGBA", size, (20, 120, 200, 255))
    exif = Image.Exif()
    exif[0x010F] = "SpyCam"
    out = io.BytesIO()

    info = PngInfo()
    info.add_text("Comment", "home address: 1 Secret Lane")
    image.save(out, "PNG", pnginfo=info, exif=exif)
    return out.getvalue()


@pytest.mark.usefixtures("app")
def test_an_upload_is_re_encoded_small_with_no_metadata() -> None:
    clean = pictures.clean_png(png_with_metadata())
    with Image.open(io.BytesIO(clean)) as image:
        assert image.format == "PNG"
        assert max(image.size) <= pictures.PICTURE_SIDE
        assert "Comment" not in image.info
        assert not image.getexif()
    assert b"Secret Lane" not in clean
    assert b"SpyCam" not in clean


@pytest.mark.parametrize("svg", corpora.svgs(), ids=lambda p: p.name)
@pytest.mark.usefixtures("app")
def test_every_attack_svg_in_the_corpus_is_refused(svg: Path) -> None:
    with pytest.raises(Invalid, match="PNG or JPEG"):
        pictures.clean_png(svg.read_bytes())


@pytest.mark.usefixtures("app")
def test_huge_and_oversized_pictures_are_refused() -> None:
    bomb = io.BytesIO()
    Image.new("1", (20_000, 20_000)).save(bomb, "PNG")  # tiny file, 400 megapixels decoded
    assert len(bomb.getvalue()) < pictures.MAX_BYTES
    with pytest.raises(Invalid):
        pictures.clean_png(bomb.getvalue())
    with pytest.raises(Invalid):
        pictures.clean_png(b"\x89PNG" + b"\0" * (pictures.MAX_BYTES + 1))
    gif = io.BytesIO()
    Image.new("RGB", (10, 10)).save(gif, "GIF")
    with pytest.raises(Invalid):
        pictures.clean_png(gif.getvalue())


def test_staff_upload_a_picture_for_a_word_on_a_pupils_layer(session: Session) -> None:
    oak = factories.make_class(session)
    teacher = factories.make_account(session, Role.TEACHER, classes=[oak])
    ben, dev = factories.make_pupil(session, oak), factories.make_pupil(session, oak)
    row = pictures.upload_for_word(
        session,
        teacher,
        "Dog",
        png_with_metadata(),
        pupil=ben,
        target=picture_folder(),
        now=utcnow(),
    )
    assert pictures.picture_path(row.symbol or "", picture_folder()) is not None
    bens = symbolise("dog", services.override_layers(session, ben))
    devs = symbolise("dog", services.override_layers(session, dev))
    assert bens[0].symbol == row.symbol
    assert devs[0].symbol == "1F436"  # the word list's dog
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"symbols.picture_uploaded", "symbols.override_set"} <= actions
    other = factories.make_account(session, Role.TEACHER, classes=[factories.make_class(session)])
    with pytest.raises(Forbidden):
        pictures.upload_for_word(
            session,
            other,
            "dog",
            png_with_metadata(),
            pupil=ben,
            target=picture_folder(),
            now=utcnow(),
        )


@pytest.mark.usefixtures("session")
def test_the_chooser_uploads_and_serves_the_picture(
    client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    login_as(Role.HEADTEACHER)
    photo = (io.BytesIO(png_with_metadata()), "dog.png")
    sent = client.post(
        "/symbols/pictures",
        data={"phrase": "dog", "layer": "school", "picture": photo},
        content_type="multipart/form-data",
    )
    assert sent.status_code == 302
    page = client.get("/symbols/choose?phrase=dog&layer=school").get_data(as_text=True)
    code = page.split('value="pic-')[1].split('"')[0]
    served = client.get(f"/symbols/pic-{code}.svg")
    assert served.status_code == 200
    assert served.mimetype == "image/png"
    svg = (corpora.CORPORA / "svg" / "SVG_XSS1.svg").read_bytes()
    refused = client.post(
        "/symbols/pictures",
        data={"phrase": "dog", "layer": "school", "picture": (io.BytesIO(svg), "x.svg")},
        content_type="multipart/form-data",
    )
    assert refused.status_code == 400
    assert "PNG or JPEG" in refused.get_data(as_text=True)


def test_a_folder_and_csv_become_the_school_layer(
    session: Session, runner: Any, tmp_path: Path
) -> None:
    head = factories.make_account(session, Role.HEADTEACHER)
    session.commit()
    (tmp_path / "dog.png").write_bytes(png_with_metadata((64, 64)))
    (tmp_path / "evil.svg").write_bytes((corpora.CORPORA / "svg" / "SVG_XSS1.svg").read_bytes())
    words = tmp_path / "words.csv"
    words.write_text("word,file\ndog,dog.png\ncat,evil.svg\nbird,../../etc/passwd\n")
    result = runner.invoke(
        args=["symbols", "import-pictures", str(tmp_path), str(words), "--as", head.username]
    )
    assert result.exit_code == 0, result.output
    assert "Imported 1 pictures" in result.output
    assert "line 3: evil.svg" in result.output
    assert "line 4: no file" in result.output
    layer = services.school_override_layers(session, head.school_id)[0]
    assert layer["dog"].startswith("pic-")
    assert "cat" not in layer
