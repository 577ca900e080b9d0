"""Stored photos go only once the change that lets them go is committed, and the worker sweeps,
hourly, the files in every folder that no row names (a rolled-back upload or a crash left them).

A pupil's sign-in tile, a trusted adult's photo and a member of staff's photo were deleted as the
change was made: a request that then failed (a refused picture, a later error) kept its row and
lost the file, so the tile or the adult's face was gone for good.
"""

from __future__ import annotations

import io
import os
import tempfile
from collections.abc import Callable
from datetime import datetime, timedelta
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.db import utcnow
from classroom.pupils import photos as tiles
from classroom.pupils.models import Pupil
from classroom.symbols import people, pictures, recordings
from classroom.symbols.models import Place, StaffPhoto, SymbolOverride
from classroom.worker import tick
from tests import factories
from tests.conftest import Clock, client_for
from tests.parents_helpers import Family, consent, make_family
from tests.symbol_helpers import people_folder, picture_folder, recording_folder
from tests.symbols.test_voice_recordings import wav


def _jpeg(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (80, 60), colour).save(out, "JPEG")
    return out.getvalue()


def _tile_folder(app: Flask) -> Path:
    return tiles.photo_dir(app.instance_path)


def _tile(client: FlaskClient, pupil: Pupil) -> bytes | None:
    with client.get(f"/pupils/{pupil.id}/photo.jpg") as response:
        return response.data if response.status_code == 200 else None


# --- Deleted only after the commit -----------------------------------------------------------


