"""The body map: marks placed by a tap or chosen from a list, stored as data, drawn as SVG."""

from __future__ import annotations

import html
import re
from html.parser import HTMLParser
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom import policy
from classroom.accounts.models import Role
from classroom.audit.models import AuditEvent
from classroom.db import utcnow
from classroom.errors import Invalid
from classroom.worries import body_map, evidence
from classroom.worries.evidence_models import BodyMark, MarkType, Side
from classroom.worries.models import Incident, IncidentEntry, Status
from tests import corpora
from tests.conftest import sign_in
from tests.factories import make_account, make_class, make_pupil
from tests.factories import make_school as make_other_school
from tests.worries.test_evidence import new_incident
from tests.worry_helpers import School, make_school


@pytest.fixture
def school(session: Session) -> School:
    return make_school(session)


@pytest.fixture
def incident(session: Session, school: School) -> Incident:
    return new_incident(session, school)


def mark_input(**given: object) -> body_map.MarkInput:
    values: dict[str, object] = {
        "region": None,
        "side": None,
        "x": None,
        "y": None,
        "mark_type": "bruise",
        "size": "3 cm by 2 cm",
        "note": "",
    }
    values.update(given)
    return body_map.MarkInput(**values)  # type: ignore[arg-type]


def test_every_region_lies_on_the_outline_and_left_and_right_mirror() -> None:
    assert all(0 < r.x < 1 and 0 < r.y < 1 for r in body_map.REGIONS)
    front = body_map.REGION_BY_CODE["front:left_upper_arm"]
    back = body_map.REGION_BY_CODE["back:left_upper_arm"]
    # Facing you, the child's left arm is on your right; from behind, on your left.
    assert front.x > 0.5
    assert back.x < 0.5
    assert front.y == back.y


def test_a_tap_is_stored_where_it_fell_with_the_region_in_words(
    session: Session, school: School, incident: Incident
) -> None:
    mark = body_map.add_mark(
        session, school.dsl, incident, mark_input(side="front", x=0.74, y=0.31), utcnow()
    )
    assert (mark.side, mark.x, mark.y) == (Side.FRONT, 0.74, 0.31)
    assert mark.region == "front:left_upper_arm"
    entry = session.scalar(select(IncidentEntry).where(IncidentEntry.kind == "body_map"))
    assert entry is not None
    assert entry.text == "Body map: Bruise, 3 cm by 2 cm, Front: left upper arm."
    assert session.scalar(select(AuditEvent).where(AuditEvent.action == "body_map.mark_added"))


def test_a_region_chosen_from_the_list_places_the_mark_at_its_centre(
    session: Session, school: School, incident: Incident
) -> None:
    mark = body_map.add_mark(
        session,
        school.dsl,
        incident,
        mark_input(region="back:lower_back", mark_type="burn", note="round, like a cigarette"),
        utcnow(),
    )
    centre = body_map.REGION_BY_CODE["back:lower_back"]
    assert (mark.side, mark.x, mark.y) == (Side.BACK, round(centre.x, 4), round(centre.y, 4))
    assert mark.mark_type == MarkType.BURN
    assert mark.note == "round, like a cigarette"


@pytest.mark.parametrize(
    ("given", "message"),
    [
        ({}, "Tap the body map"),
        ({"region": "front:tail"}, "Tap the body map"),
        ({"side": "front", "x": 1.5, "y": 0.2}, "outside"),
        ({"side": "front", "x": float("nan"), "y": 0.2}, "outside"),
        ({"region": "front:neck", "mark_type": None}, "kind of mark"),
        ({"region": "front:neck", "mark_type": "tattoo"}, "kind of mark"),
        ({"region": "front:neck", "size": "  "}, "size"),
        ({"region": "front:neck", "size": "x" * 61}, "at most 60"),
    ],
)
def test_a_mark_needs_a_place_a_type_and_a_size(
    session: Session,
    school: School,
    incident: Incident,
    given: dict[str, object],
    message: str,
) -> None:
    with pytest.raises(Invalid, match=message):
        body_map.add_mark(session, school.dsl, incident, mark_input(**given), utcnow())


def test_a_closed_incidents_body_map_is_read_only(
    client: FlaskClient, session: Session, school: School, incident: Incident
) -> None:
    body_map.add_mark(session, school.dsl, incident, mark_input(region="front:chest"), utcnow())
    incident.status = Status.CLOSED
    session.commit()
    with pytest.raises(Invalid, match="closed"):
        body_map.add_mark(session, school.dsl, incident, mark_input(region="front:neck"), utcnow())
    sign_in(client, school.dsl.username)
    page = client.get(f"/safeguarding/{incident.id}/evidence").get_data(as_text=True)
    assert "read-only" in page
    assert 'id="mark-form"' not in page
    assert "Attach file" not in page
    response = client.post(
        f"/safeguarding/{incident.id}/evidence/marks",
        data={"region": "front:neck", "mark_type": "cut", "size": "1 cm"},
    )
    assert response.status_code == 400
    assert len(session.scalars(select(BodyMark)).all()) == 1


