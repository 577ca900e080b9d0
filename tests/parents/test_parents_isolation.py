"""A carer reaches only their own child: ids in URLs and forms, hidden records, attack text."""

from __future__ import annotations

import html
import re
from datetime import date
from html.parser import HTMLParser

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.db import utcnow
from classroom.parents import invites, services
from classroom.parents.models import FeedItem
from classroom.worries import services as worries
from classroom.worries.models import Category, ParentContact, Risk
from tests import corpora
from tests.app_settings import carer_emails, invite_settings, lesson_files, school_today
from tests.conftest import Clock, client_for
from tests.parents_helpers import (
    Family,
    consent,
    incident_about,
    moment,
    send_notice,
)

JPEG = bytes.fromhex(
    "ffd8ffe000104a46494600010100000100010000ffdb004300080606070605080707070909080a0c140d0c0b0b0c"
    "1912130f141d1a1f1e1d1a1c1c20242e2720222c231c1c2837292c30313434341f27393d38323c2e333432ffc000"
    "0b080001000101011100ffc4001f0000010501010101010100000000000000000102030405060708090a0bffc400"
    "b5100002010303020403050504040000017d01020300041105122131410613516107227114328191a1082342b1c1"
    "1552d1f02433627282090a161718191a25262728292a3435363738393a434445464748494a535455565758595a63"
    "6465666768696a737475767778797a838485868788898a92939495969798999aa2a3a4a5a6a7a8a9aab2b3b4b5b6"
    "b7b8b9bac2c3c4c5c6c7c8c9cad2d3d4d5d6d7d8d9dae1e2e3e4e5e6e7e8e9eaf1f2f3f4f5f6f7f8f9faffda0008"
    "010100003f00fbd3ffd9"
)


def _family_routes(app: Flask) -> list[tuple[str, str, set[str]]]:
    """Every carer route that takes an id, with its methods."""
    return [
        (rule.endpoint, rule.rule, (rule.methods or set()) - {"HEAD", "OPTIONS"})
        for rule in app.url_map.iter_rules()
        if rule.rule.startswith("/family/") and rule.arguments
    ]


def test_every_family_route_with_an_id_is_covered(app: Flask) -> None:
    endpoints = {endpoint for endpoint, _rule, _methods in _family_routes(app)}
    assert endpoints == {
        "parents.feed",
        "parents.carer_message",
        "parents.consent",
        "parents.consent_change",
        "parents.photo",
    }


def test_a_carer_gets_404_for_another_childs_ids_in_every_url(
    app: Flask, session: Session, family: Family
) -> None:
    consent(session, family, family.other)
    others_item = moment(session, family, pupil=family.other, note="Ben's day", photo=JPEG)
    client = client_for(app, family.carer)
    values = {"pupil_id": family.other.id, "item_id": others_item}
    form = {"body": "Hello", "purpose": "app", "given": "no", "key": "k"}
    for _endpoint, rule, methods in _family_routes(app):
        url = re.sub(r"<int:(\w+)>", lambda m: str(values[m.group(1)]), rule)
        for method in methods:
            response = client.open(url, method=method, data=form if method == "POST" else None)
            assert response.status_code == 404, (method, url)
    assert session.scalar(select(FeedItem).where(FeedItem.from_carer.is_(True))) is None


def test_unknown_and_malformed_ids_are_not_found(app: Flask, family: Family) -> None:
    client = client_for(app, family.carer)
    for url in ("/family/children/999999", "/family/children/abc", "/family/photos/0"):
        assert client.get(url).status_code == 404


def test_another_carers_message_key_reveals_nothing(
    app: Flask, session: Session, family: Family
) -> None:
    services.send_carer_message(
        session,
        family.other_carer,
        family.other,
        "Jo's secret",
        "k-jo",
        now=utcnow(),
        emails=carer_emails(),
    )
    session.commit()
    client = client_for(app, family.carer)
    response = client.post(
        f"/family/children/{family.child.id}/messages", data={"body": "hi", "key": "k-jo"}
    )
    assert response.status_code == 400
    assert "secret" not in response.data.decode()


def test_a_carer_can_reach_no_staff_page(app: Flask, session: Session, family: Family) -> None:
    incident = incident_about(session, family, ParentContact.INFORM_NOW)
    client = client_for(app, family.carer)
    for url in (
        "/parents/",
        f"/parents/pupils/{family.child.id}",
        f"/parents/pupils/{family.child.id}/share",
        f"/parents/incidents/{incident.id}/notice",
        "/parents/export",
        f"/safeguarding/{incident.id}",
    ):
        assert client.get(url).status_code == 403, url
    for url in (
        f"/parents/pupils/{family.child.id}/invites",
        f"/parents/pupils/{family.child.id}/messages",
        f"/parents/pupils/{family.child.id}/consent",
    ):
        assert client.post(url, data={}).status_code == 403, url


