"""A worry's linked pupils say who is alleged to have caused the harm, and who saw it.

Child-on-child abuse (Keeping Children Safe in Education, part 5): Amira was sent unkind
messages, Ben is said to have sent them and Chloe saw them. Each child needs a different
response: support for Amira, a risk assessment and support for Ben with his carers told with
care, Chloe's carers usually told nothing. Before, a pupil was linked as "reported it",
"affected" or "involved" only, so Ben and Chloe were both "involved", and a DSL deciding whose
carers to tell saw "Only Ben Taylor's carers (involved)" beside "Only Chloe Moss's carers
(involved)": nothing said which family was the alleged child's. Now a pupil is linked as
alleged to have caused harm, or as having seen it, each role said in plain words with none
chosen; where carers are decided each child's role stands by their name and the page warns
about telling the alleged child's carers (still the DSL's decision: nothing is chosen). A link
made as "involved" before stays so until a DSL changes its role, with why.
"""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from classroom.accounts.models import Role
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.worries import services as worries
from classroom.worries import transfer
from classroom.worries.models import (
    Category,
    Incident,
    IncidentEntry,
    IncidentPupil,
    ParentContact,
    PupilRole,
    Risk,
)
from tests.conftest import Clock, client_for
from tests.factories import link_parent, make_account, make_pupil
from tests.parents_helpers import Family, incident_about, make_family
from tests.worries.test_parent_contact_per_family import amira_and_ben

ALLEGED_WARNING = "Ben Taylor is alleged to have caused harm on this record. It is not proven."


def _page(client: FlaskClient, incident: Incident) -> str:
    response = client.get(f"/safeguarding/{incident.id}")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def _text(fragment: str) -> str:
    return " ".join(re.sub(r"<[^>]+>", " ", fragment).split())


def _part(page: str, start: str, end: str = "</form>") -> str:
    at = page.index(start)
    return page[at : page.index(end, at)]


def _said(page: str, element_id: str) -> str:
    """The words of the paragraph with that id."""
    at = page.index(">", page.index(f'id="{element_id}"')) + 1
    return _text(page[at : page.index("</p>", at)])


def _options(select_html: str) -> list[tuple[str, str, bool]]:
    """Each option of a select: its value, its words and whether it is chosen."""
    found = re.findall(r"<option([^>]*)>([^<]*)</option>", select_html)
    return [
        (re.search(r'value="([^"]*)"', attrs).group(1), words, "selected" in attrs)  # type: ignore[union-attr]
        for attrs, words in found
    ]


def _select(page: str, name: str) -> str:
    return _part(page, f'name="{name}"', "</select>")


def _with_chloe(session: Session, family: Family) -> Incident:
    """Amira's worry (she is affected), Ben linked as alleged and Chloe as having seen it."""
    chloe = make_pupil(session, family.willow, first_name="Chloe", last_name="Moss")
    link_parent(session, make_account(session, Role.PARENT, display_name="Mr Dan Moss"), chloe)
    incident = incident_about(session, family, None)
    worries.triage(
        session, family.dsl, incident,
        worries.Triage(Category.CYBERBULLYING, Risk.MEDIUM, "Unkind messages", False, None),
        now=utcnow(),
    )  # fmt: skip
    for pupil, role in ((family.other, PupilRole.ALLEGED), (chloe, PupilRole.WITNESS)):
        worries.link_pupil(session, family.dsl, incident, pupil.id, role, now=utcnow(),
                           reason="In the group chat")  # fmt: skip
    session.commit()
    session.refresh(incident)
    return incident


