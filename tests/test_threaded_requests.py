"""Many requests at once in one process, as gunicorn's threaded workers (`--threads N`, which the
README allows) and the development server serve them.

Three pupils on their class iPads, a teacher and the DSL use the app at the same moment while
worries arrive, one of them double-tapped so that two threads send it at once. What one process
keeps for all its requests (the connection pool, the rendered symbol fragments and pupil chrome,
the compiled statements, the loaded lesson catalogue) is shared by the threads, and what belongs
to one request (its database session, whom it signed in, whether it writes) must stay its own:
every page answers, each pupil sees their own home and no one else's, and every worry is kept
exactly once, under the pupil who sent it.
"""

from __future__ import annotations

import re
import threading
from collections.abc import Callable
from dataclasses import dataclass, field

from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from classroom.devices.web import cookie_name
from classroom.pupils.models import Pupil
from classroom.worries.models import Incident, IncidentPupil
from tests.conftest import client_for
from tests.factories import make_pupil
from tests.worry_helpers import make_school, sealed

ROUNDS = 12
TITLE = re.compile(r"<title>([^<]*)</title>")


@dataclass
class Seen:
    """What the threads saw that they should not have, and the worries the server confirmed."""

    problems: list[str] = field(default_factory=list)
    confirmed: list[str] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def problem(self, text: str) -> None:
        with self.lock:
            self.problems.append(text)


def _on_ipad(app: Flask, token: str, pupil: Pupil) -> FlaskClient:
    ipad = app.test_client()
    ipad.set_cookie(cookie_name(), token)
    assert ipad.post(f"/class-ipad/pupils/{pupil.id}").status_code == 302
    return ipad


def _get(client: FlaskClient, path: str, seen: Seen, who: str) -> str:
    response = client.get(path)
    if response.status_code != 200:
        seen.problem(f"{who}: GET {path} answered {response.status_code}")
    return response.get_data(as_text=True)


def _pupil_uses_the_app(
    ipad: FlaskClient, name: str, envelopes: list[tuple[str, dict[str, str]]], seen: Seen
) -> Callable[[], None]:
    def work() -> None:
        for n in range(ROUNDS):
            home = _get(ipad, "/pupil/", seen, name)
            title = TITLE.search(home)
            if title is None or not title.group(1).startswith(f"Hello {name}"):
                seen.problem(f"{name} was shown {title and title.group(1)!r}")
            _get(ipad, "/pupil/worry", seen, name)
            if n < len(envelopes):
                key, envelope = envelopes[n]
                _send(ipad, key, envelope, seen)

    return work


def _send(ipad: FlaskClient, key: str, envelope: dict[str, str], seen: Seen) -> None:
    response = ipad.post("/class-ipad/worries", json={"envelope": envelope})
    if response.status_code not in (200, 201):
        seen.problem(f"worry {key} answered {response.status_code}: {response.get_data()[:200]!r}")
    else:
        with seen.lock:
            seen.confirmed.append(key)


def _staff_use_the_app(
    client: FlaskClient, paths: list[str], seen: Seen, who: str
) -> Callable[[], None]:
    def work() -> None:
        for _ in range(ROUNDS):
            for path in paths:
                _get(client, path, seen, who)

    return work


def _all_at_once(jobs: list[Callable[[], None]]) -> None:
    start = threading.Barrier(len(jobs))

    def run(job: Callable[[], None]) -> None:
        start.wait()
        job()

    threads = [threading.Thread(target=run, args=(job,)) for job in jobs]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(120)
    assert not any(thread.is_alive() for thread in threads), "a request never finished"


def test_requests_served_at_once_by_threads_mix_nothing_up(app: Flask, session: Session) -> None:
    school = make_school(session)
    ben = make_pupil(session, school.oak, first_name="Ben", last_name="Ode")
    cara = make_pupil(session, school.oak, first_name="Cara", last_name="Tam")
    session.commit()
    pupils = [school.pupil, ben, cara]
    names = {p.id: p.first_name for p in pupils}
    oak, amira, ben_id = school.oak.id, school.pupil.id, ben.id
    envelopes = {
        p.id: [sealed(app, p, what="sad", words=p.first_name) for _ in range(4)] for p in pupils
    }
    double_tap = sealed(app, ben, what="sad", words="tapped twice")
    ipads = {p.id: _on_ipad(app, school.token, p) for p in pupils}
    second_ipad = _on_ipad(app, school.token, ben)
    teacher, dsl = client_for(app, school.teacher), client_for(app, school.dsl)
    session.close()  # the test holds no transaction while the threads work

    seen = Seen()
    _all_at_once(
        [
            *(_pupil_uses_the_app(ipads[i], names[i], envelopes[i], seen) for i in names),
            lambda: _send(ipads[ben_id], *double_tap, seen),
            lambda: _send(second_ipad, *double_tap, seen),
            _staff_use_the_app(
                teacher,
                ["/pupils/", f"/pupils/{amira}/lessons", f"/assessment/classes/{oak}"],
                seen,
                "teacher",
            ),
            _staff_use_the_app(dsl, ["/safeguarding/"], seen, "DSL"),
        ]
    )

    assert seen.problems == []
    stored = session.execute(
        select(Incident.idempotency_key, IncidentPupil.pupil_id).join(Incident.pupils)
    ).all()
    sent = {key: i for i in names for key, _envelope in envelopes[i]}
    sent[double_tap[0]] = ben_id
    assert sorted(seen.confirmed) == sorted([*sent, double_tap[0]])  # both taps were answered
    assert sorted(stored) == sorted(sent.items())  # each worry once, under its own pupil