@pytest.mark.usefixtures("session")
def test_a_mark_posted_from_the_page_shows_on_the_incident_as_svg(
    client: FlaskClient, school: School, incident: Incident
) -> None:
    sign_in(client, school.dsl.username)
    form = client.get(f"/safeguarding/{incident.id}/evidence").get_data(as_text=True)
    assert "<svg" in form
    assert " selected" not in form.split('id="region"')[1].split("</select>")[0]
    response = client.post(
        f"/safeguarding/{incident.id}/evidence/marks",
        data={"side": "back", "x": "0.5", "y": "0.29", "mark_type": "mark", "size": "5 cm"},
    )
    assert response.status_code == 302
    page = client.get(f"/safeguarding/{incident.id}").get_data(as_text=True)
    assert "1 mark on the body map" in page
    assert 'cx="100.0" cy="116.0"' in page  # 0.5 x 200, 0.29 x 400 on the back outline
    assert "Back of the body: 1 mark (1)" in page
    listing = client.get(f"/safeguarding/{incident.id}/evidence").get_data(as_text=True)
    assert "Back: upper back" in listing


@pytest.mark.usefixtures("session")
def test_a_mark_sent_twice_is_added_once(
    client: FlaskClient, school: School, incident: Incident
) -> None:
    sign_in(client, school.dsl.username)
    form = client.get(f"/safeguarding/{incident.id}/evidence").get_data(as_text=True)
    marks = form.split('id="mark-form"')[1]
    key = re.search(r'name="once" type="hidden" value="([0-9a-f]+)"', marks)
    assert key is not None
    data = {"once": key.group(1), "region": "front:neck", "mark_type": "cut", "size": "1 cm"}
    url = f"/safeguarding/{incident.id}/evidence/marks"
    assert "marked=1" in client.post(url, data=data).location
    assert "twice=1" in client.post(url, data=data).location
    page = client.get(f"/safeguarding/{incident.id}").get_data(as_text=True)
    assert "1 mark on the body map" in page


def test_an_unreadable_point_is_a_400_not_a_500(
    client: FlaskClient, session: Session, school: School, incident: Incident
) -> None:
    sign_in(client, school.dsl.username)
    response = client.post(
        f"/safeguarding/{incident.id}/evidence/marks",
        data={"side": "front", "x": "left", "y": "0.2", "mark_type": "cut", "size": "1 cm"},
    )
    assert response.status_code == 400
    assert session.scalar(select(BodyMark)) is None


def test_only_the_incidents_team_sees_or_adds_marks(
    client: FlaskClient, session: Session, school: School, incident: Incident
) -> None:
    body_map.add_mark(session, school.dsl, incident, mark_input(region="front:chest"), utcnow())
    other = make_other_school(session, name="Other")
    make_pupil(session, make_class(session, school=other))
    other_dsl = make_account(session, Role.DSL, school=other)
    session.commit()
    data = {"region": "front:neck", "mark_type": "cut", "size": "1 cm"}
    sign_in(client, school.teacher.username)
    assert client.get(f"/safeguarding/{incident.id}/evidence").status_code == 403
    assert client.post(f"/safeguarding/{incident.id}/evidence/marks", data=data).status_code == 403
    client.post("/sign-out")
    sign_in(client, other_dsl.username)
    assert client.get(f"/safeguarding/{incident.id}/evidence").status_code == 404
    assert client.post(f"/safeguarding/{incident.id}/evidence/marks", data=data).status_code == 404
    assert len(session.scalars(select(BodyMark)).all()) == 1


class _Tags(HTMLParser):
    """Every start tag and attribute on a page, to spot anything a payload smuggled in."""

    def __init__(self) -> None:
        super().__init__()
        self.scripts: list[str] = []
        self.handlers: list[str] = []
        self.urls: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag == "script":
            self.scripts.append(found.get("src") or "inline")
        self.handlers += [name for name in found if name.startswith("on")]
        self.urls += [
            value
            for value in found.values()
            if value and value.strip().lower().startswith(("javascript:", "data:", "vbscript:"))
        ]


