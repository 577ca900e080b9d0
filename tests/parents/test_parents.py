"""Connecting carers to a child: one-time codes and QR, sign-up, second child, revocation."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
import qrcode  # type: ignore[import-untyped]
from flask import Flask
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from classroom import policy
from classroom.accounts.models import Account, Role
from classroom.accounts.passwords import verify_password
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.errors import Forbidden, Invalid, Throttled
from classroom.parents import invites, services
from classroom.parents.models import CarerInvite, FeedItem
from classroom.pupils.models import ParentLink
from classroom.qr import qr_code
from tests.app_settings import carer_emails, invite_settings
from tests.conftest import Clock, client_for
from tests.factories import make_account
from tests.parents_helpers import Family

STRONG = "blue kettle on a windy hill"


def _issue(session: Session, family: Family, pupil: object = None) -> str:
    _invite, code = invites.issue_invite(
        session, family.teacher, pupil or family.other, "Dad", invite_settings(), now=utcnow()
    )
    session.commit()
    return code


def _join(app: Flask, code: str, username: str = "newdad", **extra: str) -> object:
    client = app.test_client()
    data = {
        "code": code,
        "display_name": "Mr Tom Taylor",
        "email": "tom@example.invalid",
        "username": username,
        "password": STRONG,
        "confirm": STRONG,
        **extra,
    }
    return client, client.post("/family/join", data=data)


def test_codes_are_short_typeable_and_unambiguous() -> None:
    codes = {invites.new_code() for _ in range(200)}
    assert len(codes) == 200
    for code in codes:
        assert re.fullmatch(r"[2-9A-HJKMNP-TV-Z]{5}-[2-9A-HJKMNP-TV-Z]{5}", code)
        assert not set(code) & set("01ILOU")


def test_only_a_hash_of_the_code_is_stored(session: Session, family: Family) -> None:
    invite, code = invites.issue_invite(
        session, family.teacher, family.other, "Dad", invite_settings(), now=utcnow()
    )
    stored = [str(v) for v in vars(invite).values()]
    assert code not in stored
    assert code.replace("-", "") not in stored
    assert invite.code_hash == invites.code_hash(
        code.lower().replace("-", " "), invite_settings().secret_key
    )


def test_class_staff_head_and_admin_issue_codes_others_cannot(
    session: Session, family: Family
) -> None:
    for staff in (family.teacher, family.ta, family.head, family.admin):
        invites.issue_invite(session, staff, family.child, "Mum", invite_settings(), now=utcnow())
    for outsider in (family.willow_teacher, family.dsl, family.carer):
        with pytest.raises(Forbidden):
            invites.issue_invite(
                session, outsider, family.child, "Mum", invite_settings(), now=utcnow()
            )


def test_staff_page_issues_a_code_with_a_qr_code_drawn_here(
    app: Flask, session: Session, family: Family
) -> None:
    client = client_for(app, family.teacher)
    page = client.post(
        f"/parents/pupils/{family.other.id}/invites", data={"invite-relationship": "Dad"}
    )
    html = page.data.decode()
    assert page.status_code == 200
    code = re.search(r"<code>([2-9A-Z]{5}-[2-9A-Z]{5})</code>", html)
    assert code is not None
    assert '<svg class="qr"' in html
    assert '<path d="M' in html
    assert "http" not in html.split('<svg class="qr"')[1].split("</svg>")[0].replace(
        "http://www.w3.org/2000/svg", ""
    )  # drawn on the server: no image from anywhere else
    assert session.scalar(select(func.count()).select_from(CarerInvite)) == 1
    assert session.scalar(select(CarerInvite)).code_hash == invites.code_hash(
        code.group(1), invite_settings().secret_key
    )


def test_reloading_the_slip_leaves_one_live_code_and_says_the_first_is_gone(
    app: Flask, session: Session, family: Family
) -> None:
    """The slip is shown from the POST; a reload sends it again. Before, that made a second
    live code for 14 days beside the one printed. Now the same form's code is replaced."""
    client = client_for(app, family.teacher)
    page = client.get(f"/parents/pupils/{family.other.id}").text
    key = re.search(r'name="invite-key" type="hidden" value="([^"]+)"', page)
    assert key is not None
    relationship = re.search(r'<input[^>]*name="invite-relationship"[^>]*>', page)
    assert relationship is not None
    assert 'value=""' in relationship.group(0)  # who it is for is typed, not "Parent/carer"
    sent = {"invite-relationship": "Dad", "invite-key": key.group(1)}
    url = f"/parents/pupils/{family.other.id}/invites"
    first = client.post(url, data=sent).text
    assert "no longer works" not in first
    again = client.post(url, data=sent).text  # the reload
    assert "the code on the slip before it no longer works" in again
    live = [i for i in session.scalars(select(CarerInvite)) if i.outstanding(utcnow())]
    assert len(live) == 1
    assert session.scalar(select(func.count()).select_from(CarerInvite)) == 2
    other_form = client.post(url, data={"invite-relationship": "Gran", "invite-key": "k-2"})
    assert "no longer works" not in other_form.text  # a second carer's code: both stay live
    assert len([i for i in session.scalars(select(CarerInvite)) if i.outstanding(utcnow())]) == 2


