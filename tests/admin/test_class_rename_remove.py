"""September, as the admin: last year's class is renamed or, when empty, removed, so the class
lists and pickers stop offering it; a class with anything in it is kept, and the admin is told
what keeps it. Each change, and each refusal, is in the audit log."""

from __future__ import annotations

import html
import re
from collections.abc import Callable

from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from classroom.pupils.models import SchoolClass
from tests.factories import make_account, make_class, make_device, make_pupil


def _words(page: str) -> str:
    return " ".join(html.unescape(re.sub(r"<[^>]+>", " ", page)).split())


def _audit(session: Session, action: str) -> list[str]:
    session.expire_all()
    return list(
        session.scalars(select(AuditEvent.summary).where(AuditEvent.action == action))
    )


def _names(session: Session) -> list[str]:
    session.expire_all()
    return list(session.scalars(select(SchoolClass.name).order_by(SchoolClass.name)))


def test_the_admin_renames_a_class_and_its_pupils_stay_in_it(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    oak = make_class(session, name="Oak 2025")
    pupil = make_pupil(session, oak, first_name="Ava")
    login_as(Role.ADMIN)
    page = client.get("/admin/classes")
    assert f'for="rename-{oak.id}">New name for Oak 2025' in page.text
    done = client.post(f"/admin/classes/{oak.id}/rename", data={"name": "  Oak   2026 "})
    assert done.status_code == 302
    assert _names(session) == ["Oak 2026"]
    assert pupil.class_id == oak.id
    assert _audit(session, "class.renamed") == ["Oak 2025 -> Oak 2026"]
    assert "Oak 2025" not in client.get("/admin/classes").text


def test_a_rename_to_another_classs_name_or_to_nothing_is_refused_with_what_was_typed(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    oak = make_class(session, name="Oak")
    make_class(session, name="Willow")
    login_as(Role.ADMIN)
    taken = client.post(f"/admin/classes/{oak.id}/rename", data={"name": "Willow"})
    assert taken.status_code == 400
    assert "There is already a class with that name." in _words(taken.text)
    assert f'id="rename-{oak.id}" name="name" value="Willow"' in taken.text
    assert 'aria-invalid="true"' in taken.text
    empty = client.post(f"/admin/classes/{oak.id}/rename", data={"name": "   "})
    assert empty.status_code == 400
    assert "Give the class a name." in empty.text
    long = client.post(f"/admin/classes/{oak.id}/rename", data={"name": "x" * 81})
    assert long.status_code == 400
    assert _names(session) == ["Oak", "Willow"]
    assert _audit(session, "class.renamed") == []


def test_last_years_empty_class_is_removed_and_leaves_the_lists(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    old = make_class(session, name="Oak 2025")
    make_class(session, name="Oak 2026")
    login_as(Role.ADMIN)
    done = client.post(f"/admin/classes/{old.id}/remove")
    assert done.status_code == 302
    assert _names(session) == ["Oak 2026"]
    assert _audit(session, "class.removed") == ["Oak 2025"]
    page = client.get(done.headers["Location"])
    assert "The class was removed." in page.text
    assert "Oak 2025" not in page.text
    assert "Oak 2025" not in client.get("/class-ipads/").text  # the enrolment picker


def test_a_class_with_pupils_staff_or_ipads_is_kept_saying_why_and_the_refusal_is_audited(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    with_leaver = make_class(session, name="Ash")
    make_pupil(session, with_leaver, active=False)
    with_staff = make_class(session, name="Beech")
    make_account(session, Role.TEACHER, classes=[with_staff])
    with_ipad = make_class(session, name="Cedar")
    make_device(session, with_ipad, "Cedar iPad 1")
    login_as(Role.ADMIN)
    for school_class, why in (
        (with_leaver, "1 pupil who has left, whose records are kept with the class"),
        (with_staff, "1 member of staff"),
        (with_ipad, "class iPads or iPad enrolment links"),
    ):
        refused = client.post(f"/admin/classes/{school_class.id}/remove")
        assert refused.status_code == 400
        words = _words(refused.text)
        assert f"{school_class.name} cannot be removed: it has {why}" in words
        assert f'id="remove-{school_class.id}-error"' in refused.text
    assert _names(session) == ["Ash", "Beech", "Cedar"]
    refusals = _audit(session, "class.remove_refused")
    assert [r.split(":")[0] for r in refusals] == ["Ash", "Beech", "Cedar"]


def test_only_the_admin_renames_or_removes_a_class(
    client: FlaskClient, login_as: Callable[..., Account], session: Session
) -> None:
    oak = make_class(session, name="Oak")
    login_as(Role.TEACHER, classes=[oak])
    assert client.post(f"/admin/classes/{oak.id}/rename", data={"name": "Mine"}).status_code in (
        403,
        404,
    )
    assert client.post(f"/admin/classes/{oak.id}/remove").status_code in (403, 404)
    assert _names(session) == ["Oak"]
