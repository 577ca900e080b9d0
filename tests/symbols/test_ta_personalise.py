"""A teaching assistant makes a pupil's words and people their own: a photo of an adult is
added to a pupil's trusted adults only when the adult agreed to it (as a staff photo is)."""

from __future__ import annotations

import io
import re

import pytest
from flask.testing import FlaskClient
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from classroom.pupils.models import Pupil
from classroom.symbols.models import TrustedPerson
from tests import factories
from tests.conftest import sign_in


def _jpeg() -> bytes:
    out = io.BytesIO()
    Image.new("RGB", (64, 64), "teal").save(out, "JPEG")
    return out.getvalue()


@pytest.fixture
def amira(session: Session) -> Pupil:
    oak = factories.make_class(session, name="Oak")
    factories.make_account(session, Role.TEACHER, classes=[oak], display_name="Ms Ana Lopez")
    pupil = factories.make_pupil(session, oak)
    session.commit()
    return pupil


@pytest.fixture
def ta(session: Session, amira: Pupil, client: FlaskClient) -> Account:
    account = factories.make_account(
        session,
        Role.TEACHING_ASSISTANT,
        classes=[amira.school_class],
        display_name="Mrs Priya Shah",
    )
    session.commit()
    sign_in(client, account.username)
    return account


def _add(client: FlaskClient, pupil: Pupil, place: str, agreed: bool, colleague: int = 0) -> str:
    data: dict[str, object] = {"place": place, "photo": (io.BytesIO(_jpeg()), "face.jpg")}
    data |= {"account": str(colleague)} if place == "school" else {"name": "Gran"}
    if agreed:
        data["agreed"] = "yes"
    response = client.post(
        f"/symbols/people/{pupil.id}", data=data, content_type="multipart/form-data"
    )
    return f"{response.status_code} {response.get_data(as_text=True)}"


@pytest.mark.usefixtures("ta")
@pytest.mark.parametrize("place", ["school", "home"])
def test_a_photo_of_an_adult_needs_their_agreement(
    session: Session, client: FlaskClient, amira: Pupil, place: str
) -> None:
    colleague = session.scalar(select(Account.id).where(Account.display_name == "Ms Ana Lopez"))
    page = client.get(f"/symbols/people/{amira.id}").get_data(as_text=True)
    box = re.search(rf'<input id="{place}-agreed" name="agreed" type="checkbox"[^>]*>', page)
    assert box is not None
    assert "checked" not in box.group(0)  # never ticked for them
    refused = _add(client, amira, place, agreed=False, colleague=colleague or 0)
    assert refused.startswith("400 ")
    assert "Tick the box to say the adult agreed to their photo" in refused
    assert f'href="#{place}-agreed"' in refused  # the summary leads to the box
    assert session.scalar(select(TrustedPerson.id)) is None  # nothing kept, no photo stored
    assert _add(client, amira, place, agreed=True, colleague=colleague or 0).startswith("302 ")
    row = session.scalar(select(TrustedPerson))
    assert row is not None
    assert row.photo_file is not None
    summary = session.scalar(
        select(AuditEvent.summary).where(AuditEvent.action == "symbols.trusted_person_added")
    )
    assert summary is not None
    assert "Mrs Priya Shah confirmed they agreed" in summary


@pytest.mark.usefixtures("ta")
def test_an_adult_without_a_photo_needs_no_agreement(
    session: Session, client: FlaskClient, amira: Pupil
) -> None:
    data = {"place": "home", "name": "Gran"}
    added = client.post(f"/symbols/people/{amira.id}", data=data)
    assert added.status_code == 302
    assert session.scalar(select(TrustedPerson.name)) == "Gran"
