"""A backup carries every folder of files the database only names, and a restore brings them back.

It carried the carers' photos alone: a school restored from it found its rows again but lost every
pupil's face on the sign-in tiles, the trusted adults' and staff photos, the school's own
pictures and its recorded voices. A backup made that way (carer photos only) still restores.
"""

from __future__ import annotations

import io
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import pytest
from flask import Flask
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.audit.models import AuditEvent
from classroom.backup import services
from classroom.db import get_session, utcnow
from classroom.parents import shared_photos
from classroom.pupils import photos as tiles
from classroom.symbols import people, pictures, recordings
from classroom.symbols.models import Place
from tests.conftest import Clock, build_app, client_for
from tests.parents_helpers import Family, consent, make_family, moment
from tests.symbols.test_voice_recordings import wav

PASSPHRASE = "pelican orbit tangerine ladder"
ENV = {"CLASSROOM_BACKUP_PASSPHRASE": PASSPHRASE}


def _jpeg(colour: str) -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (80, 60), colour).save(out, "JPEG")
    return out.getvalue()


def invoke(app: Flask, *args: str, env: Mapping[str, str] = ENV) -> Any:
    with app.app_context():
        return app.test_cli_runner().invoke(args=["backup", *args], env=env)


class School:
    """A school with one of each stored file, made the way each feature makes it."""

    def __init__(self, app: Flask, session: Session, family: Family) -> None:
        instance, now = Path(app.instance_path), utcnow()
        teacher, amira = family.teacher, family.child
        tiles.set_photo(session, teacher, amira, _jpeg("teal"), tiles.photo_dir(instance))
        gran = people.add_person(
            session, teacher, amira, Place.HOME, name="Gran",
            photo=_jpeg("orange"), folder=people.photo_dir(instance), now=now,
        )  # fmt: skip
        people.set_staff_photo(
            session, teacher, teacher, _jpeg("navy"), folder=people.photo_dir(instance), now=now,
        )  # fmt: skip
        picture = pictures.add_picture(
            session, family.oak.school_id, _jpeg("olive"), "apple", teacher,
            target=pictures.folder(instance), now=now,
        )  # fmt: skip
        voice = recordings.add_recording(
            session, teacher, "Hello", wav(), 1000, consent=True,
            school_class=family.oak, target=recordings.folder(instance), now=now,
        )  # fmt: skip
        session.commit()
        self.teacher = teacher.username
        self.family = family
        # What a teacher's browser is served for each, through the routes that serve them.
        self.urls = [
            f"/pupils/{amira.id}/photo.jpg",
            f"/symbols/people/photo/{gran.id}.jpg",
            f"/symbols/people/staff/{teacher.id}.jpg",
            f"/symbols/{picture.code}.svg",
            f"/symbols/voice/{voice.id}.audio",
        ]

    def served(self, app: Flask) -> dict[str, tuple[int, bytes]]:
        browser = client_for(app, self.teacher)
        shown = {}
        for url in self.urls:
            with browser.get(url) as response:
                shown[url] = (response.status_code, response.data)
        return shown


@pytest.fixture
def school(app: Flask, session: Session, clock: Clock) -> School:
    app.config["BACKUP_SCRYPT_LOG2_N"] = 14  # quicker; tests/admin/test_backup.py keeps the cost
    family = make_family(session, clock)
    consent(session, family)  # the tile shows its photo only with consent for the app
    return School(app, session, family)


@pytest.fixture
def empty(tmp_path: Path, template_db: Path, clock: Clock) -> Flask:
    """A new server: a migrated, empty database and an instance folder with no files at all."""
    instance = tmp_path / "restored"
    instance.mkdir()
    restored = build_app(instance, template_db, clock)
    restored.config["WTF_CSRF_ENABLED"] = False
    return restored


def _folders(app: Flask) -> list[Path]:
    return [Path(app.instance_path) / kind.folder for kind in services.STORED_FILES]


