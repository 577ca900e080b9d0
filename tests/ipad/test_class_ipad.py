"""Class iPads: enrolment, pupil tiles, picture passwords, and pupil sessions that end."""

from __future__ import annotations

import errno
import io
import re
from collections.abc import Callable
from datetime import UTC, datetime
from typing import Any

import pytest
from flask import Flask
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.devices.models import Device
from classroom.devices.web import cookie_name
from classroom.errors import Invalid
from classroom.parents.models import ConsentPurpose
from classroom.parents.services import record_consent
from classroom.pupils.services import set_picture_password
from tests.app_settings import school_today
from tests.conftest import Clock, sign_in
from tests.factories import make_account, make_class, make_device, make_pupil

CAT, DOG, STAR, FISH = "1F431", "1F436", "2B50", "1F41F"


def _tap(client: FlaskClient, pupil_id: int) -> Any:
    return client.post(f"/class-ipad/pupils/{pupil_id}")


def test_enrolment_link_from_the_cli_makes_a_class_ipad(
    app: Flask, runner: Any, session: Session
) -> None:
    oak = make_class(session, name="Oak")
    make_pupil(session, oak, first_name="Amira")
    session.commit()
    result = runner.invoke(args=["devices", "enrol-link", "--class", "Oak", "--name", "Oak iPad 3"])
    assert result.exit_code == 0, result.output
    path = re.search(r"http://[^/]+(/ipad/enrol/\S+)", result.output)
    assert path is not None
    ipad = app.test_client()
    confirm = ipad.get(path.group(1))
    assert b"Oak iPad 3" in confirm.data
    assert b"Oak" in confirm.data
    enrolled = ipad.post(path.group(1))
    assert enrolled.status_code == 302
    assert enrolled.location.endswith("/class-ipad")
    assert b"Amira" in ipad.get("/class-ipad").data
    # The link works once only.
    again = app.test_client().post(path.group(1))
    assert again.status_code == 410
    assert b"already been used" in again.data


def test_cli_refuses_an_unknown_class(runner: Any) -> None:
    result = runner.invoke(args=["devices", "enrol-link", "--class", "Nowhere"])
    assert result.exit_code != 0
    assert "No class called 'Nowhere'" in result.output


def test_expired_enrolment_link_is_refused(
    app: Flask, runner: Any, session: Session, clock: Clock
) -> None:
    make_class(session, name="Oak")
    session.commit()
    output = runner.invoke(args=["devices", "enrol-link", "--class", "Oak"]).output
    path = re.search(r"(/ipad/enrol/\S+)", output)
    assert path is not None
    clock.advance(hours=25)
    response = app.test_client().get(path.group(1))
    assert response.status_code == 410
    assert b"expired" in response.data


