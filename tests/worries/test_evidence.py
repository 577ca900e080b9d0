"""Evidence attached to an incident: cleaned, sealed at rest, team-only, audited."""

from __future__ import annotations

import io
import re
import uuid
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image, PngImagePlugin
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import FileStorage, MultiDict
from werkzeug.test import TestResponse, encode_multipart

from classroom.accounts.models import Role
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.errors import Invalid
from classroom.worries import evidence, evidence_crypto, services
from classroom.worries.evidence_models import Attachment, AttachmentKind
from classroom.worries.models import Incident, IncidentEntry
from tests import corpora
from tests.app_settings import base_url
from tests.conftest import sign_in
from tests.factories import make_account, make_class, make_pupil
from tests.factories import make_school as make_other_school
from tests.worry_helpers import School, make_school


def png_with_metadata() -> bytes:
    image = Image.new("RGB", (320, 200), "#ffffff")
    info = PngImagePlugin.PngInfo()
    info.add_text("Author", "Secret Phone Owner")
    info.add_text("GPS", "52.3889,-1.5234")
    out = io.BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()


def jpeg_with_exif() -> bytes:
    image = Image.new("RGB", (200, 120), "#336699")
    exif = Image.Exif()
    exif[0x010F] = "CameraMakerLtd"  # Make
    exif[0xA431] = "SERIAL-12345"  # BodySerialNumber
    out = io.BytesIO()
    image.save(out, "JPEG", exif=exif.tobytes())
    return out.getvalue()


def new_incident(session: Session, school: School) -> Incident:
    data = services.ConcernInput(
        pupil_id=school.pupil.id,
        summary="Unkind messages on her phone",
        communication="speech",
        exact_words="they said mean things",
        category=None,
    )
    incident = services.raise_concern(
        session, school.teacher, str(uuid.uuid4()), data, now=utcnow(), base_url=base_url()
    )
    session.commit()
    return incident


def attach(
    app: Flask, session: Session, school: School, incident: Incident, name: str, data: bytes
) -> Attachment:
    upload = evidence.Upload(name, data, "Screenshot of the messages")
    found = evidence.add_attachment(
        session, school.dsl, incident, upload, Path(app.instance_path), utcnow()
    )
    session.commit()
    return found


@pytest.fixture
def school(session: Session) -> School:
    return make_school(session)


@pytest.fixture
def incident(session: Session, school: School) -> Incident:
    return new_incident(session, school)


# --- Cleaning and sealing -----------------------------------------------------------------------


def test_a_screenshot_is_re_encoded_without_its_hidden_details(
    app: Flask, session: Session, school: School, incident: Incident
) -> None:
    original = png_with_metadata()
    found = attach(app, session, school, incident, "messages.png", original)
    stored = evidence_crypto.unseal(Path(app.instance_path), found.token, found.sealed)
    assert found.kind == AttachmentKind.IMAGE
    assert found.media_type == "image/png"
    assert b"Secret Phone Owner" not in stored
    assert b"52.3889" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert image.size == (320, 200)
        assert "Author" not in image.info


def test_a_photo_loses_its_camera_details(
    app: Flask, session: Session, school: School, incident: Incident
) -> None:
    found = attach(app, session, school, incident, "letter.jpeg", jpeg_with_exif())
    stored = evidence_crypto.unseal(Path(app.instance_path), found.token, found.sealed)
    assert found.media_type == "image/jpeg"
    assert found.filename == "letter.jpeg"
    assert b"CameraMakerLtd" not in stored
    assert b"SERIAL-12345" not in stored
    with Image.open(io.BytesIO(stored)) as image:
        assert not image.getexif()


def test_files_are_encrypted_at_rest_with_the_instances_key(
    app: Flask, session: Session, school: School, incident: Incident
) -> None:
    pdf = b"%PDF-1.4\n% a letter from Children's Services about Amira\n%%EOF\n"
    found = attach(app, session, school, incident, "letter.pdf", pdf)
    assert b"Children's Services" not in found.sealed
    assert b"%PDF" not in found.sealed
    key = Path(app.instance_path) / "evidence_key"
    assert key.stat().st_mode & 0o777 == 0o600
    assert len(key.read_bytes()) == 32
    assert evidence_crypto.unseal(Path(app.instance_path), found.token, found.sealed) == pdf
    assert found.kind == AttachmentKind.FILE
    assert found.media_type == "application/pdf"


def test_sealed_bytes_moved_to_another_row_or_changed_do_not_open(
    app: Flask, session: Session, school: School, incident: Incident
) -> None:
    first = attach(app, session, school, incident, "a.pdf", b"%PDF-1.4 first")
    instance = Path(app.instance_path)
    with pytest.raises(evidence_crypto.SealBrokenError):
        evidence_crypto.unseal(instance, "another-row-token", first.sealed)
    changed = first.sealed[:-1] + bytes([first.sealed[-1] ^ 1])
    with pytest.raises(evidence_crypto.SealBrokenError):
        evidence_crypto.unseal(instance, first.token, changed)