def test_qr_code_svg_path_draws_exactly_the_qr_matrix() -> None:
    text = "http://school.example/family/join?code=ABCDE-FGHJK"
    qr = qr_code(text)
    drawn = set()
    for x, y, run in re.findall(r"M(\d+),(\d+)h(\d+)v1h-\3z", qr.path):
        drawn.update((int(x) + n, int(y)) for n in range(int(run)))
    reference = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    reference.add_data(text)
    reference.make(fit=True)
    matrix = reference.get_matrix()
    assert drawn == {(x, y) for y, row in enumerate(matrix) for x, dark in enumerate(row) if dark}
    assert qr.size == len(matrix)


def test_qr_code_holds_the_join_link() -> None:
    qr = qr_code("http://school.example/family/join?code=ABCDE-FGHJK")
    assert qr.size >= 21
    assert qr.path.startswith("M")
    assert set(qr.path) <= set("0123456789,Mhvz-")


def test_carer_signs_up_with_a_code_and_sees_only_that_child(
    app: Flask, session: Session, family: Family
) -> None:
    code = _issue(session, family)
    client, response = _join(app, code)
    assert response.status_code == 302
    assert response.location.endswith("/family/children/?welcome=1")
    carer = session.scalar(select(Account).where(Account.username == "newdad"))
    assert carer is not None
    assert carer.role == Role.PARENT
    assert carer.password_hash.startswith("$argon2id$")
    assert verify_password(carer.password_hash, STRONG)
    page = client.get("/family/children/").data.decode()
    assert "Ben" in page
    assert "Amira" not in page
    link = session.scalar(select(ParentLink).where(ParentLink.parent_id == carer.id))
    assert link is not None
    assert link.relationship_label == "Dad"


def test_the_qr_link_fills_in_the_code(app: Flask, session: Session, family: Family) -> None:
    code = _issue(session, family)
    page = app.test_client().get(f"/family/join?code={code}").data.decode()
    assert f'value="{code}"' in page


def test_a_weak_password_is_refused_and_the_code_still_works(
    app: Flask, session: Session, family: Family
) -> None:
    code = _issue(session, family)
    _client, response = _join(app, code, password="short", confirm="short")
    assert response.status_code == 400
    assert b"at least 12 characters" in response.data
    _client, response = _join(app, code)
    assert response.status_code == 302


@pytest.mark.parametrize(
    ("scenario", "message"),
    [
        ("mistyped", "We could not find that code"),
        ("shape", "never uses the letters"),
        ("reused", "already been used"),
        ("expired", "has expired"),
        ("cancelled", "cancelled"),
    ],
)
def test_bad_codes_get_a_clear_message(
    app: Flask, session: Session, family: Family, clock: Clock, scenario: str, message: str
) -> None:
    code = _issue(session, family)
    if scenario == "mistyped":
        code = code[:-1] + ("2" if code[-1] != "2" else "3")
    elif scenario == "shape":
        code = "OOOO1-IIIII"
    elif scenario == "reused":
        _join(app, code, username="first")
    elif scenario == "expired":
        clock.advance(days=15)
    else:
        invite = session.scalar(select(CarerInvite))
        invites.cancel_invite(session, family.teacher, invite, now=utcnow())
        session.commit()
    _client, response = _join(app, code, username="second")
    assert response.status_code == 400
    assert message in response.data.decode()
    assert session.scalar(select(Account).where(Account.username == "second")) is None