def test_a_carer_never_sees_staff_notes_cp_flags_or_incident_details(
    app: Flask, session: Session, family: Family
) -> None:
    incident = incident_about(session, family, ParentContact.INFORM_NOW, family.other)
    worries.triage(
        session,
        family.dsl,
        incident,
        worries.Triage(Category.CYBERBULLYING, Risk.HIGH, "Rationale: repeated", True, None),
        now=utcnow(),
    )
    worries.add_note(
        session, family.dsl, incident, "Note: spoke to the police", "Reason: risk", now=utcnow()
    )
    send_notice(session, family.dsl, incident, family.child, "Amira is safe.")
    moment(session, family)
    session.commit()
    client = client_for(app, family.carer)
    pages = " ".join(
        client.get(url).data.decode()
        for url in (
            "/family/children/",
            f"/family/children/{family.child.id}",
            f"/family/children/{family.child.id}/photo-consent",
            "/family/settings",
        )
    )
    assert "Amira is safe." in pages
    for secret in (
        "Secret summary",
        "Exact words",
        "Rationale: repeated",
        "spoke to the police",
        "Child protection",
        "Cyberbullying",
        "high risk",
        incident.reference,
        "Ben",
    ):
        # As words: a random CSRF token or nonce ("sxprr6qbenrl") is no one's name.
        as_words = rf"(?<![A-Za-z0-9]){re.escape(secret)}(?![A-Za-z0-9])"
        assert re.search(as_words, pages, re.IGNORECASE) is None, secret
    for lesson in lesson_files():
        if lesson.staff_note:
            assert lesson.staff_note.strip()[:40] not in pages


# --- Attack text through every field -------------------------------------------------------


class _Tags(HTMLParser):
    def __init__(self) -> None:
        super().__init__()
        self.bad: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        for name, value in attrs:
            text = (value or "").strip().lower()
            if (
                name == "style"
                or name.startswith("on")
                or text.startswith(("javascript:", "data:", "vbscript:"))
            ):
                self.bad.append(f"{tag} {name}={value}")
            if name in {"src", "href", "action"} and value and not value.startswith(("/", "#")):
                self.bad.append(f"{tag} {name}={value}")
        if tag in {"iframe", "object", "embed", "base", "meta", "link", "style", "form"}:
            allowed = tag in {"meta", "link", "form"} and not any(
                n == "http-equiv" for n, _ in attrs
            )
            if not allowed:
                self.bad.append(tag)
        if tag == "script" and not (dict(attrs).get("src") or "").startswith("/static/"):
            self.bad.append("script")


def _harmless(page: str) -> None:
    parser = _Tags()
    parser.feed(page)
    assert parser.bad == []


def _chunks(limit: int = 1900) -> list[str]:
    lines = [line.strip() for line in corpora.lines("xss.txt") if line.strip()]
    chunks, current = [], ""
    for line in lines:
        if len(current) + len(line) + 1 > limit:
            chunks.append(current)
            current = ""
        current = f"{current}\n{line}" if current else line
    return [*chunks, current]


def _shows(client: FlaskClient, url: str, texts: list[str]) -> None:
    """Every text is on the page, or on one of its older pages (a carer's feed is paged)."""
    pages = [client.get(url).data.decode()]
    while ">Older</a>" in pages[-1]:
        pages.append(client.get(f"{url}?page={len(pages) + 1}").data.decode())
    for page in pages:
        _harmless(page)
    plain = html.unescape("".join(pages))
    for text in texts:
        assert text in plain


def test_attack_text_in_messages_and_moments_comes_back_as_harmless_text(
    app: Flask, session: Session, family: Family
) -> None:
    chunks = _chunks()
    for n, chunk in enumerate(chunks):
        services.send_carer_message(
            session, family.carer, family.child, chunk, f"c{n}", now=utcnow(), emails=carer_emails()
        )
        services.send_staff_message(
            session,
            family.teacher,
            family.child,
            chunk,
            key=f"s{n}",
            now=utcnow(),
            emails=carer_emails(),
        )
        services.share_learning_moment(
            session, family.teacher, family.child, chunk[:300], chunk[:120], chunk[:1000],
            now=utcnow(),
            emails=carer_emails(),
        )
    session.commit()
    mum = client_for(app, family.carer)
    _shows(mum, f"/family/children/{family.child.id}", chunks)
    mum.post("/family/settings", data={"email_mode": "each", "symbols": "y"})
    _shows(mum, f"/family/children/{family.child.id}", [c[:1000] for c in chunks])
    staff = client_for(app, family.teacher)
    _shows(staff, f"/parents/pupils/{family.child.id}", chunks)
    _shows(staff, "/parents/", [])


