"""Setting the school up: no decision is made for the technician (who works in a class, which
class an iPad shows), a refusal says what to choose by the box at fault, and a page with no
problem shows no error summary."""

from __future__ import annotations

import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.devices.models import Device
from classroom.pupils.models import ClassStaff
from tests.factories import make_account, make_class


def _select(page: str, box: str) -> str:
    found = re.search(rf'<select id="{box}"[^>]*>(.*?)</select>', page, re.S)
    assert found is not None, box
    return found.group(1)


def test_add_staff_to_a_class_starts_on_no_one(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    oak = make_class(session, name="Oak")
    make_account(session, role=Role.GOVERNOR, display_name="Dr Ward")
    login_as(Role.ADMIN)
    menu = _select(client.get("/admin/classes").get_data(as_text=True), f"add-{oak.id}")
    assert menu.lstrip().startswith('<option value="">Choose a member of staff</option>')
    assert "selected" not in menu


def test_add_without_choosing_says_so_by_the_menu_and_adds_no_one(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    oak = make_class(session, name="Oak")
    login_as(Role.ADMIN)
    response = client.post(
        f"/admin/classes/{oak.id}/staff", data={"account_id": "", "action": "add"}
    )
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert f'<a href="#add-{oak.id}">Choose who to add to Oak.</a>' in page
    assert 'aria-invalid="true"' in _tag(page, f"add-{oak.id}")
    assert "aria-invalid" not in _tag(page, "class-name")  # the new-class box is not at fault
    assert session.scalar(select(ClassStaff)) is None


def _tag(page: str, box: str) -> str:
    found = re.search(rf'<(?:select|input) id="{box}"[^>]*>', page, re.S)
    assert found is not None, box
    return found.group(0)


def test_class_ipads_page_shows_no_error_summary_when_nothing_is_wrong(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    make_class(session, name="Oak")
    login_as(Role.ADMIN)
    page = client.get("/class-ipads/").get_data(as_text=True)
    assert "There is a problem" not in page
    assert "data-error-summary" not in page  # it would take the focus and the view


def test_with_two_classes_an_ipads_class_is_chosen_not_defaulted(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    make_class(session, name="Oak")
    make_class(session, name="Willow")
    login_as(Role.ADMIN)
    page = client.get("/class-ipads/").get_data(as_text=True)
    for form in ("enrol", "link"):
        menu = _select(page, f"{form}-class")
        assert menu.lstrip().startswith('<option value="">Choose a class</option>'), form
        assert "selected" not in menu
    response = client.post("/class-ipads/links", data={"class_id": "", "name": "Willow iPad 1"})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert '<a href="#link-class">Choose the class this iPad is for.</a>' in page
    assert 'aria-invalid="true"' in _tag(page, "link-class")
    assert 'value="Willow iPad 1"' in _tag(page, "link-name")  # what was typed is kept
    assert "aria-invalid" not in _tag(page, "link-name")
    assert session.scalar(select(Device)) is None


def test_with_one_class_there_is_nothing_to_choose(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    oak = make_class(session, name="Oak")
    login_as(Role.TEACHER, classes=[oak])
    menu = _select(client.get("/class-ipads/").get_data(as_text=True), "enrol-class")
    assert "Choose a class" not in menu
    assert f'value="{oak.id}"' in menu
