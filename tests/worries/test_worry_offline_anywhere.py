"""Report a worry tapped with no network on any pupil screen (classroom/worries/offline.py): what
each pupil screen carries to keep a worry on the iPad, and how such a worry reaches the team.
The browser side: tests/browser/test_worry_offline_anywhere.py."""

from __future__ import annotations

import html
import json
import re
from pathlib import Path

from flask import Flask
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.devices.web import cookie_name
from classroom.worries import envelope, offline
from classroom.worries import views as worry_views
from classroom.worries.models import Incident
from tests.factories import make_pupil
from tests.worry_helpers import make_school, pupil_on_ipad, sealed


def _panel(page: str) -> dict[str, str]:
    found = re.search(r'<div class="finish-confirm worry-offline" id="worry-offline"[^>]*>', page)
    assert found is not None
    return {k: html.unescape(v) for k, v in re.findall(r'data-([a-z-]+)="([^"]*)"', found[0])}


def test_every_pupil_screen_holds_what_keeps_a_worry_for_this_pupil_only(
    app: Flask, session: Session
) -> None:
    """The chrome is rendered once per worker: the pupil, token and screen are this request's."""
    school = make_school(session)
    ben = make_pupil(session, school.oak, first_name="Ben")
    session.commit()
    ipad = pupil_on_ipad(app, school)
    for path in ("/pupil/", "/pupil/rules"):
        panel = _panel(ipad.get(path).data.decode())
        assert panel["pupil"] == str(school.pupil.id)
        assert panel["from"] == path
        assert json.loads(panel["public-key"]) == json.loads(
            envelope.public_jwk(Path(app.instance_path) / "worry_key.pem")
        )
        with app.test_request_context():
            signed = worry_views._signer().loads(panel["reporter"])
        assert (signed["p"], signed["d"]) == (school.pupil.id, school.device.id)
    ipad.post("/pupil/finished")
    assert ipad.post(f"/class-ipad/pupils/{ben.id}").status_code == 302
    assert _panel(ipad.get("/pupil/").data.decode())["pupil"] == str(ben.id)
    # Nobody signed in: no worry can be kept for anyone.
    tiles = app.test_client()
    tiles.set_cookie(cookie_name(), school.token)
    assert 'id="worry-offline"' not in tiles.get("/class-ipad").data.decode()


def test_a_worry_kept_offline_is_the_first_pupils_and_arrives_once(
    app: Flask, session: Session
) -> None:
    """Kept by Amira's screen, sent by the iPad with Ben signed in (twice: a retry)."""
    school = make_school(session)
    ben = make_pupil(session, school.oak, first_name="Ben")
    session.commit()
    _key, env = sealed(app, school.pupil, offline_from="/pupil/rules")
    ipad = pupil_on_ipad(app, school)
    ipad.post("/pupil/finished")
    ipad.post(f"/class-ipad/pupils/{ben.id}")
    first = ipad.post("/class-ipad/worries", json={"envelope": env})
    again = ipad.post("/class-ipad/worries", json={"envelope": env})
    assert (first.status_code, again.status_code) == (201, 200)
    incidents = list(session.scalars(select(Incident)))
    assert len(incidents) == 1
    assert [link.pupil_id for link in incidents[0].pupils] == [school.pupil.id]
    # Ben's thank-you never names Amira's adult: the worry was not his visit's.
    assert ipad.get(f"/pupil/worry/thanks?key={_key}").status_code == 302


def test_the_team_reads_where_it_was_tapped_and_that_the_steps_were_skipped(
    session: Session,
) -> None:
    school = make_school(session)
    notes = offline.offline_notes(school.pupil, {"offline_from": "/pupil/rules"})
    assert notes == [
        'Amira pressed Report a worry on Our rules while the iPad had no internet, then "I have '
        'a worry": the iPad kept it and sent it when the network was back. Amira could not '
        "choose or say more on the iPad. Speak to Amira."
    ]
    assert offline.offline_notes(school.pupil, {"what": "sad"}) == []  # the flow's own worry
    assert offline.screen_name("/pupil/") == "Home"
    assert offline.screen_name("/pupil/lessons/feelings-online") == "a lesson's first screen"
    assert offline.screen_name("/pupil/lessons/attempts/3/steps/2") == "a lesson screen"
    assert offline.screen_name("/pupil/elsewhere") == "a pupil screen"
