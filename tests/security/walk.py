"""Walk every route in app.url_map as every kind of person, with real ids from the demo school.

The expected answer comes from the route's declared access rule (`policy.route_rule`,
`policy.route_allows`), so a new route is covered the day it is added. What the walk needs per
route is only a real value for each URL argument, looked up by argument name in SAMPLES (or
`endpoint:argument` for a name that means different things in different places); an argument
with no sample fails the walk, naming what to add.

The world: the demo school (two classes, every staff role, parent A of Amira in Oak, parent B of
Grace in Willow), plus a second school on the same instance (as a trust or local authority runs
one), whose safeguarding lead and head must never see a record of the first: 404, not 403.
"""

from __future__ import annotations

import io
import re
import secrets
import uuid
import wave
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from datetime import timedelta
from pathlib import Path
from typing import Any

from flask import Flask
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict
from werkzeug.routing import Rule
from werkzeug.test import TestResponse

from classroom import demo, policy
from classroom.accounts.models import Account, Role, School
from classroom.admin import services as admin_services
from classroom.assessment import services as assessment
from classroom.db import get_session, utcnow
from classroom.devices.models import Device
from classroom.devices.services import create_enrolment_link
from classroom.devices.web import cookie_name
from classroom.lessons import authoring, maps, player
from classroom.outbox.models import OutboxMessage
from classroom.outbox.services import enqueue_email
from classroom.parents.models import CarerInvite, FeedItem
from classroom.principals import Anonymous, PupilPrincipal
from classroom.pupils.models import ParentLink, Pupil, SchoolClass
from classroom.speech import services as speech
from classroom.symbols import people
from classroom.symbols.models import Place
from classroom.symbols.recordings import add_recording
from classroom.symbols.sheets import flag_picture
from classroom.worries import evidence, transfer
from classroom.worries import services as worries
from classroom.worries.models import Incident, StaffAlert
from tests import two_step
from tests.app_settings import base_url, invite_settings, school_today
from tests.authoring_helpers import lesson_form
from tests.factories import make_account, make_class, make_device, make_pupil
from tests.lesson_helpers import all_lessons
from tests.symbol_helpers import people_folder, recording_folder

BASE = "https://localhost"
PASSWORD = "walk-the-routes-password-0123"

# Who walks: (name, username or None). Names say what they are; see `foreign_to` below.
ACTORS: dict[str, str | None] = {
    "nobody": None,
    "class_ipad": None,  # a class iPad with nobody signed in
    "pupil_a": None,  # Amira, on Oak's class iPad
    "pupil_b": None,  # Ben, on the same iPad
    "admin": "admin",
    "head": "head",
    "dsl": "dsl",
    "deputy": "deputy",
    "senior": "senior",
    "teacher": "teacher",  # Oak
    "teacher2": "teacher2",  # Willow
    "ta": "ta",  # Oak
    "governor": "governor",
    "parent_a": "parent",  # Amira's parent
    "parent_b": "parent2",  # Grace's parent
    "other_dsl": "other-dsl",  # safeguarding lead of the second school
    "other_head": "other-head",
}

# The second school's staff, one of each staff role. other-dsl and other-head also walk every
# route above; all of them walk the list, search and export pages (test_route_walk.py).
OTHER_SCHOOL_STAFF: dict[str, Role] = {
    "other-dsl": Role.DSL,
    "other-head": Role.HEADTEACHER,
    "other-deputy": Role.DEPUTY_DSL,
    "other-senior": Role.SENIOR_LEADER,
    "other-governor": Role.GOVERNOR,
    "other-admin": Role.ADMIN,
    "other-teacher": Role.TEACHER,
    "other-ta": Role.TEACHING_ASSISTANT,
}

# Records that belong to someone: the first school, or Amira (child A) in particular. An actor
# foreign to a record's owner may be let through by the route's rule (their role fits) but must
# then be told the record does not exist: 404, never 200 and never 403.
FOREIGN: dict[str, frozenset[str]] = {
    "other_dsl": frozenset({"school", "amira"}),
    "other_head": frozenset({"school", "amira"}),
    "parent_b": frozenset({"amira"}),
    "pupil_b": frozenset({"amira"}),
    "teacher2": frozenset({"amira"}),  # teaches Willow; Amira is in Oak
}