def test_every_tile_face_picture_and_voice_shows_again_after_a_restore(
    app: Flask, school: School, empty: Flask, tmp_path: Path
) -> None:
    before = school.served(app)
    assert all(status == 200 and data for status, data in before.values()), before
    strays = Path(app.instance_path) / tiles.FOLDER
    (strays / "notes.txt").write_text("not a tile")  # not a name the feature gives a file
    out = tmp_path / "school.backup"
    assert invoke(app, "create", "--out", str(out)).exit_code == 0

    restored = invoke(empty, "restore", "--in", str(out))

    assert restored.exit_code == 0, restored.output
    assert school.served(empty) == before  # the same bytes, through the same routes
    assert not (Path(empty.instance_path) / tiles.FOLDER / "notes.txt").exists()
    carried = [path.parent.name for folder in _folders(empty) for path in folder.glob("*")]
    assert sorted(carried) == sorted(
        [tiles.FOLDER, people.FOLDER, people.FOLDER, pictures.FOLDER, recordings.FOLDER]
    )
    # Each is on the record with what it carried (the backup's own entry comes after it).
    assert "6 files" in _audited(app, "backup.created")  # the five, and the evidence key
    assert "6 files" in _audited(empty, "backup.restored")


def _audited(app: Flask, action: str) -> str:
    with app.app_context():
        found = select(AuditEvent.summary).where(AuditEvent.action == action)
        return get_session().scalars(found).one()


def test_a_backup_holding_only_carer_photos_still_restores(
    app: Flask,
    session: Session,
    school: School,
    empty: Flask,
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    """What a backup made before held: the database, the keys and carer_photos/ alone."""
    moment(session, school.family, photo=_jpeg("plum"))  # a photo shared with Amira's carers
    [carer] = (Path(app.instance_path) / shared_photos.STORED.folder).iterdir()
    out = tmp_path / "old.backup"
    with monkeypatch.context() as old:
        old.setattr(services, "STORED_FILES", (shared_photos.STORED,))
        assert invoke(app, "create", "--out", str(out)).exit_code == 0

    restored = invoke(empty, "restore", "--in", str(out))

    assert restored.exit_code == 0, restored.output
    copy = Path(empty.instance_path) / shared_photos.STORED.folder / carer.name
    assert copy.read_bytes() == carer.read_bytes()
    assert [folder for folder in _folders(empty)[1:] if folder.exists()] == []


@pytest.mark.usefixtures("school")
def test_a_backup_holding_a_file_no_feature_names_restores_nothing(
    app: Flask, empty: Flask, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    stray = Path(app.instance_path) / pictures.FOLDER / "run-me.sh"
    stray.write_text("#!/bin/sh\n")
    listed = services._instance_files  # noqa: SLF001 - a backup changed to carry a stray file

    def with_stray(instance: Path) -> Any:
        yield from listed(instance)
        yield stray, f"instance/{pictures.FOLDER}/{stray.name}"

    out = tmp_path / "changed.backup"
    with monkeypatch.context() as changed:
        changed.setattr(services, "_instance_files", with_stray)
        assert invoke(app, "create", "--out", str(out)).exit_code == 0

    restored = invoke(empty, "restore", "--in", str(out))

    assert restored.exit_code == 1
    assert "does not restore" in restored.output
    assert [folder for folder in _folders(empty) if folder.exists()] == []
    with empty.app_context():
        assert services.nonempty_tables(empty.extensions["db_engine"]) == []


def test_a_forced_restore_leaves_no_photo_the_restored_school_does_not_name(
    app: Flask, school: School, tmp_path: Path
) -> None:
    """Restored over the school in use: the photos taken since the backup, which no restored
    record shows, go with the restore (the photo policy keeps images only while needed), and
    every file the restored rows name is there."""
    before = school.served(app)
    out = tmp_path / "school.backup"
    assert invoke(app, "create", "--out", str(out)).exit_code == 0
    since = Path(app.instance_path) / tiles.FOLDER / f"{'b' * 32}.jpg"  # taken after the backup
    since.write_bytes(_jpeg("red"))
    staff_notes = Path(app.instance_path) / tiles.FOLDER / "notes.txt"  # not the feature's
    staff_notes.write_text("left alone")

    restored = invoke(app, "restore", "--in", str(out), "--force")

    assert restored.exit_code == 0, restored.output
    assert not since.exists()
    assert staff_notes.exists()
    assert school.served(app) == before