def test_a_dsl_links_one_pupil_as_alleged_and_another_as_having_seen_it(
    app: Flask, session: Session, clock: Clock
) -> None:
    family = make_family(session, clock)
    chloe = make_pupil(session, family.willow, first_name="Chloe", last_name="Moss")
    incident = incident_about(session, family, None)
    dsl = client_for(app, family.dsl)

    for pupil, role in ((family.other, "alleged"), (chloe, "witness")):
        response = dsl.post(
            f"/safeguarding/{incident.id}/pupils",
            data={"link-pupil_id": str(pupil.id), "link-role": role,
                  "link-reason": "Named by Amira"},
        )  # fmt: skip
        assert response.status_code == 302, response.text

    page = _page(dsl, incident)
    pupils = _text(_part(page, "<h3>Pupils</h3>", "</ul>"))
    assert "Amira Khan (Oak) \u2013 affected" in pupils
    assert "Ben Taylor (Oak) \u2013 alleged to have caused harm" in pupils
    assert "Chloe Moss (Willow) \u2013 saw it" in pupils
    entries = session.scalars(
        select(IncidentEntry.text).where(IncidentEntry.incident_id == incident.id)
    ).all()
    assert "Ben Taylor linked: alleged to have caused harm" in entries
    assert "Chloe Moss linked: saw it" in entries
    audit = session.scalars(
        select(AuditEvent.summary).where(AuditEvent.action == "incident.pupil_linked")
    ).all()
    assert sorted(audit) == sorted(
        [f"pupil #{family.other.id}: alleged to have caused harm", f"pupil #{chloe.id}: saw it"]
    )
    session.expire_all()  # read back as stored
    roles = dict(session.execute(
        select(IncidentPupil.pupil_id, IncidentPupil.role)
        .where(IncidentPupil.incident_id == incident.id)
    ).all())  # fmt: skip
    assert roles[family.other.id] is PupilRole.ALLEGED
    assert roles[chloe.id] is PupilRole.WITNESS


def test_choosing_a_role_starts_on_nothing_and_each_role_says_what_it_means(
    app: Flask, session: Session, clock: Clock
) -> None:
    family = make_family(session, clock)
    incident = amira_and_ben(session, family)  # Ben linked as "involved"
    page = _page(client_for(app, family.dsl), incident)

    for name in ("link-role", "role-role"):  # linking a pupil, changing a linked pupil's role
        options = _options(_select(page, name))
        assert options[0][:2] == ("", "Choose\u2026")
        assert not any(chosen for _value, _words, chosen in options)
        words = {value: said for value, said, _chosen in options}
        assert words["alleged"] == (
            "Alleged to have caused harm: said to have harmed another child (not proven)"
        )
        assert words["witness"] == "Saw it: a witness, not harmed and not said to have caused it"
        assert words["affected"] == "Affected: the child harmed, or the child the worry is about"
        assert words["involved"] == "Involved in another way: none of the above"


def test_where_carers_are_decided_each_child_has_their_role_and_the_alleged_childs_are_warned_of(
    app: Flask, session: Session, clock: Clock
) -> None:
    family = make_family(session, clock)
    incident = _with_chloe(session, family)
    dsl = client_for(app, family.dsl)
    page = _page(dsl, incident)

    parent = _part(page, 'id="parent"')
    whose = _text(_part(parent, 'id="parent-whose"', "</fieldset>"))
    assert "Only Amira Khan's carers (affected)" in whose
    assert "Only Ben Taylor's carers (alleged to have caused harm)" in whose
    assert "Only Chloe Moss's carers (saw it)" in whose
    assert (  # every family includes the alleged child's: said there too
        "Every family on this record (Amira Khan, affected; Ben Taylor, alleged to have caused "
        "harm; Chloe Moss, saw it)" in whose
    )
    assert ALLEGED_WARNING in _said(parent, "parent-alleged")
    assert not re.search(r"<input[^>]* checked", parent)  # who is told: the DSL chooses
    assert not any(chosen for *_rest, chosen in _options(_select(parent, "parent-decision")))
    # Closing: whose carers stay held back, each with their role, and the same warning.
    close = _part(page, 'id="close"')
    assert _said(close, "carers-roles") == (
        "On this record: Amira Khan (affected), Ben Taylor (alleged to have caused harm), "
        "Chloe Moss (saw it)."
    )
    assert ALLEGED_WARNING in _said(close, "carers-alleged")
    assert 'name="close-carers" id="carers-keep" value="keep" checked' not in close

    # Closed, holding every family back: letting them be told again says who, and warns.
    worries.close(
        session, family.dsl, incident, "Spoke to all three", "Filters missed the chat",
        keep_carers_held=True, carers_reason="Not yet", now=utcnow(),
    )  # fmt: skip
    session.commit()
    closed = _page(dsl, incident)
    release = _part(closed, f'action="/safeguarding/{incident.id}/carers-released"')
    held = "Amira Khan (affected), Ben Taylor (alleged to have caused harm), Chloe Moss (saw it)"
    assert f"Held back: the carers of {held}." in _text(release)
    assert ALLEGED_WARNING in _said(release, "release-alleged")
    reopen = _part(closed, 'id="reopen"')
    assert ALLEGED_WARNING in _said(reopen, "reopen-alleged")
    assert "Only Ben Taylor's carers (alleged to have caused harm)" in _text(reopen)