@dataclass(frozen=True)
class Sample:
    value: object
    owner: str = "public"  # "public", "school" (the first school's) or "amira"


@dataclass
class World:
    app: Flask
    device_token: str
    samples: dict[str, Sample]
    pupil_ids: dict[str, int]


@dataclass
class Outcome:
    actor: str
    method: str
    path: str
    endpoint: str
    rule: str
    status: int
    location: str
    headers: dict[str, str]
    foreign: bool
    html: str = ""  # a page's text, when it is an HTML page

    def __str__(self) -> str:
        where = f" -> {self.location}" if self.location else ""
        return f"{self.actor:10} {self.method:4} {self.path} [{self.rule}] {self.status}{where}"


def build_world(app: Flask) -> World:
    """The demo school, a second school, and one of every record a URL can name."""
    with app.app_context():
        session = get_session()
        demo.seed(
            session,
            PASSWORD,
            now=utcnow(),
            instance=Path(app.instance_path),
            secret_key=invite_settings().secret_key,
        )
        two_step.enrol_required(session)  # the demo's DSL, head and admin type codes too
        samples, pupil_ids, token = _records(app, session)
        session.commit()
    return World(app, token, samples, pupil_ids)


def _one(session: Session, query: Any) -> Any:
    found = session.scalars(query).first()
    assert found is not None, f"the demo school has no {query}"
    return found


def _records(app: Flask, session: Session) -> tuple[dict[str, Sample], dict[str, int], str]:
    oak = _one(session, select(SchoolClass).where(SchoolClass.name == "Oak"))
    amira = _one(session, select(Pupil).where(Pupil.first_name == "Amira"))
    ben = _one(session, select(Pupil).where(Pupil.first_name == "Ben"))
    dsl = _one(session, select(Account).where(Account.username == "dsl"))
    teacher = _one(session, select(Account).where(Account.username == "teacher"))
    other = School(name="Second school of the trust", created_at=utcnow())
    session.add(other)
    session.flush()
    birch = make_class(session, school=other, name="Birch")
    make_pupil(session, birch, school_id=other.id, first_name="Zara")
    for username, role in OTHER_SCHOOL_STAFF.items():
        classes = [birch] if role in policy.CLASS_ROLES else []
        make_account(session, role, classes, school=other, username=username, password=PASSWORD)
    device, token = make_device(session, oak)
    incident = worries.raise_worry(
        session,
        amira,
        device,
        str(uuid.uuid4()),
        # Amira chose her teacher: the teacher's Alerts page has a pupil's wish to show.
        worries.WorryChoices(what="sad", talk_to_id=teacher.id),
        now=utcnow(),
        base_url=base_url(),
    )
    action = worries.add_action(
        session,
        dsl,
        incident,
        "Talk to Amira",
        dsl.id,
        utcnow().date() + timedelta(days=1),
        now=utcnow(),
        today=school_today(),
    )
    lessons = all_lessons(session)
    lesson_id = maps.pupil_map(session, amira, lessons, today=utcnow().date())[0].lesson.id
    attempt = player.start(session, amira, device, lesson_id, lessons, now=utcnow())
    mail = enqueue_email(
        session,
        "walk:failed",
        "x@example.invalid",
        "Subject",
        "Body",
        school_id=amira.school_id,
        now=utcnow(),
    )
    assert mail is not None
    session.flush()
    mail.attempts, mail.last_error = 1, "the mail server said no"
    photo = _one(
        session,
        select(FeedItem).where(FeedItem.pupil_id == amira.id, FeedItem.photo_file.is_not(None)),
    )
    link = _one(session, select(ParentLink).where(ParentLink.pupil_id == amira.id))
    invite = _one(session, select(CarerInvite))
    code = create_enrolment_link(session, None, oak, "Walk iPad", now=utcnow(), link_hours=24)
    clip = secrets.token_hex(32)
    for path in (speech.audio_path, speech.timings_path):
        file = path(speech.cache_dir(app.config, app.instance_path), clip)
        assert file is not None
        file.parent.mkdir(parents=True, exist_ok=True)
        file.write_bytes(b"{}")
    samples = {
        "pupil_id": Sample(amira.id, "amira"),
        "class_id": Sample(oak.id, "school"),
        "account_id": Sample(teacher.id, "school"),
        "incident_id": Sample(incident.id, "school"),
        "action_id": Sample(action.id, "school"),
        "alert_id": Sample(_dsl_alert(session, dsl, incident), "school"),
        "attempt_id": Sample(attempt.id, "amira"),
        "number": Sample(1),
        "lesson_id": Sample(lesson_id),
        "action": Sample("hide"),
        "item_id": Sample(photo.id, "amira"),
        "link_id": Sample(link.id, "amira"),
        "invite_id": Sample(invite.id, "school"),
        "message_id": Sample(mail.id, "school"),
        "device_id": Sample(device.id, "school"),
        "code": Sample(code),  # a one-time enrolment code is itself the credential
        "symbols.image:code": Sample("1F333"),
        "key": Sample(clip),
        "size": Sample("a4"),
        "pathway": Sample("semi-formal"),
        **_more_samples(session, amira, teacher),
        **_evidence_samples(app, session, dsl, incident, amira),
    }
    return samples, {"pupil_a": amira.id, "pupil_b": ben.id}, token


