"""A class iPad revoked (lost, or moved on) while a pupil used it: the pupil's next tap, and the
iPad's address after, is a pupil screen that says to ask an adult and still sends a worry saved
on the iPad (the worry outbox); never the staff page "not a class iPad yet", and nothing of the
class. A browser that was never a class iPad keeps that staff page."""

from __future__ import annotations

from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy.orm import Session

from classroom.db import utcnow
from classroom.devices import services as devices
from classroom.devices.models import Device
from tests.factories import make_class, make_pupil


def test_the_pupils_next_tap_on_a_revoked_ipad_says_ask_an_adult(
    client: FlaskClient, session: Session, on_class_ipad: Callable[..., Device]
) -> None:
    oak = make_class(session, name="Oak")
    pupil = make_pupil(session, oak, first_name="Amira")
    device = on_class_ipad(oak)
    client.post(f"/class-ipad/pupils/{pupil.id}")
    devices.revoke(session, None, device, now=utcnow())
    session.commit()
    tapped = client.get("/pupil/worry")  # Report a worry, her next tap
    assert tapped.status_code == 302
    page = client.get(tapped.location)
    text = page.get_data(as_text=True)
    assert page.status_code == 403
    assert "This iPad is not ready." in text
    assert "Ask an adult." in text
    assert 'id="worry-outbox"' in text  # a worry saved on it is still sent from here
    assert "data-worry-pending" in text
    assert "not a class iPad yet" not in text
    assert "Amira" not in text
    assert "Oak" not in text


def test_a_browser_never_enrolled_keeps_the_staff_page(client: FlaskClient) -> None:
    page = client.get("/class-ipad")
    assert page.status_code == 403
    assert "This is not a class iPad yet" in page.get_data(as_text=True)


def test_every_tap_left_on_a_revoked_ipads_screen_goes_to_ask_an_adult(
    client: FlaskClient, session: Session, on_class_ipad: Callable[..., Device]
) -> None:
    """The class tiles were on the screen when staff revoked the iPad: the next pupil's tile, Back
    to a tile or picture password, or a reload after Finished, each lead to the start screen
    that says to ask an adult, never the staff page "You do not have access"."""
    oak = make_class(session, name="Oak")
    pupil = make_pupil(session, oak, first_name="Amira")
    device = on_class_ipad(oak)
    devices.revoke(session, None, device, now=utcnow())
    session.commit()
    taps = [
        client.post(f"/class-ipad/pupils/{pupil.id}"),
        client.get(f"/class-ipad/pupils/{pupil.id}"),
        client.get(f"/class-ipad/pupils/{pupil.id}/pictures"),
        client.get("/pupil/finished"),
    ]
    for tap in taps:
        assert (tap.status_code, tap.location) == (303, "/class-ipad")


def test_an_address_not_found_on_a_revoked_ipad_is_the_pupils_error_page(
    client: FlaskClient, session: Session, on_class_ipad: Callable[..., Device]
) -> None:
    devices.revoke(session, None, on_class_ipad(make_class(session)), now=utcnow())
    session.commit()
    page = client.get("/pupil/no-such-screen")
    text = page.get_data(as_text=True)
    assert page.status_code == 404
    assert "Something went wrong." in text
    assert 'href="/class-ipad"' in text
    assert "Page not found" not in text


def test_a_browser_never_enrolled_has_no_tiles_to_tap(client: FlaskClient) -> None:
    assert client.post("/class-ipad/pupils/1").status_code == 403
    assert client.get("/class-ipad/pupils/1").status_code == 403
    assert "Page not found" in client.get("/pupil/no-such-screen").get_data(as_text=True)