def test_a_decompression_bomb_is_refused_before_it_is_decoded(
    app: Flask, session: Session, school: School, incident: Incident
) -> None:
    out = io.BytesIO()
    Image.new("1", (9000, 9000)).save(out, "PNG")  # 81 megapixels in a few KB
    assert len(out.getvalue()) < 100_000
    with pytest.raises(Invalid, match="too large"):
        attach(app, session, school, incident, "bomb.png", out.getvalue())
    assert session.scalar(select(Attachment)) is None


def test_a_damaged_picture_is_refused(
    app: Flask, session: Session, school: School, incident: Incident
) -> None:
    with pytest.raises(Invalid, match="damaged"):
        attach(app, session, school, incident, "cut.png", png_with_metadata()[:200])


def test_an_empty_file_a_missing_description_and_a_closed_incident_are_refused(
    app: Flask, session: Session, school: School, incident: Incident
) -> None:
    instance, now = Path(app.instance_path), utcnow()
    with pytest.raises(Invalid, match="empty"):
        evidence.add_attachment(
            session, school.dsl, incident, evidence.Upload("a.pdf", b"", "x"), instance, now
        )
    with pytest.raises(Invalid, match="where it came from"):
        evidence.add_attachment(
            session, school.dsl, incident, evidence.Upload("a.pdf", b"x", " "), instance, now
        )
    incident.status = services.Status.CLOSED
    with pytest.raises(Invalid, match="closed"):
        evidence.add_attachment(
            session, school.dsl, incident, evidence.Upload("a.pdf", b"x", "y"), instance, now
        )


def test_the_upload_goes_in_the_chronology_and_the_audit_log(
    app: Flask, session: Session, school: School, incident: Incident
) -> None:
    found = attach(app, session, school, incident, "../../etc/passwd\x07.png", png_with_metadata())
    assert found.filename == "passwd.png"
    entry = session.scalar(select(IncidentEntry).where(IncidentEntry.kind == "evidence_added"))
    assert entry is not None
    assert "passwd.png" in entry.text
    assert "Screenshot" in entry.text
    actions = session.scalars(select(AuditEvent.action)).all()
    assert "evidence.attached" in actions


# --- Over HTTP -----------------------------------------------------------------------------------


def upload(
    client: FlaskClient, incident: Incident, name: str, data: bytes, once: str = ""
) -> TestResponse:
    # Encoded in memory: the test client would spool a large body to a file it never closes.
    fields = MultiDict({"description": "From the pupil's phone", "once": once})
    fields.add("file", FileStorage(io.BytesIO(data), filename=name))
    boundary, body = encode_multipart(fields)
    return client.post(
        f"/safeguarding/{incident.id}/evidence/attachments",
        data=body,
        content_type=f"multipart/form-data; boundary={boundary}",
    )


def test_the_team_uploads_views_and_downloads_a_screenshot(
    client: FlaskClient, session: Session, school: School, incident: Incident
) -> None:
    sign_in(client, school.dsl.username)
    response = upload(client, incident, "chat.png", png_with_metadata())
    assert response.status_code == 302
    assert "/evidence" in response.location
    page = client.get(f"/safeguarding/{incident.id}/evidence").get_data(as_text=True)
    assert "chat.png" in page
    assert "From the pupil&#39;s phone" in page
    found = session.scalars(select(Attachment)).one()
    shown = client.get(f"/safeguarding/evidence/{found.id}/picture")
    assert shown.status_code == 200
    assert shown.mimetype == "image/png"
    assert shown.headers["X-Content-Type-Options"] == "nosniff"
    assert shown.headers["Cache-Control"] == "no-store"
    saved = client.get(f"/safeguarding/evidence/{found.id}/download")
    assert saved.headers["Content-Disposition"].startswith("attachment;")
    with Image.open(io.BytesIO(saved.data)) as image:
        assert image.size == (320, 200)
    actions = session.scalars(select(AuditEvent.action)).all()
    for action in (
        "evidence.attached",
        "evidence.list_viewed",
        "evidence.viewed",
        "evidence.downloaded",
    ):
        assert action in actions


def test_an_upload_sent_twice_is_attached_once(
    client: FlaskClient, session: Session, school: School, incident: Incident
) -> None:
    """The Wi-Fi dropped before the answer came, and the DSL pressed Attach again."""
    sign_in(client, school.dsl.username)
    form = client.get(f"/safeguarding/{incident.id}/evidence").get_data(as_text=True)
    key = re.search(r'name="once" type="hidden" value="([0-9a-f]+)"', form)
    assert key is not None
    first = upload(client, incident, "chat.png", png_with_metadata(), key.group(1))
    again = upload(client, incident, "chat.png", png_with_metadata(), key.group(1))
    assert "added=1" in first.location
    assert "twice=1" in again.location
    assert len(session.scalars(select(Attachment)).all()) == 1
    page = client.get(again.location).get_data(as_text=True)
    assert "sent twice (perhaps the connection dropped), so it was added once" in page