def _notice_page(app: Flask, session: Session, family: Family, incident: Incident) -> str:
    """The DSL decides to inform every family, then opens the notice page."""
    worries.decide_parent_contact(
        session, family.dsl, incident, ParentContact.INFORM_NOW, "Tell every family", None,
        now=utcnow(), checked=True,
    )  # fmt: skip
    session.commit()
    response = client_for(app, family.dsl).get(f"/parents/incidents/{incident.id}/notice")
    assert response.status_code == 200
    return html.unescape(response.get_data(as_text=True))


def test_the_notice_page_warns_before_telling_the_alleged_childs_carers(
    app: Flask, session: Session, clock: Clock
) -> None:
    family = make_family(session, clock)
    incident = _with_chloe(session, family)
    page = _notice_page(app, session, family, incident)
    assert ALLEGED_WARNING in _said(page, "notice-alleged")


def test_an_involved_link_keeps_its_role_until_a_dsl_changes_it_with_why(
    app: Flask, session: Session, clock: Clock
) -> None:
    family = make_family(session, clock)
    incident = amira_and_ben(session, family)  # linked as "involved" before the new roles
    dsl = client_for(app, family.dsl)
    page = _page(dsl, incident)
    assert "Ben Taylor (Oak) \u2013 involved" in _text(page)
    assert "alleged to have caused harm on this record" not in page  # nothing is guessed
    assert "Only Ben Taylor's carers (involved)" in page
    pupils = {value: said for value, said, _chosen in _options(_select(page, "role-pupil_id"))}
    assert pupils[str(family.other.id)] == "Ben Taylor (now: involved)"

    url = f"/safeguarding/{incident.id}/pupils/role"
    form = {"role-pupil_id": str(family.other.id), "role-role": "alleged"}
    refused = dsl.post(url, data=form)
    assert refused.status_code == 400
    assert "Say why their role changes." in refused.text
    same = dsl.post(url, data=form | {"role-role": "involved", "role-reason": "Checked"})
    assert same.status_code == 400
    assert "Ben Taylor is already linked as involved." in same.text
    session.expire_all()
    assert session.scalar(
        select(IncidentPupil.role).where(IncidentPupil.pupil_id == family.other.id)
    ) is PupilRole.INVOLVED

    done = dsl.post(url, data=form | {"role-reason": "Amira's screenshots show Ben sent them"})
    assert done.status_code == 302
    assert done.headers["Location"].endswith("#role")
    session.expire_all()
    assert session.scalar(
        select(IncidentPupil.role).where(IncidentPupil.pupil_id == family.other.id)
    ) is PupilRole.ALLEGED
    entry = session.scalars(
        select(IncidentEntry).where(IncidentEntry.kind == "pupil_role_changed")
    ).one()
    assert entry.text == "Ben Taylor's role changed from involved to alleged to have caused harm"
    assert entry.reason == "Amira's screenshots show Ben sent them"
    assert session.scalar(
        select(AuditEvent.summary).where(AuditEvent.action == "incident.pupil_role_changed")
    ) == f"pupil #{family.other.id}: involved to alleged to have caused harm"
    page = _page(dsl, incident)
    assert "Ben Taylor (Oak) \u2013 alleged to have caused harm" in _text(page)
    assert ALLEGED_WARNING in _said(page, "parent-alleged")