def test_attack_text_in_notices_names_and_labels_is_harmless(
    app: Flask, session: Session, family: Family, clock: Clock
) -> None:
    incident = incident_about(session, family, ParentContact.INFORM_NOW)
    samples = [c.split("\n")[0] for c in _chunks()][:30]
    for n, sample in enumerate(samples):
        # One notice per decision: each sample goes under its own "inform now" decision.
        clock.advance(seconds=1)
        worries.decide_parent_contact(
            session, family.dsl, incident, ParentContact.INFORM_NOW, "Tell them", None,
            now=utcnow(),
        )
        send_notice(session, family.dsl, incident, family.child, sample, f"n{n}")
        invites.issue_invite(
            session, family.teacher, family.child, sample[:40], invite_settings(), now=utcnow()
        )
        invites.create_carer_account(
            session, family.teacher, family.child, sample[:120], f"xss{n}", None, sample[:40],
            invite_settings(), now=utcnow(),
        )
        services.record_consent(
            session,
            family.teacher,
            family.child,
            services.ConsentPurpose.APP,
            True,
            sample[:120],
            date(2027, 1, 1),
            now=utcnow(),
            today=school_today(),
        )
    session.commit()
    staff = client_for(app, family.teacher)
    _shows(staff, f"/parents/pupils/{family.child.id}", [s[:40] for s in samples])
    _shows(client_for(app, family.carer), f"/family/children/{family.child.id}", samples)
    _shows(client_for(app, family.carer), f"/family/children/{family.child.id}/photo-consent", [])
    _shows(client_for(app, family.dsl), f"/parents/incidents/{incident.id}/notice", [])


def test_attack_text_at_sign_up_is_harmless(app: Flask, session: Session, family: Family) -> None:
    samples = [c.split("\n")[0] for c in _chunks()][:12]
    for n, sample in enumerate(samples):
        _invite, code = invites.issue_invite(
            session, family.teacher, family.other, "Dad", invite_settings(), now=utcnow()
        )
        session.commit()
        client = app.test_client()
        response = client.post(
            "/family/join",
            data={
                "code": code,
                "display_name": sample[:120],
                "username": f"x{n}",
                "password": "blue kettle on a windy hill",
                "confirm": "blue kettle on a windy hill",
            },
        )
        assert response.status_code == 302
        _harmless(client.get("/family/children/").data.decode())
        bad = client.post("/family/add-child", data={"code": sample[:40]})
        assert bad.status_code in {400, 429}
        _harmless(bad.data.decode())
    _shows(client_for(app, family.teacher), f"/parents/pupils/{family.other.id}", [])


JUNK = ["", "abc", "-1", "99999999999999999999", "' OR 1=1 --", "\x00", "x" * 5000, "2027-02-30"]


def test_junk_in_every_parents_form_gets_a_4xx_never_a_500(
    app: Flask, session: Session, family: Family
) -> None:
    incident = incident_about(session, family, ParentContact.INFORM_NOW)
    values = {"pupil_id": family.child.id, "incident_id": incident.id, "invite_id": 1, "link_id": 1}
    fields = [
        "code",
        "display_name",
        "email",
        "username",
        "password",
        "confirm",
        "body",
        "key",
        "purpose",
        "given",
        "email_mode",
        "symbols",
        "objective",
        "level",
        "note",
        "passphrase",
        "invite-relationship",
        "carer-display_name",
        "carer-username",
        "carer-email",
        "consent-purpose",
        "consent-decision",
        "consent-given_by",
        "consent-given_on",
        "message-to",
        "message-incident_id",
        "message-body",
        f"p{family.child.id}-text",
    ]
    clients = {"carer": client_for(app, family.carer), "dsl": client_for(app, family.dsl)}
    clients["teacher"] = client_for(app, family.teacher)
    clients["nobody"] = app.test_client()
    for rule in app.url_map.iter_rules():
        if rule.endpoint.split(".")[0] != "parents" or "POST" not in (rule.methods or set()):
            continue
        url = re.sub(r"<int:(\w+)>", lambda m: str(values[m.group(1)]), rule.rule)
        for junk in JUNK:
            for who, client in clients.items():
                response = client.post(url, data=dict.fromkeys(fields, junk))
                assert response.status_code < 500, (who, url, junk[:20])