def test_guessing_codes_is_throttled(app: Flask, session: Session, family: Family) -> None:
    code = _issue(session, family)
    for n in range(5):
        _client, response = _join(app, f"2222{n}-33333", username=f"guess{n}")
        assert response.status_code == 400
    _client, response = _join(app, code, username="right")
    assert response.status_code == 429
    assert b"Too many attempts" in response.data


@pytest.mark.usefixtures("family")
def test_throttle_counts_across_requests_in_the_database(session: Session) -> None:
    for _ in range(5):
        with pytest.raises(invites.BadCode):
            invites.find_invite(
                session, "22222-33333", "10.0.0.9", "ip:10.0.0.9", invite_settings(), now=utcnow()
            )
    with pytest.raises(Throttled):
        invites.find_invite(
            session, "22222-33333", "10.0.0.9", "ip:10.0.0.9", invite_settings(), now=utcnow()
        )


def test_a_signed_in_carer_adds_a_second_child_with_a_new_code(
    app: Flask, session: Session, family: Family
) -> None:
    code = _issue(session, family, family.other)
    client = client_for(app, family.second_carer)
    response = client.post("/family/add-child", data={"code": code})
    assert response.status_code == 302
    page = client.get("/family/children/").data.decode()
    assert "Amira" in page
    assert "Ben" in page
    again = client.post("/family/add-child", data={"code": code})
    assert again.status_code == 400


def test_already_connected_carer_keeps_the_code(
    app: Flask, session: Session, family: Family
) -> None:
    code = _issue(session, family, family.child)
    response = client_for(app, family.carer).post("/family/add-child", data={"code": code})
    assert response.status_code == 400
    assert b"already connected" in response.data
    assert session.scalar(select(CarerInvite)).used_at is None


def test_a_code_works_only_once_even_if_two_people_race(session: Session, family: Family) -> None:
    code = _issue(session, family)
    invites.add_child(
        session, family.second_carer, code, "10.0.0.1", invite_settings(), now=utcnow()
    )
    with pytest.raises(Invalid):
        invites.add_child(session, family.carer, code, "10.0.0.2", invite_settings(), now=utcnow())


def test_staff_make_a_carer_account_with_a_one_time_password(
    app: Flask, session: Session, family: Family
) -> None:
    client = client_for(app, family.teacher)
    page = client.post(
        f"/parents/pupils/{family.other.id}/carers",
        data={
            "carer-display_name": "Mrs Ann Taylor",
            "carer-username": "anntaylor",
            "carer-email": "",
            "carer-relationship": "Grandparent",
        },
    )
    assert page.status_code == 200
    carer = session.scalar(select(Account).where(Account.username == "anntaylor"))
    assert carer is not None
    assert carer.role == Role.PARENT
    assert carer.must_change_password
    assert "one-time password" in page.data.decode().lower()
    assert [p.first_name for p in carer_children(session, carer)] == ["Ben"]


def carer_children(session: Session, carer: Account) -> list[object]:
    return list(session.scalars(policy.visible_pupils(carer)))


def test_staff_see_who_is_connected_and_revoking_works_on_the_next_request(
    app: Flask, session: Session, family: Family
) -> None:
    carer_client = client_for(app, family.second_carer)
    assert carer_client.get(f"/family/children/{family.child.id}").status_code == 200
    staff = client_for(app, family.teacher)
    page = staff.get(f"/parents/pupils/{family.child.id}").data.decode()
    assert "Mrs Sara Khan" in page
    assert "Mr Omar Khan" in page
    link = session.scalar(select(ParentLink).where(ParentLink.parent_id == family.second_carer.id))
    assert staff.post(f"/parents/links/{link.id}/revoke").status_code == 302
    assert carer_client.get(f"/family/children/{family.child.id}").status_code == 404
    assert "Amira" not in carer_client.get("/family/children/").data.decode()
    assert "Disconnected" in staff.get(f"/parents/pupils/{family.child.id}").data.decode()