def test_a_refused_new_staff_photo_keeps_the_old_one_showing(
    session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    me = login_as(Role.TEACHER)

    def send(data: bytes) -> int:
        form = {"photo": (io.BytesIO(data), "me.jpg")}
        sent = client.post("/symbols/my-photo", data=form, content_type="multipart/form-data")
        return sent.status_code

    def shown() -> bytes | None:
        with client.get(f"/symbols/people/staff/{me.id}.jpg") as response:
            return response.data if response.status_code == 200 else None

    assert send(_jpeg("teal")) == 302
    before = shown()
    assert before is not None
    row = session.get(StaffPhoto, me.id)
    assert row is not None
    old = people_folder() / row.photo_file
    assert send(b"not a picture at all") == 400  # refused: the request is rolled back
    assert old.is_file()
    assert shown() == before  # pupils still see the face they know
    assert send(_jpeg("orange")) == 302
    assert not old.exists()  # a committed change deletes the photo it replaced
    assert shown() not in (None, before)


@pytest.fixture
def family(session: Session, clock: Clock) -> Family:
    family = make_family(session, clock)
    consent(session, family)  # the tile shows its photo only with consent for the app
    return family


def test_a_tile_photo_changed_in_a_request_rolled_back_still_shows(
    app: Flask, session: Session, family: Family
) -> None:
    folder, teacher, amira = _tile_folder(app), family.teacher, family.child
    tiles.set_photo(session, teacher, amira, _jpeg("teal"), folder)
    session.commit()
    old = folder / str(amira.photo_file)
    staff = client_for(app, teacher)
    before = _tile(staff, amira)
    assert before is not None
    for new in (_jpeg("orange"), None):  # a new photo, or back to the symbol
        tiles.set_photo(session, teacher, amira, new, folder)
        session.flush()
        assert old.is_file()  # not before the commit
        session.rollback()  # the request failed after the change
        assert old.is_file()
        assert _tile(staff, amira) == before
    tiles.set_photo(session, teacher, amira, _jpeg("orange"), folder)
    session.commit()
    assert not old.exists()
    assert _tile(staff, amira) not in (None, before)


def test_a_home_adult_removed_in_a_request_rolled_back_keeps_their_photo(
    app: Flask, session: Session, family: Family
) -> None:
    gran = people.add_person(
        session, family.teacher, family.child, Place.HOME, name="Gran",
        photo=_jpeg("teal"), folder=people_folder(), now=utcnow(),
    )  # fmt: skip
    session.commit()
    path = people_folder() / str(gran.photo_file)
    url = f"/symbols/people/photo/{gran.id}.jpg"
    staff = client_for(app, family.teacher)
    people.remove_person(session, family.teacher, gran, folder=people_folder())
    session.rollback()
    assert path.is_file()
    assert staff.get(url).status_code == 200
    people.remove_person(session, family.teacher, gran, folder=people_folder())
    session.commit()
    assert not path.exists()
    assert staff.get(url).status_code == 404


# --- The worker's sweep ----------------------------------------------------------------------


def _age(path: Path, when: datetime) -> None:
    os.utime(path, (when.timestamp(), when.timestamp()), follow_symlinks=False)


def _rolled_back(session: Session, store: Callable[[], object]) -> None:
    """An upload whose request failed: the file is stored, its row never committed."""
    store()
    session.rollback()


def _new_files(folder: Path, before: set[str]) -> list[Path]:
    return [folder / name for name in sorted(set(os.listdir(folder)) - before)]


class Uploads:
    """Things stored the way each feature stores them, in the test app's folders."""

    def __init__(self, app: Flask, session: Session, clock: Clock) -> None:
        self.app, self.session, self.clock = app, session, clock
        self.school = factories.make_school(session, name="Oak Hill")
        self.oak = factories.make_class(session, self.school, name="Oak")
        self.teacher = factories.make_account(session, Role.TEACHER, classes=[self.oak])
        self.pupil = factories.make_pupil(session, self.oak)
        session.commit()

    def tile(self, pupil: Pupil | None = None) -> None:
        tiles.set_photo(
            self.session, self.teacher, pupil or self.pupil, _jpeg("teal"), _tile_folder(self.app)
        )

    def adult(self) -> None:
        people.add_person(
            self.session, self.teacher, self.pupil, Place.HOME, name="Gran",
            photo=_jpeg("teal"), folder=people_folder(), now=utcnow(),
        )  # fmt: skip

    def staff(self) -> None:
        people.set_staff_photo(
            self.session, self.teacher, self.teacher, _jpeg("teal"),
            folder=people_folder(), now=utcnow(),
        )  # fmt: skip

    def picture(self) -> None:
        pictures.add_picture(
            self.session, self.school.id, _jpeg("teal"), "apple", self.teacher,
            target=picture_folder(), now=utcnow(),
        )  # fmt: skip

    def recording(self) -> None:
        recordings.add_recording(
            self.session, self.teacher, "Hello", wav(), 1000, consent=True,
            school_class=self.oak, target=recording_folder(), now=utcnow(),
        )  # fmt: skip

    def all(self) -> list[Callable[[], None]]:
        return [self.tile, self.adult, self.staff, self.picture, self.recording]


def _folders(app: Flask) -> list[Path]:
    return [_tile_folder(app), people_folder(), picture_folder(), recording_folder()]


def _everything(app: Flask) -> set[Path]:
    return {path for folder in _folders(app) if folder.is_dir() for path in folder.iterdir()}


@pytest.fixture
def uploads(app: Flask, session: Session, clock: Clock) -> Uploads:
    return Uploads(app, session, clock)


def test_the_worker_sweeps_old_files_no_row_names_from_every_folder(
    app: Flask, session: Session, clock: Clock, uploads: Uploads
) -> None:
    for store in uploads.all():
        store()
    session.commit()
    named = _everything(app)  # each folder now holds one file a row names
    assert len(named) == 5
    # Another school's pupil's tile: the sweep reads the rows of every school.
    elm = factories.make_school(session, name="Elm")
    other_pupil = factories.make_pupil(session, factories.make_class(session, elm))
    other_head = factories.make_account(session, Role.HEADTEACHER, school=elm)
    tiles.set_photo(session, other_head, other_pupil, _jpeg("teal"), _tile_folder(app))
    session.commit()
    named |= {_tile_folder(app) / str(other_pupil.photo_file)}
    for store in uploads.all():  # requests that stored their file, then failed
        _rolled_back(session, store)
    orphans = _everything(app) - named
    assert len(orphans) == 5
    now = clock()
    for path in named | orphans:
        _age(path, now - timedelta(days=2))
    for store in uploads.all():  # uploads still on their way: their rows may yet commit
        _rolled_back(session, store)
    fresh = _everything(app) - named - orphans
    for path in fresh:
        _age(path, now - timedelta(minutes=5))
    tick()
    left = _everything(app)
    assert named <= left  # old, but a row names each (in either school)
    assert not orphans & left
    assert fresh <= left


def test_a_picture_a_word_still_names_is_kept(
    session: Session, clock: Clock, uploads: Uploads
) -> None:
    before = set(os.listdir(picture_folder())) if picture_folder().is_dir() else set()
    _rolled_back(session, uploads.picture)
    (path,) = _new_files(picture_folder(), before)
    session.add(
        SymbolOverride(
            school_id=uploads.school.id, phrase="apple", symbol=path.stem,
            created_by_id=uploads.teacher.id, created_at=utcnow(),
        )
    )  # fmt: skip
    session.commit()
    _age(path, clock() - timedelta(days=2))
    tick()
    assert path.is_file()


def test_the_sweep_leaves_files_that_are_not_ours(
    app: Flask, session: Session, clock: Clock, uploads: Uploads, tmp_path: Path
) -> None:
    for store in uploads.all():
        _rolled_back(session, store)
    outside = tmp_path / "elsewhere.jpg"
    outside.write_bytes(b"someone else's")
    strangers: list[Path] = []
    for folder in _folders(app):
        for name in ("notes.txt", "ABCDEF0123456789ABCDEF0123456789.jpg", "photo.jpg.part"):
            (folder / name).write_bytes(b"not ours")
            strangers.append(folder / name)
        link = folder / "0123456789abcdef0123456789abcdef.jpg"
        link.symlink_to(outside)
        (folder / "fedcba9876543210fedcba9876543210.jpg").mkdir()
        strangers += [link, folder / "fedcba9876543210fedcba9876543210.jpg"]
    fd, half = tempfile.mkstemp(dir=_tile_folder(app), suffix=".part")  # a crash mid-write
    os.close(fd)
    now = clock()
    for path in _everything(app):
        _age(path, now - timedelta(days=2))
    tick()
    left = _everything(app)
    assert set(strangers) <= left
    assert outside.read_bytes() == b"someone else's"
    assert Path(half) not in left
    assert left == set(strangers)  # every upload that was rolled back is gone


def test_the_worker_sweeps_at_most_once_an_hour(
    app: Flask, session: Session, clock: Clock, uploads: Uploads
) -> None:
    tick()  # this round sweeps; the next ones wait an hour
    _rolled_back(session, uploads.tile)
    (orphan,) = _everything(app)
    _age(orphan, clock() - timedelta(days=2))
    clock.advance(minutes=59)
    tick()
    assert orphan.is_file()
    clock.advance(minutes=2)
    tick()
    assert not orphan.exists()


def test_a_worker_on_a_database_with_no_school_deletes_nothing(
    app: Flask, session: Session, clock: Clock
) -> None:
    """Started with the wrong database setting beside the real instance folder, the worker would
    find no row naming any file: it must not take that to mean every file can go."""
    folder = _tile_folder(app)
    folder.mkdir(parents=True, exist_ok=True)
    kept = folder / "0123456789abcdef0123456789abcdef.jpg"
    kept.write_bytes(_jpeg("teal"))
    _age(kept, clock() - timedelta(days=30))
    tick()
    assert kept.is_file()
    factories.make_school(session, name="Oak Hill")  # the right database: it goes
    session.commit()
    clock.advance(hours=2)
    tick()
    assert not kept.exists()


def test_settings_say_when_the_tile_photo_is_kept_but_not_shown(
    app: Flask, session: Session, clock: Clock
) -> None:
    """A photo set before the carers' consent ran out is hidden from the tile, and the
    settings page said only 'a photo is set': staff now read that it is not shown and why,
    as the photo is theirs to remove once it will not be used again."""
    family = make_family(session, clock)
    folder, teacher, amira = _tile_folder(app), family.teacher, family.child
    tiles.set_photo(session, teacher, amira, _jpeg("teal"), folder)
    session.commit()
    staff = client_for(app, teacher)
    page = staff.get(f"/pupils/{amira.id}/settings").text
    assert 'id="photo-hidden"' in page  # no consent on record yet
    assert "The photo is not shown: the carers' photo consent for the app is not in force" in page
    consent(session, family)
    page = staff.get(f"/pupils/{amira.id}/settings").text
    assert "Currently: a photo is set." in page
    assert 'id="photo-hidden"' not in page  # shown on the tile now