def _dsl_alert(session: Session, dsl: Account, incident: Any) -> int:
    """The DSL's in-app alert about the walk's worry (anyone else marking it gets 404)."""

    query = select(StaffAlert.id).where(
        StaffAlert.account_id == dsl.id, StaffAlert.incident_id == incident.id
    )
    return int(_one(session, query))


def _more_samples(session: Session, amira: Pupil, teacher: Account) -> dict[str, Sample]:
    """Records of the newer features (assessment, teacher-written lessons)."""

    lessons = all_lessons(session)
    lesson_id = maps.pupil_map(session, amira, lessons, today=utcnow().date())[0].lesson.id
    objective = assessment.pupil_objective(session, amira, lesson_id, lessons)[1].objective.id
    today = utcnow().date()
    observation = assessment.observe(
        session,
        teacher,
        amira,
        objective,
        assessment.Entry(level=1, observed_on=today),
        lessons,
        now=utcnow(),
        today=school_today(),
    )
    written = authoring.create(
        session,
        teacher,
        authoring.document_from_form(MultiDict(lesson_form())),
        "",
        now=utcnow(),
    )
    return {
        "change_id": Sample(_account_change(session, teacher).id, "school"),
        "observation_id": Sample(observation.id, "amira"),
        "objective_id": Sample(objective),
        "authoring.show:lesson_id": Sample(written.id, "school"),
        "authoring.edit:lesson_id": Sample(written.id, "school"),
        "authoring.copy:lesson_id": Sample(written.id, "school"),
        "authoring.save_copy:lesson_id": Sample(written.id, "school"),
        "authoring.share:lesson_id": Sample(written.id, "school"),
        "authoring.delete:lesson_id": Sample(written.id, "school"),
        "authoring.withdraw:lesson_id": Sample(written.id, "school"),
        "authoring.preview:lesson_id": Sample(written.key, "school"),
        "person_id": Sample(_trusted_person(session, teacher, amira), "amira"),
        "flag_id": Sample(_flag(session, teacher), "school"),
        "recording_id": Sample(_recording(session, teacher, amira), "amira"),
    }


def _evidence_samples(
    app: Flask, session: Session, dsl: Account, incident: Any, amira: Pupil
) -> dict[str, Sample]:
    """Evidence on the first school's incident, and Amira's child-protection file sent and
    received back (issue 15: evidence and transfer)."""

    instance = Path(app.instance_path)
    upload = evidence.Upload("walk.gif", b"GIF89a\x01\x00\x01\x00\x00\x00\x00;", "Walk")
    found = evidence.add_attachment(session, dsl, incident, upload, instance, utcnow())
    phrase = "walk the routes passphrase"
    made = transfer.export_file(session, dsl, amira, phrase, utcnow(), instance, 10)
    received = transfer.import_file(session, dsl, amira, made.package, phrase, utcnow(), instance)
    session.flush()
    return {
        "attachment_id": Sample(found.id, "school"),
        "transfer_id": Sample(made.transfer.id, "amira"),
        "received_id": Sample(received.id, "amira"),
        "file_id": Sample(received.files[0].id, "amira"),
    }