def test_other_class_staff_cannot_see_or_revoke_connections(
    app: Flask, session: Session, family: Family
) -> None:
    staff = client_for(app, family.willow_teacher)
    assert staff.get(f"/parents/pupils/{family.child.id}").status_code == 404
    link = session.scalar(select(ParentLink).where(ParentLink.parent_id == family.carer.id))
    assert staff.post(f"/parents/links/{link.id}/revoke").status_code == 404
    session.refresh(link)
    assert link.revoked_at is None


@pytest.mark.usefixtures("session")
def test_several_carers_and_a_carer_with_several_children(app: Flask, family: Family) -> None:
    mum = client_for(app, family.carer)
    home = mum.get("/family/children/").data.decode()
    assert "Amira" in home
    assert "Zara" in home
    assert "Ben" not in home
    assert mum.get(f"/family/children/{family.sister.id}").status_code == 200
    dad = client_for(app, family.second_carer)
    assert dad.get(f"/family/children/{family.child.id}").status_code == 200
    assert dad.get(f"/family/children/{family.sister.id}").status_code == 404


@pytest.mark.usefixtures("session")
def test_the_old_family_page_leads_to_the_feed(app: Flask, family: Family) -> None:
    client = client_for(app, family.carer)
    assert client.get("/").location.endswith("/family/")
    assert client.get("/family/").location.endswith("/family/children/")


def test_connecting_and_revoking_are_audited(session: Session, family: Family) -> None:
    code = _issue(session, family)
    invites.add_child(
        session, family.second_carer, code, "10.0.0.1", invite_settings(), now=utcnow()
    )
    link = session.scalar(
        select(ParentLink).where(
            ParentLink.parent_id == family.second_carer.id, ParentLink.pupil_id == family.other.id
        )
    )
    invites.revoke_link(session, family.teacher, link, now=utcnow())
    session.commit()
    actions = set(session.scalars(select(AuditEvent.action)))
    assert {"carer_invite.issued", "carer.connected", "carer.disconnected"} <= actions


def test_codes_expire_after_the_configured_days(
    session: Session, family: Family, clock: Clock
) -> None:
    invite, _code = invites.issue_invite(
        session, family.teacher, family.other, "Dad", invite_settings(), now=utcnow()
    )
    assert invite.expires_at - clock() == timedelta(days=14)


@pytest.mark.parametrize("role", list(Role))
def test_carer_scopes_agree_with_their_checks(session: Session, family: Family, role: Role) -> None:
    actor = make_account(session, role, classes=[family.oak])
    pupils = [family.child, family.other, family.sister]
    managed = set(session.scalars(policy.carer_managed_pupils(actor)))
    assert managed == {p for p in pupils if policy.can_manage_carers(session, actor, p)}
    shared = set(session.scalars(policy.shareable_pupils(actor)))
    assert shared == {p for p in pupils if policy.can_share_with_carers(session, actor, p)}


def test_feed_scope_agrees_with_can_view_feed_item(session: Session, family: Family) -> None:
    services.send_staff_message(
        session, family.teacher, family.child, "To all", now=utcnow(), emails=carer_emails()
    )
    services.send_staff_message(
        session,
        family.teacher,
        family.child,
        "To mum",
        to_carer_id=family.carer.id,
        now=utcnow(),
        emails=carer_emails(),
    )
    services.send_carer_message(
        session, family.carer, family.child, "From mum", now=utcnow(), emails=carer_emails()
    )
    services.send_carer_message(
        session, family.other_carer, family.other, "From Jo", now=utcnow(), emails=carer_emails()
    )
    items = list(session.scalars(select(FeedItem)))
    now = items[0].created_at
    for actor in (
        family.carer,
        family.second_carer,
        family.other_carer,
        family.teacher,
        family.dsl,
    ):
        scoped = set(session.scalars(policy.carer_feed_items(actor, now))) | set(
            session.scalars(policy.staff_feed_items(actor))
        )
        assert scoped == {i for i in items if policy.can_view_feed_item(session, actor, i, now)}
    mum = {i.body for i in session.scalars(policy.carer_feed_items(family.carer, now))}
    dad = {i.body for i in session.scalars(policy.carer_feed_items(family.second_carer, now))}
    assert mum == {"To all", "To mum", "From mum"}
    assert dad == {"To all"}


# --- A refused join or code: the problem first, linked to its box, everything typed kept --------