def test_every_xss_payload_in_a_note_or_size_is_shown_as_text(
    client: FlaskClient, session: Session, school: School, incident: Incident
) -> None:
    payloads = corpora.lines("xss.txt")
    for n, payload in enumerate(payloads):
        given = mark_input(region="front:chest", size=payload[:60] or "x", note=payload)
        body_map.add_mark(session, school.dsl, incident, given, utcnow())
        if n % 100 == 0:
            session.flush()
    session.commit()
    sign_in(client, school.dsl.username)
    for path in (f"/safeguarding/{incident.id}/evidence", f"/safeguarding/{incident.id}"):
        page = client.get(path).get_data(as_text=True)
        tags = _Tags()
        tags.feed(page)
        assert all(src.startswith("/static/") for src in tags.scripts), tags.scripts
        assert tags.handlers == []
        assert tags.urls == []
    shown = html.unescape(client.get(f"/safeguarding/{incident.id}/evidence").get_data(True))
    assert all(payload.strip() in shown for payload in payloads if payload.strip())


@pytest.mark.parametrize("role", list(Role))
def test_each_evidence_scope_agrees_with_its_check(
    app: Flask, session: Session, school: School, incident: Incident, role: Role
) -> None:
    mark = body_map.add_mark(
        session, school.dsl, incident, mark_input(region="front:chest"), utcnow()
    )
    upload = evidence.Upload("a.pdf", b"%PDF-1.4", "Letter")
    attached = evidence.add_attachment(
        session, school.dsl, incident, upload, Path(app.instance_path), utcnow()
    )
    person = make_account(session, role, classes=[school.oak])
    in_scope = session.scalar(policy.visible_body_marks(person).where(BodyMark.id == mark.id))
    assert (in_scope is not None) == policy.can_view_body_mark(session, person, mark)
    assert (in_scope is not None) == (role in policy.SAFEGUARDING_ROLES)
    assert policy.can_view_attachment(session, person, attached) == (
        role in policy.SAFEGUARDING_ROLES
    )


def _circles(page: str, side: str) -> list[tuple[float, float, str]]:
    """The numbered circles drawn on one side's outline: centre and number."""
    svg = page[page.index(f'data-side="{side}"') :]
    svg = svg[: svg.index("</svg>")]
    found = re.findall(
        r'<circle cx="([\d.]+)" cy="([\d.]+)" r="12"[^>]*/>\s*<text[^>]*>(\d+)</text>', svg
    )
    return [(float(x), float(y), n) for x, y, n in found]


def test_two_marks_chosen_for_one_place_are_both_drawn_and_joined_to_it(
    client: FlaskClient, school: School, incident: Incident
) -> None:
    """Two bruises on the left upper arm, chosen from the list: both went to the region's
    centre and the second was drawn over the first, so the drawing showed one mark where two
    were recorded. The second's circle is now beside the first, with a line to the spot."""
    sign_in(client, school.dsl.username)
    url = f"/safeguarding/{incident.id}/evidence/marks"
    for size in ("3 cm", "1 cm"):
        data = {"region": "front:left_upper_arm", "mark_type": "bruise", "size": size}
        assert client.post(url, data=data).status_code == 302
    region = body_map.REGION_BY_CODE["front:left_upper_arm"]
    spot = (round(region.x * 200, 1), round(region.y * 400, 1))
    for address in (f"/safeguarding/{incident.id}", f"/safeguarding/{incident.id}/evidence"):
        page = client.get(address).get_data(as_text=True)
        (first, second) = _circles(page, "front")
        assert (first[:2], first[2]) == (spot, "1")  # the first stays on its spot
        assert second[2] == "2"
        apart = ((first[0] - second[0]) ** 2 + (first[1] - second[1]) ** 2) ** 0.5
        assert apart >= 24  # the circles (24 across) do not cover each other
        line = f'<line x1="{spot[0]:.1f}" y1="{spot[1]:.1f}" x2="{second[0]:.1f}"'
        assert line in page  # ... and the second points to where it was recorded
        assert "Front of the body: 2 marks (1, 2)" in page


def test_a_mark_alone_is_drawn_on_its_spot_even_at_the_edge() -> None:
    """Only a spot another circle has already taken moves a circle: a tap at the outline's
    very edge, with nothing near it, is drawn where it was tapped, with no line."""
    edge = BodyMark(side=Side.FRONT, x=0.02, y=0.5, region="front:left_hand")
    other = BodyMark(side=Side.FRONT, x=0.5, y=0.5, region="front:chest")
    drawn = body_map.drawn([(1, edge), (2, other)])
    assert [(d.badge_x, d.badge_y, d.moved) for d in drawn] == [
        (4.0, 200.0, False),
        (100.0, 200.0, False),
    ]