def test_teacher_enrols_the_ipad_in_their_hands(
    client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    oak = make_class(session, name="Oak")
    make_pupil(session, oak, first_name="Ben")
    login_as(Role.TEACHER, classes=[oak])
    response = client.post("/class-ipads/enrol-this", data={"class_id": oak.id, "name": "Oak 1"})
    assert response.status_code == 302
    assert client.get_cookie(cookie_name()) is not None
    assert b"Oak 1" in client.get("/class-ipads/").data
    # Signed out, the class tiles appear (the README's steps), for the pupil who picks the iPad
    # up next; the browser's cache is cleared, its cookies (the iPad's own) are not.
    signed_out = client.post("/sign-out")
    assert signed_out.status_code == 302
    assert signed_out.location == "/class-ipad"
    assert signed_out.headers["Clear-Site-Data"] == '"cache"'
    assert b"Ben" in client.get(signed_out.location).data
    assert client.get("/class-ipads/").location.startswith("/sign-in")
    # Staff sign in tapped by mistake: the sign-in page offers the way back to the tiles; a
    # browser that is no class iPad has no such link.
    back = '<a class="button" href="/class-ipad">Back to the class tiles</a>'
    assert back in client.get("/sign-in").text
    assert "Back to the class tiles" not in app_client_sign_in(client)
    assert client.get("/").location.endswith("/class-ipad")
    assert b"Ben" in client.get("/class-ipad").data


def test_staff_laptop_signs_out_to_the_sign_in_page_as_before(
    client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    oak = make_class(session, name="Oak")
    login_as(Role.TEACHER, classes=[oak])
    signed_out = client.post("/sign-out")
    assert signed_out.location == "/sign-in"
    assert signed_out.headers["Clear-Site-Data"] == '"cache"'
    assert client.get("/class-ipads/").location.startswith("/sign-in")


def app_client_sign_in(client: FlaskClient) -> str:
    """The sign-in page in another browser of the same app (no class iPad cookie)."""
    return str(client.application.test_client().get("/sign-in").text)


def test_teacher_cannot_enrol_an_ipad_for_another_class(
    client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    oak, willow = make_class(session), make_class(session)
    login_as(Role.TEACHER, classes=[oak])
    response = client.post("/class-ipads/enrol-this", data={"class_id": willow.id, "name": "x"})
    assert response.status_code == 404
    assert session.scalar(select(Device)) is None


def test_start_screen_shows_only_this_class(
    client: FlaskClient, session: Session, on_class_ipad: Callable[..., Device]
) -> None:
    oak, willow = make_class(session), make_class(session)
    make_pupil(session, oak, first_name="Amira", last_name="Quartermaine")
    make_pupil(session, willow, first_name="Harry")
    make_pupil(session, oak, first_name="Leaver", active=False)
    on_class_ipad(oak)
    page = client.get("/class-ipad").data
    assert b"Amira" in page
    assert b"Harry" not in page
    assert b"Leaver" not in page
    # Tiles show first names only: nothing more of a pupil's record is on a shared screen.
    assert b"Quartermaine" not in page


def test_a_browser_that_is_not_a_class_ipad_gets_no_tiles(
    client: FlaskClient, session: Session
) -> None:
    make_pupil(session, first_name="Amira")
    session.commit()
    page = client.get("/class-ipad")
    assert page.status_code == 403
    assert b"Amira" not in page.data
    assert b"not a class iPad" in page.data


def test_pupil_taps_their_tile_and_is_signed_in(
    client: FlaskClient, session: Session, on_class_ipad: Callable[..., Device]
) -> None:
    oak = make_class(session)
    amira = make_pupil(session, oak, first_name="Amira")
    on_class_ipad(oak)
    response = _tap(client, amira.id)
    assert response.location.endswith("/pupil/")
    home = client.get("/pupil/")
    assert home.status_code == 200
    assert b"Hello Amira" in home.data
    assert home.headers["Cache-Control"] == "no-store"
    assert "pupil.signed_in" in session.scalars(select(AuditEvent.action)).all()


def test_pupil_of_another_class_cannot_sign_in_on_this_ipad(
    client: FlaskClient, session: Session, on_class_ipad: Callable[..., Device]
) -> None:
    oak, willow = make_class(session), make_class(session)
    harry = make_pupil(session, willow)
    on_class_ipad(oak)
    assert _tap(client, harry.id).status_code == 404
    assert client.get("/pupil/").status_code == 302


def test_pupil_can_never_reach_staff_or_parent_pages(
    client: FlaskClient, session: Session, on_class_ipad: Callable[..., Device]
) -> None:
    oak = make_class(session)
    amira = make_pupil(session, oak)
    on_class_ipad(oak)
    _tap(client, amira.id)
    for path in (
        "/pupils/",
        f"/pupils/{amira.id}",
        "/admin/accounts",
        "/admin/audit",
        "/class-ipads/",
        "/family/",
        "/account/password",
    ):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response.location.endswith("/pupil/"), path


def test_finished_ends_the_pupil_session_and_back_shows_nothing(
    client: FlaskClient, session: Session, on_class_ipad: Callable[..., Device]
) -> None:
    oak = make_class(session)
    amira = make_pupil(session, oak, first_name="Amira")
    on_class_ipad(oak)
    _tap(client, amira.id)
    copied = client.get_cookie("classroom")
    assert copied is not None
    finished = client.post("/pupil/finished")
    assert finished.location.endswith("/class-ipad")
    client.set_cookie("classroom", copied.value)  # as if the back button replayed the old page
    replay = client.get("/pupil/")
    assert replay.status_code == 302
    assert b"Amira" not in replay.data


def test_pupil_session_ends_after_idle_minutes(
    client: FlaskClient, session: Session, on_class_ipad: Callable[..., Device], clock: Clock
) -> None:
    oak = make_class(session)
    pupil = make_pupil(session, oak)
    on_class_ipad(oak)
    _tap(client, pupil.id)
    clock.advance(minutes=4)
    assert client.get("/pupil/").status_code == 200
    clock.advance(minutes=6)
    assert client.get("/pupil/").location.endswith("/class-ipad")


def test_pupil_session_ends_at_the_end_of_the_school_day(
    app: Flask,
    client: FlaskClient,
    session: Session,
    on_class_ipad: Callable[..., Device],
    clock: Clock,
) -> None:
    app.config["SCHOOL_DAY_END"] = "15:30"
    clock.set(datetime(2026, 11, 30, 15, 27, tzinfo=UTC))  # 15:27 in London in winter
    oak = make_class(session)
    pupil = make_pupil(session, oak)
    on_class_ipad(oak)
    _tap(client, pupil.id)
    assert client.get("/pupil/").status_code == 200
    clock.advance(minutes=3, seconds=1)
    assert client.get("/pupil/").location.endswith("/class-ipad")


def test_revoking_the_ipad_signs_the_pupil_out_and_hides_tiles(
    app: Flask, client: FlaskClient, session: Session, on_class_ipad: Callable[..., Device]
) -> None:
    oak = make_class(session)
    pupil = make_pupil(session, oak, first_name="Amira")
    device = on_class_ipad(oak)
    _tap(client, pupil.id)
    admin = make_account(session, Role.ADMIN)
    session.commit()
    staff = app.test_client()
    sign_in(staff, admin.username)  # password, then the admin's authenticator code
    assert staff.post(f"/class-ipads/{device.id}/revoke").status_code == 302
    assert client.get("/pupil/").status_code == 302
    page = client.get("/class-ipad")
    assert page.status_code == 403
    assert b"Amira" not in page.data


def _picture_pupil(session: Session, on_class_ipad: Callable[..., Device]) -> Any:
    oak = make_class(session)
    pupil = make_pupil(session, oak, first_name="Dev")
    teacher = make_account(session, Role.TEACHER, classes=[oak])
    set_picture_password(session, teacher, pupil, [CAT, DOG, STAR])
    on_class_ipad(oak)
    return pupil


def _enter(client: FlaskClient, pupil_id: int, pictures: list[str]) -> Any:
    """Tap the pupil's tile, then each picture."""
    _tap(client, pupil_id)
    chosen: list[str] = []
    response = None
    for pick in pictures:
        response = client.post(
            f"/class-ipad/pupils/{pupil_id}/pictures",
            data={"chosen": ",".join(chosen), "pick": pick},
        )
        chosen.append(pick)
    return response


def test_picture_password_signs_the_pupil_in(
    client: FlaskClient, session: Session, on_class_ipad: Callable[..., Device]
) -> None:
    pupil = _picture_pupil(session, on_class_ipad)
    assert _tap(client, pupil.id).location.endswith(f"/class-ipad/pupils/{pupil.id}/pictures")
    assert client.get("/pupil/").status_code == 302  # not signed in by the tap alone
    response = _enter(client, pupil.id, [CAT, DOG, STAR])
    assert response.status_code == 302
    assert response.location.endswith("/pupil/")


def test_wrong_pictures_say_try_again_and_then_need_an_adult(
    client: FlaskClient, session: Session, on_class_ipad: Callable[..., Device]
) -> None:
    pupil = _picture_pupil(session, on_class_ipad)
    wrong = _enter(client, pupil.id, [DOG, CAT, STAR])
    assert wrong.status_code == 401
    assert b"try again" in wrong.data
    for _ in range(4):
        _enter(client, pupil.id, [FISH, FISH, FISH])
    blocked = _enter(client, pupil.id, [CAT, DOG, STAR])
    assert blocked.status_code == 429
    assert b"ask a trusted adult" in blocked.data


def test_picture_password_must_be_two_to_four_known_pictures(
    session: Session,
) -> None:
    oak = make_class(session)
    pupil = make_pupil(session, oak)
    teacher = make_account(session, Role.TEACHER, classes=[oak])
    for bad in ([CAT], [CAT] * 5, ["1F4A9", CAT]):
        with pytest.raises(Invalid):
            set_picture_password(session, teacher, pupil, bad)
    assert pupil.picture_password_hash is None


def test_teacher_changes_a_pupils_settings_and_the_ipad_honours_them(
    app: Flask, client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    oak = make_class(session)
    pupil = make_pupil(session, oak, first_name="Amira")
    login_as(Role.TEACHER, classes=[oak])
    assert client.get(f"/pupils/{pupil.id}/settings").status_code == 200
    response = client.post(
        f"/pupils/{pupil.id}/settings",
        data={
            "pathway": "formal",
            "tile_symbol": "1F98A",
            "symbol_size": "extra_large",
            "speech_rate": "120",
            "high_contrast": "y",
            "reduced_motion": "y",
            "scanning": "step",
            "scan_interval_ms": "2000",
        },
    )
    assert response.status_code == 302
    ipad = app.test_client()
    device, token = make_device(session, oak)
    session.commit()
    ipad.set_cookie(cookie_name(), token)
    ipad.post(f"/class-ipad/pupils/{pupil.id}")
    body = ipad.get("/pupil/").data.decode()
    assert "size-extra_large high-contrast reduced-motion" in body
    assert 'data-scanning="step"' in body
    assert 'data-speech-rate="120"' in body
    assert "/symbols/1F98A.svg" in body


def test_settings_outside_the_allowed_range_get_a_clear_message(
    client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    oak = make_class(session)
    pupil = make_pupil(session, oak)
    login_as(Role.TEACHER, classes=[oak])
    response = client.post(
        f"/pupils/{pupil.id}/settings",
        data={
            "pathway": "formal",
            "tile_symbol": "1F98A",
            "symbol_size": "large",
            "speech_rate": "9000",
            "scanning": "sideways",
            "scan_interval_ms": "2000",
        },
    )
    assert response.status_code == 400
    assert b"Not a valid choice" in response.data
    assert b"Number must be between 80 and 260" in response.data


def test_teacher_cannot_change_a_pupil_outside_their_classes(
    client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    oak, willow = make_class(session), make_class(session)
    pupil = make_pupil(session, willow)
    login_as(Role.TEACHER, classes=[oak])
    assert client.get(f"/pupils/{pupil.id}/settings").status_code == 404
    assert client.get(f"/pupils/{pupil.id}").status_code == 404


def _png() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (900, 600), "orange").save(out, "PNG")
    return out.getvalue()


def test_photo_tile_shows_only_with_app_consent_and_only_to_the_class(
    app: Flask, client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    oak, willow = make_class(session), make_class(session)
    pupil = make_pupil(session, oak, first_name="Amira")
    teacher = login_as(Role.TEACHER, classes=[oak])
    response = client.post(
        f"/pupils/{pupil.id}/photo",
        content_type="multipart/form-data",
        data={"photo": (io.BytesIO(_png()), "me.png")},
    )
    assert response.status_code == 302
    session.expire_all()
    assert pupil.photo_file is not None
    ipad = app.test_client()
    _device, token = make_device(session, oak)
    session.commit()
    ipad.set_cookie(cookie_name(), token)
    assert "/photo.jpg" not in ipad.get("/class-ipad").data.decode()  # no consent yet
    assert ipad.get(f"/pupils/{pupil.id}/photo.jpg").status_code == 404
    record_consent(
        session,
        teacher,
        pupil,
        ConsentPurpose.APP,
        True,
        "Mum",
        utcnow().date(),
        now=utcnow(),
        today=school_today(),
    )
    session.commit()
    assert f"/pupils/{pupil.id}/photo.jpg" in ipad.get("/class-ipad").data.decode()
    photo = ipad.get(f"/pupils/{pupil.id}/photo.jpg")
    assert photo.status_code == 200
    assert photo.headers["Content-Type"] == "image/jpeg"

    assert max(Image.open(io.BytesIO(photo.data)).size) <= 320
    other = app.test_client()
    _d, other_token = make_device(session, willow)
    session.commit()
    other.set_cookie(cookie_name(), other_token)
    assert other.get(f"/pupils/{pupil.id}/photo.jpg").status_code == 404
    assert app.test_client().get(f"/pupils/{pupil.id}/photo.jpg").status_code == 404


def test_a_file_that_is_not_a_photo_is_refused(
    client: FlaskClient, session: Session, login_as: Callable[..., Account]
) -> None:
    oak = make_class(session)
    pupil = make_pupil(session, oak)
    login_as(Role.TEACHER, classes=[oak])
    svg = b'<svg xmlns="http://www.w3.org/2000/svg"><script>alert(1)</script></svg>'
    response = client.post(
        f"/pupils/{pupil.id}/photo",
        content_type="multipart/form-data",
        data={"photo": (io.BytesIO(svg), "x.svg")},
    )
    assert response.status_code == 400
    assert b"could not read that picture" in response.data


def test_a_photo_the_server_cannot_write_is_the_servers_fault_not_the_teachers(
    client: FlaskClient,
    session: Session,
    login_as: Callable[..., Account],
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    """A photo folder the server may not write (a wrong owner after a restore, say) raises the
    operating system's PermissionError: a server fault, logged for whoever looks after the
    server, never told to the teacher as "You do not have access to this page"."""
    oak = make_class(session)
    pupil = make_pupil(session, oak)
    login_as(Role.TEACHER, classes=[oak])

    def unwritable(folder: Any, _data: bytes) -> str:
        raise PermissionError(errno.EACCES, "Permission denied", str(folder))

    monkeypatch.setattr("classroom.pupils.photos.save_in", unwritable)
    response = client.post(
        f"/pupils/{pupil.id}/photo",
        content_type="multipart/form-data",
        data={"photo": (io.BytesIO(_png()), "me.png")},
    )
    assert response.status_code == 500
    assert b"do not have access" not in response.data
    assert f"unhandled error on POST /pupils/{pupil.id}/photo" in caplog.text
    session.expire_all()
    assert pupil.photo_file is None
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "pupil.photo_set")) is None


def test_enrolment_link_shown_to_staff_uses_the_configured_address_not_the_host_header(
    app: Flask, session: Session, client: FlaskClient, login_as: Callable[..., Account]
) -> None:
    """A forged Host header must not put another server's name in a one-time enrolment link."""
    app.config["BASE_URL"] = "https://classroom.school.example/"
    oak = make_class(session, name="Oak")
    login_as(Role.TEACHER, classes=[oak])
    cookie = client.get_cookie(app.config["SESSION_COOKIE_NAME"])
    assert cookie is not None
    client.set_cookie(cookie.key, cookie.value, domain="evil.example")
    response = client.post(
        "/class-ipads/links",
        data={"class_id": oak.id, "name": "Oak iPad 4"},
        base_url="http://evil.example",
    )
    assert response.status_code == 201
    page = response.data.decode()
    assert "https://classroom.school.example/ipad/enrol/" in page
    assert "evil.example" not in page.replace("classroom.school.example", "")


def test_back_to_a_pupils_picture_screen_after_they_finished_goes_to_the_tiles(
    client: FlaskClient, session: Session, on_class_ipad: Callable[..., Device]
) -> None:
    """Dev signs in with his pictures and finishes; the next pupil presses Back to "Dev, tap
    your pictures". Their taps must not count as Dev's wrong tries (five lock him out until
    an adult helps): the screen is gone, and the tiles are shown."""
    dev = _picture_pupil(session, on_class_ipad)
    assert _enter(client, dev.id, [CAT, DOG, STAR]).location.endswith("/pupil/")
    client.post("/pupil/finished")
    back = client.get(f"/class-ipad/pupils/{dev.id}/pictures")
    assert back.status_code == 303
    assert back.location.endswith("/class-ipad")
    for _ in range(6):  # a page kept by the browser: each tap goes to the tiles, uncounted
        tap = client.post(
            f"/class-ipad/pupils/{dev.id}/pictures", data={"chosen": "", "pick": FISH}
        )
        assert tap.status_code == 303
        assert tap.location.endswith("/class-ipad")
    # Dev can still sign in at once: none of those taps were his wrong tries.
    assert _enter(client, dev.id, [CAT, DOG, STAR]).location.endswith("/pupil/")


def test_the_picture_screen_is_for_the_tile_tapped_last(
    client: FlaskClient, session: Session, on_class_ipad: Callable[..., Device]
) -> None:
    dev = _picture_pupil(session, on_class_ipad)
    chloe = make_pupil(session, dev.school_class, first_name="Chloe")
    teacher = make_account(session, Role.TEACHER, classes=[dev.school_class])
    set_picture_password(session, teacher, chloe, [FISH, DOG])
    session.commit()
    _tap(client, dev.id)
    _tap(client, chloe.id)
    assert client.get(f"/class-ipad/pupils/{dev.id}/pictures").status_code == 303
    page = client.get(f"/class-ipad/pupils/{chloe.id}/pictures")
    assert page.status_code == 200
    assert "Chloe, tap your pictures" in page.data.decode()