def test_the_pupil_who_raised_a_worry_on_an_ipad_stays_its_reporter(
    app: Flask, session: Session, clock: Clock
) -> None:
    family = make_family(session, clock)
    incident = incident_about(session, family, None)
    incident_id = incident.id
    session.execute(
        text("UPDATE incidents SET source = 'pupil' WHERE id = :id"), {"id": incident_id}
    )
    session.execute(
        text("UPDATE incident_pupils SET role = 'reported_by' WHERE incident_id = :id"),
        {"id": incident_id},
    )
    session.commit()
    session.expire_all()
    incident = session.get_one(Incident, incident_id)
    dsl = client_for(app, family.dsl)
    page = _page(dsl, incident)
    assert 'name="role-pupil_id"' not in page  # only Amira linked, and she raised it
    refused = dsl.post(
        f"/safeguarding/{incident_id}/pupils/role",
        data={"role-pupil_id": str(family.child.id), "role-role": "affected",
              "role-reason": "She was the one harmed"},
    )  # fmt: skip
    assert refused.status_code == 400
    session.expire_all()
    assert session.get_one(Incident, incident_id).reporter == family.child



def test_each_familys_decision_in_force_says_the_childs_role(
    app: Flask, session: Session, clock: Clock
) -> None:
    """Families under different decisions are listed one by one: each with their child's role,
    as the choices below them are."""
    family = make_family(session, clock)
    incident = _with_chloe(session, family)
    worries.decide_parent_contact(
        session, family.dsl, incident, ParentContact.DO_NOT_CONTACT, "Police asked us to wait",
        None, now=utcnow(), pupil_id=family.other.id,
    )  # fmt: skip
    session.commit()
    listed = _text(_part(_page(client_for(app, family.dsl), incident), 'id="contact-by-family"',
                         "</ul>"))  # fmt: skip
    assert "Amira Khan's carers (affected): no decision recorded yet." in listed
    assert "Ben Taylor's carers (alleged to have caused harm): Do not contact" in listed
    assert "Chloe Moss's carers (saw it): no decision recorded yet." in listed


def test_each_notice_names_the_childs_role_and_says_nothing_of_feelings_not_recorded(
    app: Flask, session: Session, clock: Clock
) -> None:
    """A worry about a child's wellbeing: the starting text for Amira's carers says she felt
    worried or sad; for the carers of Ben (alleged) and Chloe (saw it) it said the same of
    their child, which the record does not say. Their notices now start without it."""
    family = make_family(session, clock)
    incident = _with_chloe(session, family)
    incident.category = Category.WELLBEING
    page = _notice_page(app, session, family, incident)
    headings = [_text(h) for h in re.findall(r'<h2 id="notice-\d+-h">(.*?)</h2>', page, re.S)]
    assert headings == [
        "Amira Khan's carers (affected)",
        "Ben Taylor's carers (alleged to have caused harm)",
        "Chloe Moss's carers (saw it)",
    ]
    texts = re.findall(r"<textarea[^>]*>(.*?)</textarea>", page, re.S)
    assert len(texts) == 3
    amiras, bens, chloes = (" ".join(t.split()) for t in texts)
    assert "Amira felt worried or sad about something online." in amiras
    for notice, name in ((bens, "Ben"), (chloes, "Chloe")):
        assert "felt worried or sad" not in notice
        assert f"an online-safety matter at school that involved {name}." in notice
        assert "Please phone the school office" in notice


def test_the_child_protection_file_gives_the_childs_role_in_words(
    app: Flask, session: Session, clock: Clock
) -> None:
    """The receiving school's DSL reads the role in words, as the marks' types are."""
    family = make_family(session, clock)
    incident = _with_chloe(session, family)
    plain, _n, _files = transfer.build_record(
        session, family.dsl, family.other, utcnow(), Path(app.instance_path)
    )
    (entry,) = json.loads(json.loads(plain)["record"])["incidents"]
    assert entry["reference"] == incident.reference
    assert (entry["pupil_role"], entry["pupil_role_words"]) == (
        "alleged",
        "Alleged to have caused harm: said to have harmed another child (not proven)",
    )