@pytest.mark.parametrize("svg", corpora.svgs(), ids=lambda p: p.name)
def test_attack_svgs_are_kept_as_evidence_but_only_ever_downloaded(
    client: FlaskClient, session: Session, school: School, incident: Incident, svg: Path
) -> None:
    sign_in(client, school.dsl.username)
    assert upload(client, incident, svg.name, svg.read_bytes()).status_code == 302
    found = session.scalars(select(Attachment)).one()
    assert found.kind == AttachmentKind.FILE
    assert client.get(f"/safeguarding/evidence/{found.id}/picture").status_code == 404
    saved = client.get(f"/safeguarding/evidence/{found.id}/download")
    assert saved.status_code == 200
    assert saved.data == svg.read_bytes()
    assert saved.mimetype == "application/octet-stream"
    assert saved.headers["Content-Disposition"].startswith("attachment;")
    assert saved.headers["X-Content-Type-Options"] == "nosniff"
    page = client.get(f"/safeguarding/{incident.id}/evidence").get_data(as_text=True)
    assert "<script" not in page.split("</head>")[1].replace('<script src="/static', "")


def test_an_html_file_named_as_a_picture_is_a_download(
    client: FlaskClient, session: Session, school: School, incident: Incident
) -> None:
    sign_in(client, school.dsl.username)
    assert upload(client, incident, "x.png", b"<html><script>alert(1)</script>").status_code == 302
    found = session.scalars(select(Attachment)).one()
    assert found.kind == AttachmentKind.FILE
    assert found.media_type == "application/octet-stream"
    saved = client.get(f"/safeguarding/evidence/{found.id}/download")
    assert saved.mimetype == "application/octet-stream"


def test_a_file_over_the_limit_gets_a_clear_413(
    app: Flask, client: FlaskClient, session: Session, school: School, incident: Incident
) -> None:
    app.config["EVIDENCE_MAX_BYTES"] = 100 * 1024
    sign_in(client, school.dsl.username)
    response = upload(client, incident, "big.pdf", b"%PDF-" + b"x" * 300 * 1024)
    assert response.status_code == 413
    assert "That file is too big: attach files of at most 100 KB." in response.get_data(True)
    just_over = upload(client, incident, "big.pdf", b"%PDF-" + b"x" * 100 * 1024)
    assert just_over.status_code == 400
    assert "too big" in just_over.get_data(as_text=True)
    assert session.scalar(select(Attachment)) is None


def test_a_file_over_the_app_wide_limit_but_under_the_evidence_limit_is_accepted(
    client: FlaskClient, session: Session, school: School, incident: Incident
) -> None:
    sign_in(client, school.dsl.username)
    response = upload(client, incident, "report.pdf", b"%PDF-" + b"y" * 3 * 1024 * 1024)
    assert response.status_code == 302
    assert session.scalars(select(Attachment)).one().size > 3 * 1024 * 1024


def test_the_upload_needs_the_forms_csrf_token(
    app: Flask, client: FlaskClient, session: Session, school: School, incident: Incident
) -> None:
    sign_in(client, school.dsl.username)
    app.config["WTF_CSRF_ENABLED"] = True
    response = upload(client, incident, "chat.png", png_with_metadata())
    assert response.status_code == 400
    assert session.scalar(select(Attachment)) is None


def test_a_teacher_is_refused_and_another_schools_dsl_is_told_nothing_exists(
    app: Flask, client: FlaskClient, session: Session, school: School, incident: Incident
) -> None:
    found = attach(app, session, school, incident, "chat.png", png_with_metadata())
    other = make_other_school(session, name="Other")
    make_pupil(session, make_class(session, school=other))
    other_dsl = make_account(session, Role.DSL, school=other)
    session.commit()
    paths = [
        f"/safeguarding/{incident.id}/evidence",
        f"/safeguarding/evidence/{found.id}/picture",
        f"/safeguarding/evidence/{found.id}/download",
    ]
    sign_in(client, school.teacher.username)
    assert {client.get(p).status_code for p in paths} == {403}
    assert upload(client, incident, "x.pdf", b"%PDF-").status_code == 403
    client.post("/sign-out")
    sign_in(client, other_dsl.username)
    assert {client.get(p).status_code for p in paths} == {404}
    assert upload(client, incident, "x.pdf", b"%PDF-").status_code == 404
    assert session.scalar(select(Attachment).where(Attachment.id != found.id)) is None


def test_the_incident_page_links_to_its_evidence(
    app: Flask, client: FlaskClient, session: Session, school: School, incident: Incident
) -> None:
    attach(app, session, school, incident, "chat.png", png_with_metadata())
    sign_in(client, school.dsl.username)
    page = client.get(f"/safeguarding/{incident.id}").get_data(as_text=True)
    assert "1 file attached, 0 marks on the body map" in page
    assert f"/safeguarding/{incident.id}/evidence" in page