def _recording(session: Session, teacher: Account, amira: Pupil) -> int:
    """Amira's teacher saying a phrase for her alone (a WAV of silence)."""

    audio = io.BytesIO()
    with wave.open(audio, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(8000)
        file.writeframes(b"\0\0" * 800)
    row = add_recording(
        session,
        teacher,
        "Well done",
        audio.getvalue(),
        100,
        consent=True,
        pupil=amira,
        target=recording_folder(),
        now=utcnow(),
    )
    return row.id


def _flag(session: Session, teacher: Account) -> int:
    """A picture a teacher flagged, for the admin's list."""

    return flag_picture(session, teacher, "stay", "1F9CD", "walk", now=utcnow()).id


def _trusted_person(session: Session, teacher: Account, amira: Pupil) -> int:
    """One of Amira's trusted adults at home ("my people"), with a photo."""

    photo = io.BytesIO()
    Image.new("RGB", (40, 40), "teal").save(photo, "PNG")
    row = people.add_person(
        session,
        teacher,
        amira,
        Place.HOME,
        name="Grandma",
        photo=photo.getvalue(),
        folder=people_folder(),
        now=utcnow(),
    )
    return row.id


def _account_change(session: Session, teacher: Account) -> Any:
    """A pending request to put a throwaway account on the safeguarding team (approvals page)."""

    admin = _one(session, select(Account).where(Account.role == Role.ADMIN))
    newcomer = make_account(session, Role.TEACHER, school_id=teacher.school_id)
    change = admin_services.change_role(
        session, admin, newcomer, Role.DEPUTY_DSL, now=utcnow(), base_url="https://school.example"
    )
    assert change is not None
    return change


# --- Visiting ------------------------------------------------------------------------------------

CSRF_META = re.compile(r'name="csrf-token" content="([^"]+)"')
CSRF_FIELD = re.compile(r'name="csrf_token" type="hidden" value="([^"]+)"')


@dataclass
class Visitor:
    """A browser: cookies, the CSRF token of its session, HTTPS as in production."""

    app: Flask
    name: str
    csrf: str = ""
    client: Any = field(init=False)

    def __post_init__(self) -> None:
        self.client = self.app.test_client()

    def request(self, method: str, path: str, **kwargs: Any) -> TestResponse:
        headers = {"Referer": f"{BASE}/", "X-CSRFToken": self.csrf, **kwargs.pop("headers", {})}
        response: TestResponse = self.client.open(
            path, method=method, base_url=BASE, headers=headers, **kwargs
        )
        response.get_data()  # read now: the body stays readable after closing
        response.close()  # send_file responses hold a file open until closed
        return response

    def refresh_csrf(self, path: str) -> None:
        page = self.request("GET", path).get_data(as_text=True)
        found = CSRF_META.search(page) or CSRF_FIELD.search(page)
        assert found, f"no CSRF token on {path} for {self.name}"
        self.csrf = found.group(1)


def visitor(world: World, actor: str) -> Visitor:
    """A browser signed in as the actor, the way that person signs in."""
    username = ACTORS[actor]
    if username is not None:
        return signed_in(world, actor, username)
    person = Visitor(world.app, actor)
    if actor == "nobody":
        person.refresh_csrf("/sign-in")
        return person
    with world.app.app_context():
        person.client.set_cookie(cookie_name(), world.device_token, domain="localhost")
    person.refresh_csrf("/class-ipad")
    if actor in world.pupil_ids:
        tapped = person.request("POST", f"/class-ipad/pupils/{world.pupil_ids[actor]}")
        assert tapped.headers.get("Location", "").endswith("/pupil/"), (actor, tapped.status)
        person.refresh_csrf("/pupil/")
    return person


def signed_in(world: World, name: str, username: str) -> Visitor:
    """A browser signed in with a username and the walk's password, typing the code if asked."""
    person = Visitor(world.app, name)
    person.refresh_csrf("/sign-in")
    response = person.request(
        "POST",
        "/sign-in",
        data={"username": username, "password": PASSWORD, "csrf_token": person.csrf},
    )
    if response.headers.get("Location", "").endswith(two_step.CODE_PAGE):
        with world.app.app_context():
            code = two_step.current_code(get_session(), username)
        person.refresh_csrf(two_step.CODE_PAGE)  # signing in starts a fresh session
        response = person.request(
            "POST", two_step.CODE_PAGE, data={"code": code, "csrf_token": person.csrf}
        )
    assert response.status_code == 302, (name, response.status_code)
    person.refresh_csrf("/about")
    return person


def routes(app: Flask) -> Iterator[tuple[Rule, str]]:
    """Every (rule, method) a person can request, HEAD and OPTIONS aside."""
    for rule in sorted(app.url_map.iter_rules(), key=lambda r: r.rule):
        if rule.endpoint == "static":
            continue
        for method in sorted((rule.methods or set()) - {"HEAD", "OPTIONS"}):
            yield rule, method


def missing_samples(world: World) -> list[str]:
    """Route arguments the walk has no real value for: each needs an entry in SAMPLES."""
    return sorted(
        f"{rule.endpoint}: <{argument}> in {rule.rule}"
        for rule, _method in routes(world.app)
        for argument in rule.arguments
        if _sample(world, rule.endpoint, argument) is None
    )


def _sample(world: World, endpoint: str, argument: str) -> Sample | None:
    return world.samples.get(f"{endpoint}:{argument}") or world.samples.get(argument)


def url_for_rule(world: World, rule: Rule) -> tuple[str, set[str]]:
    """A real URL for the rule, and the owners of the records it names."""
    values, owners = {}, set()
    for argument in rule.arguments:
        sample = _sample(world, rule.endpoint, argument)
        assert sample is not None, f"no sample for <{argument}> in {rule.rule}"
        values[argument] = sample.value
        owners.add(sample.owner)
    _server, path = rule.build(values, append_unknown=False) or ("", "")
    return path, owners


def principal_of(world: World, actor: str) -> Any:
    """The actor as `policy` sees it, to ask `route_allows` about them."""

    username = ACTORS[actor]
    if username is not None:
        return get_session().scalars(select(Account).where(Account.username == username)).one()
    if actor in world.pupil_ids:
        pupil = get_session().get(Pupil, world.pupil_ids[actor])
        return PupilPrincipal(pupil=pupil, device=None, session_id=0)  # type: ignore[arg-type]
    return Anonymous()


def walk(world: World, actor: str, posts: bool = True) -> list[Outcome]:
    """Request every route as the actor: every GET, and every POST the rule refuses them."""
    person = visitor(world, actor)
    outcomes = []
    with world.app.app_context():
        principal = principal_of(world, actor)
        plan = []
        for rule, method in routes(world.app):
            view = world.app.view_functions[rule.endpoint]
            access = policy.route_rule(view)
            allowed = access is not None and policy.route_allows(access, principal)
            plan.append((rule, method, access or "(none)", allowed))
        get_session().close()
    for rule, method, access, allowed in plan:
        # An allowed POST would change things; refusals happen before the view, or (nobody on
        # a class iPad's route, DEVICE_RULES) in the view, before it changes anything.
        refused = not allowed or (actor == "nobody" and access in DEVICE_RULES)
        if method == "POST" and (not refused or not posts):
            continue
        if method not in ("GET", "POST"):
            continue
        path, owners = url_for_rule(world, rule)
        response = person.request(method, path, data={"csrf_token": person.csrf})
        outcomes.append(
            Outcome(
                actor,
                method,
                path,
                rule.endpoint,
                access,
                response.status_code,
                response.headers.get("Location", ""),
                dict(response.headers),
                bool(owners & FOREIGN.get(actor, frozenset())),
                response.get_data(as_text=True) if response.mimetype == "text/html" else "",
            )
        )
    return outcomes


# --- Expectations --------------------------------------------------------------------------------


def refusal(rule: str, actor: str) -> tuple[int, str]:
    """How the app refuses an actor a route (see web._refuse): a status and where it leads."""
    if actor.startswith("pupil_"):
        return 302, "/pupil/"
    if ACTORS[actor] is None:
        return 302, "/class-ipad" if rule == "pupil" else "/sign-in?next="
    if rule == "class_ipad":
        return 302, "/"
    return 403, ""


def allowed_rule(world: World, outcome: Outcome) -> bool:
    with world.app.app_context():
        principal = principal_of(world, outcome.actor)
        allowed = outcome.rule != "(none)" and policy.route_allows(outcome.rule, principal)
        get_session().close()
    return allowed


# Rules that let in "nobody signed in"; the view then checks for an enrolled class iPad's cookie.
DEVICE_RULES = {"class_ipad", "class_ipad_any", "signed_in_or_class_ipad"}


def problems(world: World, outcomes: list[Outcome]) -> list[str]:
    """Every answer that does not match the route's declared rule (empty when all is well)."""
    found = []
    for outcome in outcomes:
        if outcome.rule == "(none)":
            found.append(f"{outcome}: the route declares no access rule")
        elif not allowed_rule(world, outcome):
            status, leads_to = refusal(outcome.rule, outcome.actor)
            location = outcome.location.removeprefix(BASE)
            if outcome.status != status or not location.startswith(leads_to):
                found.append(f"{outcome}: expected refusal {status} {leads_to}")
        elif outcome.rule in DEVICE_RULES and outcome.actor == "nobody":
            if outcome.status != 403:
                found.append(f"{outcome}: only an enrolled class iPad may use this (403)")
        elif outcome.status >= 500 or outcome.status in (401, 403):
            found.append(f"{outcome}: the rule lets them in, so no {outcome.status}")
        elif outcome.foreign and outcome.status != 404:
            found.append(f"{outcome}: another school's or family's record must be 404")
        elif outcome.status not in (200, 204, 206, 301, 302, 303, 404):
            found.append(f"{outcome}: unexpected status")
    return found


def header_problems(outcomes: list[Outcome], production: bool = True) -> list[str]:
    """Every answer carries the strict headers; only files without personal data are cached."""
    return [
        f"{o}: no {name}"
        for o in outcomes
        for name in missing_headers(o.endpoint, o.status, o.headers, production)
    ]


# Files that set their own caching: symbols and static files hold no personal data (public);
# speech clips are for signed-in people only (private). Anything else, errors included: no-store.
PUBLIC_FILES = {"static", "symbols.image"}
PRIVATE_FILES = {"speech.audio", "speech.timings"}
# The installed app's files (classroom/installed): public too; the service worker is checked
# for a new version on every visit.
PUBLIC_FILES |= {"installed.manifest", "installed.favicon", "installed.apple_touch_icon"}
REVALIDATED_FILES = {"installed.service_worker"}
ICONS = {"installed.favicon", "installed.apple_touch_icon"}  # pictures, not pages to read


def missing_headers(endpoint: str, status: int, headers: Any, production: bool) -> list[str]:
    """The names of the strict headers a response lacks."""
    csp = headers.get("Content-Security-Policy", "")
    cache = headers.get("Cache-Control", "")
    wanted = {
        "CSP default-src 'self'": "default-src 'self'" in csp,
        "CSP script-src 'self' without unsafe-inline": "script-src 'self'" in csp
        and "unsafe-inline" not in csp,
        "CSP frame-ancestors 'none'": "frame-ancestors 'none'" in csp,
        "CSP object-src 'none'": "object-src 'none'" in csp,
        "X-Content-Type-Options: nosniff": headers.get("X-Content-Type-Options") == "nosniff",
        "Referrer-Policy: no-referrer": headers.get("Referrer-Policy") == "no-referrer",
        "X-Frame-Options: DENY": headers.get("X-Frame-Options") == "DENY",
        "HSTS": not production
        or "max-age=63072000" in headers.get("Strict-Transport-Security", ""),
    }
    if status in (200, 206, 304) and endpoint in PUBLIC_FILES:
        wanted["a long max-age"] = "max-age=" in cache
    elif status in (200, 304) and endpoint in REVALIDATED_FILES:
        wanted["no-cache"] = cache == "no-cache"
    elif status in (200, 206, 304) and endpoint in PRIVATE_FILES:
        wanted["private caching only"] = "private" in cache and "public" not in cache
    else:
        wanted["Cache-Control: no-store"] = cache == "no-store"
    return [name for name, ok in wanted.items() if not ok]


# --- The second school's staff on every list, search and export page ------------------------

# Filters and searches that list pages take, so a narrowed list is walked too (the plain page is
# walked for every route without an argument, whatever this holds).
LIST_QUERIES: dict[str, list[str]] = {
    "admin.audit": ["?who=Khan", "?action=incident", "?object_type=pupil", "?page=2"],
    "admin.accounts_list": ["?role=parent", "?role=teacher", "?status=inactive"],
    "worries.queue": ["?after=1-99999", "?before=0-1"],
    "worries.queue_rows": ["?after=1-99999", "?before=0-1"],
    "assessment.school": ["?strand=privacy"],
    "review.index": ["?term=2026-09-01"],
    "symbols.text_tool": ["?text=Amira"],
}


# Answers that are only numbers name nobody, but count the first school's records if unscoped:
# the second school has no worries, so each must say none (when the role may see it at all).
EMPTY_COUNTS: dict[str, Callable[[TestResponse], bool]] = {
    # Every part of the polled state is a count or a sum over the school's open worries.
    "/safeguarding/queue/state": lambda r: set(r.get_json()["state"].split("-")) == {"0"},
    "/alerts/count": lambda r: r.get_json() == {"count": 0},
    "/safeguarding/review/": lambda r: "Worries and concerns</dt><dd>0</dd>" in r.text,
    "/safeguarding/review/termly": lambda r: "Worries and concerns</dt><dd>0</dd>" in r.text,
}


def list_pages(app: Flask) -> list[str]:
    """Every GET page whose URL names no record (lists, searches, exports, forms), with the
    filters above: derived from the url_map, so a new list page is walked the day it is added."""
    pages = []
    for rule, method in routes(app):
        if method == "GET" and not rule.arguments and rule.endpoint not in ICONS:
            pages.append(rule.rule)
            pages.extend(rule.rule + query for query in LIST_QUERIES.get(rule.endpoint, []))
    return pages


def first_school_strings(world: World) -> dict[str, str]:
    """What identifies the first school's people and records, and what each string is."""

    with world.app.app_context():
        session = get_session()
        school_id = session.scalar(select(Pupil.school_id).where(Pupil.first_name == "Amira"))
        found: dict[str, str] = {}
        for pupil in session.scalars(select(Pupil).where(Pupil.school_id == school_id)):
            found |= {pupil.full_name: "pupil's name", pupil.upn: "pupil's UPN"}
        for account in session.scalars(select(Account).where(Account.school_id == school_id)):
            found |= {account.display_name: "account's name", account.email: "account's email"}
        for incident in session.scalars(select(Incident).where(Incident.school_id == school_id)):
            found[incident.reference] = "incident reference"
        for name in session.scalars(
            select(SchoolClass.name).where(SchoolClass.school_id == school_id)
        ):
            found[name] = "class name"
        for address in session.scalars(
            select(OutboxMessage.to_address).where(OutboxMessage.school_id == school_id)
        ):
            found[address] = "email recipient"
        for device in session.scalars(
            select(Device).join(SchoolClass).where(SchoolClass.school_id == school_id)
        ):
            found[device.name] = "class iPad's name"
        session.close()
    return found


# A field's example text ("e.g. Oak iPad 1") is the page's own wording, not a record.
PLACEHOLDER = re.compile(r'placeholder="[^"]*"')


def leaks(strings: dict[str, str], text: str) -> list[str]:
    """The identifying strings a page shows, as whole words."""
    text = PLACEHOLDER.sub("", text)
    pattern = re.compile(
        r"(?<![\w@.-])("
        + "|".join(map(re.escape, sorted(strings, key=len, reverse=True)))
        + r")(?![\w@-])"
    )
    return sorted({f"{hit} ({strings[hit]})" for hit in pattern.findall(text)})