def _error_summary(page: str) -> list[tuple[str, str]]:
    """The (target id, text) of every link in the page's error summary, which must be the first
    thing in <main>, before the heading; every target must be an id on the page."""
    found = re.search(r"<div [^>]*data-error-summary[^>]*>.*?</div>", page, re.S)
    assert found is not None, "no error summary"
    summary = found.group(0)
    assert 'role="alert"' in summary
    assert "There is a problem" in summary
    main = page.index('<main id="main"')
    assert main < page.index(summary) < page.index("<h1>")
    links = re.findall(r'<a href="#([^"]+)">(.*?)</a>', summary, re.S)
    assert links, "a summary with nothing to follow"
    rest = page.replace(summary, "")
    for target, _text in links:
        assert rest.count(f'id="{target}"') == 1, f"#{target} leads nowhere"
    return links


@pytest.mark.usefixtures("family")
def test_a_wrong_code_at_join_is_summarised_at_the_top_and_keeps_what_was_typed(
    app: Flask, session: Session
) -> None:
    _client, response = _join(app, "22222-33333", email="ada@ex\u00e4mple.co.uk")
    assert response.status_code == 400
    page = response.text
    assert re.search(r"<title>Error: Join with a code from school ", page)
    [(target, text)] = _error_summary(page)
    assert target == "code"
    assert text.startswith("Code from school: We could not find that code")
    assert 'aria-invalid="true"' in re.search(r'<input [^>]*id="code"[^>]*>', page).group(0)
    assert 'value="22222-33333"' in page
    assert 'value="Mr Tom Taylor"' in page
    assert 'value="newdad"' in page
    assert 'value="ada@ex\u00e4mple.co.uk"' in page  # as typed, not the IDNA form it is kept in
    assert STRONG not in page  # a password is never sent back
    assert session.scalar(select(Account).where(Account.username == "newdad")) is None


def test_field_errors_at_join_are_each_linked_from_the_summary(
    app: Flask, session: Session, family: Family
) -> None:
    code = _issue(session, family)
    _client, response = _join(
        app, code, display_name="", email="ada@", confirm="another kettle on a hill"
    )
    assert response.status_code == 400
    page = response.text
    assert re.search(r"<title>Error: Join with a code from school ", page)
    links = dict(_error_summary(page))
    assert set(links) == {"display_name", "email", "confirm"}
    assert links["display_name"] == "Your name: Enter your name."
    assert links["email"].startswith("Email address (optional): Enter an email address like")
    for target in links:  # the message stays beside its box too
        assert f'<p class="error" id="{target}-error">' in page
    assert f'value="{code}"' in page
    assert 'value="newdad"' in page
    assert 'value="ada@"' in page
    assert STRONG not in page
    _client, response = _join(app, code)  # nothing was used up
    assert response.status_code == 302


def test_a_refused_password_at_join_is_linked_from_the_summary(
    app: Flask, session: Session, family: Family
) -> None:
    """A problem the service finds (not the form) is summarised the same way."""
    code = _issue(session, family)
    _client, response = _join(app, code, password="short", confirm="short")
    assert response.status_code == 400
    [(target, text)] = _error_summary(response.text)
    assert target == "password"
    assert "at least 12 characters" in text
    assert "<title>Error: " in response.text


def test_the_join_page_without_a_problem_has_no_summary(
    app: Flask, session: Session, family: Family
) -> None:
    page = app.test_client().get(f"/family/join?code={_issue(session, family)}").text
    assert "data-error-summary" not in page
    assert "<title>Join with a code from school " in page


@pytest.mark.parametrize(
    ("code", "message"),
    [("22222-33333", "We could not find that code"), ("", "Enter the code from school.")],
)
def test_a_refused_code_when_adding_a_child_is_summarised_at_the_top(
    app: Flask, family: Family, code: str, message: str
) -> None:
    client = client_for(app, family.second_carer)
    response = client.post("/family/add-child", data={"code": code})
    assert response.status_code == 400
    page = response.text
    assert re.search(r"<title>Error: Add a child ", page)
    [(target, text)] = _error_summary(page)
    assert target == "code"
    assert text.startswith(f"Code from school: {message}")
    assert f'<p class="error" id="code-error">{message}' in page
    assert f'value="{code}"' in page or not code
    assert "data-error-summary" not in client.get("/family/add-child").text
