"""Boxes with a character limit: never cut short, always refused whole with a clear message.

A box's `maxlength` made the browser drop the end of pasted text without a word (the end of a
teacher's observation note, of a lesson's notes). Every box where people write says its limit
under it instead ("You can enter up to 2,000 characters", counted down by
static/js/char-count.js), and the server answers text over the limit with a 400 that names the
box and its limit, with all of the text given back in the box to shorten. Text exactly at the
limit is kept, its line breaks counted as one character each, as the box counts them (the
browser sends two: web.TextRequest makes them one).
"""

from __future__ import annotations

import io
import re
import uuid
import wave

import pytest
from flask import Flask, render_template_string
from flask.testing import FlaskClient
from markupsafe import escape
from sqlalchemy import select
from sqlalchemy.orm import Session
from werkzeug.test import TestResponse
from wtforms.validators import Length

import classroom.accounts.forms
import classroom.parents.forms
import classroom.pupils.forms
import classroom.symbols.forms
import classroom.worries.evidence_forms
import classroom.worries.forms
import classroom.worries.transfer_forms
from classroom.accounts.models import Account, Role
from classroom.assessment.models import Observation
from classroom.config import ROOT
from classroom.devices.models import DeviceEnrolment
from classroom.forms import CharacterLimit, Form
from classroom.lessons.authored_models import AuthoredLesson
from classroom.pupils.models import SchoolClass
from classroom.rules.models import SchoolRule
from classroom.symbols.models import SymbolFlag, TrustedPerson, VoiceRecording
from classroom.worries.models import Incident, IncidentEntry
from tests.authoring_helpers import lesson_form
from tests.conftest import client_for
from tests.factories import make_account
from tests.worries.test_evidence import new_incident
from tests.worry_helpers import School, make_school

CRLF = "\r\n"


def lines(total: int, width: int = 60) -> str:
    """Text of exactly `total` characters as a box counts them, in lines of `width` with a line
    break (sent as CR LF, two characters) between them, ending in "END"."""
    rows, left = [], total - 3
    while left > width + 1:
        rows.append("w" * width)
        left -= width + 1
    rows.append("z" * left + "END")
    text = CRLF.join(rows)
    assert len(text.replace(CRLF, "\n")) == total
    return text


def _escaped(text: str) -> str:
    return str(escape(text))  # as the pages write it


def refused_whole(response: TestResponse, message: str, text: str) -> str:
    """The page refusing `text`: a 400 with `message` in its error summary and under the box,
    and every character of the text back in the box."""
    assert response.status_code == 400, response.status_code
    page = response.get_data(as_text=True)
    assert page.count(_escaped(message)) >= 2, message  # the summary, and under the box
    assert 'class="alert error error-summary"' in page or "data-error-summary" in page
    assert _escaped(text.replace(CRLF, "\n")) in page
    assert 'aria-invalid="true"' in page
    return page


@pytest.fixture
def school(session: Session) -> School:
    return make_school(session)


@pytest.fixture
def teacher(app: Flask, school: School) -> FlaskClient:
    return client_for(app, school.teacher)


# --- Observation notes (assessment) --------------------------------------------------------


def _observe(client: FlaskClient, school: School, note: str) -> TestResponse:
    return client.post(
        f"/assessment/pupils/{school.pupil.id}/observations",
        data={"objective_id": "stop-block-tell.sf", "level": "2", "context": "lesson",
              "note": note},
    )  # fmt: skip


def test_an_observation_note_over_its_limit_comes_back_whole(
    teacher: FlaskClient, school: School, session: Session
) -> None:
    note = "x" * 2104
    page = refused_whole(
        _observe(teacher, school, note), "Note must be 2,000 characters or fewer - it has 2,104.",
        note,
    )  # fmt: skip
    assert f">{note}</textarea>" in page
    assert '<a href="#again-note">Note must be 2,000' in page  # the summary leads to the box
    assert session.scalar(select(Observation.id)) is None


def test_an_observation_note_at_its_limit_is_kept_with_its_line_breaks(
    teacher: FlaskClient, school: School, session: Session
) -> None:
    note = lines(2000)
    assert _observe(teacher, school, note).status_code == 302
    kept = session.scalar(select(Observation.note))
    assert kept == note.replace(CRLF, "\n")
    assert kept is not None
    assert kept.endswith("END")


def test_a_correction_note_over_its_limit_comes_back_whole(
    teacher: FlaskClient, school: School, session: Session
) -> None:
    assert _observe(teacher, school, "First look").status_code == 302
    first = session.scalar(select(Observation.id))
    note = lines(2001)
    response = teacher.post(
        f"/assessment/observations/{first}/correct",
        data={"level": "3", "context": "lesson", "note": note},
    )
    refused_whole(response, "Note must be 2,000 characters or fewer - it has 2,001.", note)
    response = teacher.post(
        f"/assessment/observations/{first}/correct",
        data={"level": "3", "context": "lesson", "note": lines(2000)},
    )
    assert response.status_code == 302


def test_the_observation_forms_say_the_limit_and_have_no_maxlength(
    teacher: FlaskClient, school: School
) -> None:
    assert _observe(teacher, school, "Seen once").status_code == 302
    page = teacher.get(
        f"/assessment/pupils/{school.pupil.id}/objectives/stop-block-tell.sf"
    ).get_data(as_text=True)
    for prefix in ("new-", "fix-"):
        box = _tag(page, f"{prefix}note")
        assert 'data-count-max="2000"' in box
        assert f'aria-describedby="{prefix}note-count-hint"' in box
    assert page.count("You can enter up to 2,000 characters") == 2
    assert "maxlength" not in page


# --- New accounts and classes (admin) -----------------------------------------------------


@pytest.fixture
def admin(app: Flask, session: Session) -> FlaskClient:
    account = make_account(session, Role.ADMIN)
    session.commit()
    return client_for(app, account)


def _account(client: FlaskClient, **given: str) -> TestResponse:
    data = {"username": "msreed", "display_name": "Ms Reed", "role": "teacher", "email": ""}
    return client.post("/admin/accounts/new", data=data | given)


@pytest.mark.parametrize(
    ("name", "label", "limit", "text"),
    [
        ("username", "Username", 64, "u" * 70),
        ("display_name", "Full name", 120, "Ms " + "R" * 130),
        ("email", "Email", 254, "reed@" + "e" * 250 + ".uk"),
    ],
)
def test_a_new_accounts_box_over_its_limit_comes_back_whole(
    admin: FlaskClient, session: Session, name: str, label: str, limit: int, text: str
) -> None:
    message = f"{label} must be {limit:,} characters or fewer - it has {len(text):,}."
    page = refused_whole(_account(admin, **{name: text}), message, text)
    assert f'value="{text}"' in _tag(page, name)
    assert session.scalar(select(Account.id).where(Account.display_name == "Ms Reed")) is None


def test_a_new_account_at_each_limit_is_made_as_typed(admin: FlaskClient, session: Session) -> None:
    email = "r" * 64 + "@" + ".".join(["a" * 63, "b" * 63, "c" * 58]) + ".uk"
    assert len(email) == 254
    response = _account(admin, username="u" * 64, display_name="N" * 120, email=email)
    assert response.status_code == 201
    made = session.scalars(select(Account).where(Account.username == "u" * 64)).one()
    assert (made.display_name, made.email) == ("N" * 120, email)


def test_a_class_name_over_its_limit_comes_back_whole(admin: FlaskClient, session: Session) -> None:
    name = "Oak " + "o" * 80
    page = refused_whole(
        admin.post("/admin/classes", data={"name": name}),
        "Class name must be 80 characters or fewer - it has 84.",
        name,
    )
    assert f'value="{name}"' in _tag(page, "class-name")
    assert (
        session.scalar(select(SchoolClass.id).where(SchoolClass.name.startswith("Oak o"))) is None
    )
    assert admin.post("/admin/classes", data={"name": "C" * 80}).status_code == 302
    assert session.scalar(select(SchoolClass.id).where(SchoolClass.name == "C" * 80)) is not None


# --- Class iPads ---------------------------------------------------------------------------


@pytest.mark.parametrize(("form", "path"), [("enrol", "enrol-this"), ("link", "links")])
def test_an_ipad_name_over_its_limit_comes_back_whole_in_its_own_form(
    teacher: FlaskClient, school: School, form: str, path: str
) -> None:
    name = "Oak iPad " + "9" * 80
    response = teacher.post(
        f"/class-ipads/{path}", data={"class_id": str(school.oak.id), "name": name}
    )
    page = refused_whole(response, "iPad name must be 80 characters or fewer - it has 89.", name)
    assert f'value="{name}"' in _tag(page, f"{form}-name")
    other = "link" if form == "enrol" else "enrol"
    assert 'value=""' in _tag(page, f"{other}-name")
    assert f'<a href="#{form}-name">' in page


def test_an_ipad_name_at_its_limit_is_kept(
    teacher: FlaskClient, school: School, session: Session
) -> None:
    name = "Oak iPad " + "9" * 71
    response = teacher.post(
        "/class-ipads/links", data={"class_id": str(school.oak.id), "name": name}
    )
    assert response.status_code == 201
    assert name in session.scalars(select(DeviceEnrolment.device_name)).all()


# --- Symbols: recorded phrases, trusted adults, flagged pictures, the text tool ---------------


def _wav() -> bytes:
    out = io.BytesIO()
    with wave.open(out, "wb") as file:
        file.setnchannels(1)
        file.setsampwidth(2)
        file.setframerate(8000)
        file.writeframes(b"\x10\x00" * 8000)
    return out.getvalue()


def _record(client: FlaskClient, school: School, phrase: str) -> TestResponse:
    return client.post(
        "/symbols/voice",
        data={"phrase": phrase, "layer": f"pupil-{school.pupil.id}", "consent": "yes",
              "duration_ms": "1000", "audio": (io.BytesIO(_wav()), "clip.wav")},
        content_type="multipart/form-data",
    )  # fmt: skip


def test_a_recorded_phrase_over_its_limit_comes_back_whole(
    teacher: FlaskClient, school: School, session: Session
) -> None:
    phrase = "Tell a trusted adult " + "a" * 190
    page = refused_whole(
        _record(teacher, school, phrase),
        "The phrase you say must be 200 characters or fewer - it has 211.",
        phrase,
    )
    assert f'value="{phrase}"' in _tag(page, "voice-phrase")
    assert f'value="pupil-{school.pupil.id}" selected' in page  # who it was for, still chosen
    assert session.scalar(select(VoiceRecording.id)) is None
    assert _record(teacher, school, "t" * 200).status_code == 302


@pytest.mark.parametrize("place", ["home", "school"])
def test_a_trusted_adults_name_over_its_limit_comes_back_whole(
    teacher: FlaskClient, school: School, session: Session, place: str
) -> None:
    name = "Auntie " + "Z" * 60
    data = {"place": place, "name": name}
    if place == "school":
        data["account"] = str(school.teacher.id)
    page = refused_whole(
        teacher.post(f"/symbols/people/{school.pupil.id}", data=data),
        "Name Amira uses must be 60 characters or fewer - it has 67.",
        name,
    )
    assert f'value="{name}"' in _tag(page, f"{place}-name")
    assert session.scalar(select(TrustedPerson.id)) is None
    data["name"] = "Z" * 60
    assert teacher.post(f"/symbols/people/{school.pupil.id}", data=data).status_code == 302
    assert session.scalar(select(TrustedPerson.name)) == "Z" * 60


def test_a_flags_note_over_its_limit_comes_back_whole_to_send_again(
    teacher: FlaskClient, session: Session
) -> None:
    note = "It looks like a body, not someone staying " + "!" * 270
    flag = {"phrase": "stay", "symbol": "1F9CD", "lesson": ""}
    page = refused_whole(
        teacher.post("/symbols/flags", data=flag | {"note": note}),
        "What is wrong must be 300 characters or fewer - it has 312.",
        note,
    )
    assert f'value="{note}"' in _tag(page, "flag-note")
    assert '<input type="hidden" name="symbol" value="1F9CD">' in page
    assert session.scalar(select(SymbolFlag.id)) is None
    assert teacher.post("/symbols/flags", data=flag | {"note": "n" * 300}).status_code == 302
    assert session.scalar(select(SymbolFlag.note)) == "n" * 300


def test_the_symbol_text_tool_gives_long_text_back_whole(teacher: FlaskClient) -> None:
    text = lines(1001)
    response = teacher.get("/symbols/text", query_string={"text": text})
    assert response.status_code == 400
    page = response.get_data(as_text=True)
    assert "Text must be 1,000 characters or fewer - it has 1,001." in page
    assert _escaped(text) in page  # a GET form's text, line breaks as the browser sent them
    ok = teacher.get("/symbols/text", query_string={"text": lines(1000)})
    assert ok.status_code == 200


# --- The school's rules, and teachers' lessons ----------------------------------------------


def _rules(**given: str) -> dict[str, str]:
    return {"rule-1": "I ask an adult before I go online.", "symbol-1": ""} | given


def test_a_rule_over_its_limit_comes_back_whole(
    app: Flask, school: School, session: Session
) -> None:
    head = client_for(app, school.head)
    rule = "I ask " + "a" * 115
    page = refused_whole(
        head.post("/rules/edit", data=_rules(**{"rule-1": rule})),
        "Rule 1 must be 120 characters or fewer - it has 121.",
        rule,
    )
    assert f'value="{rule}"' in _tag(page, "rule-1")
    code = "1F44B" * 17
    page = refused_whole(
        head.post("/rules/edit", data=_rules(**{"symbol-1": code})),
        "Rule 1's picture must be 80 characters or fewer - it has 85.",
        code,
    )
    assert session.scalar(select(SchoolRule.id)) is None
    at_limit = " ".join(["Sometimes"] * 12)[:119] + "."
    assert len(at_limit) == 120
    assert head.post("/rules/edit", data=_rules(**{"rule-1": at_limit})).status_code == 302
    assert session.scalar(select(SchoolRule.text)) == at_limit


def test_a_lessons_text_box_over_its_limit_comes_back_whole(
    teacher: FlaskClient, session: Session
) -> None:
    title = "Kind words " + "k" * 295
    topic = "Kind and unkind messages " + "t" * 280
    response = teacher.post("/authoring/new", data=lesson_form(title=title, topic=topic))
    page = refused_whole(response, "Title must be 300 characters or fewer - it has 306.", title)
    assert "Topic must be 300 characters or fewer - it has 305." in page
    assert f'value="{title}"' in _tag(page, "f-title")
    assert f'value="{topic}"' in _tag(page, "f-topic")
    assert '<a href="#f-title">' in page
    assert session.scalar(select(AuthoredLesson.id)) is None
    response = teacher.post("/authoring/new", data=lesson_form(**{"sf-2-o1-text": "w" * 301}))
    refused_whole(
        response, "Semi-formal step 2, answer 1 must be 300 characters or fewer - it has 301.",
        "w" * 301,
    )  # fmt: skip


def test_a_lessons_text_box_at_its_limit_is_kept_whole(
    teacher: FlaskClient, session: Session
) -> None:
    title = "Kind " + "k" * 295
    assert teacher.post("/authoring/new", data=lesson_form(title=title)).status_code == 302
    assert f'"title": "{title}"' in (session.scalar(select(AuthoredLesson.document)) or "")


# --- Safeguarding: concerns and incident notes (WTForms) -------------------------------------


def _concern(summary: str, exact_words: str = "") -> dict[str, str]:
    return {"key": str(uuid.uuid4()), "pupil_id": "", "summary": summary,
            "communication": "speech", "exact_words": exact_words, "category": ""}  # fmt: skip


def test_a_concern_over_its_limit_comes_back_whole(
    teacher: FlaskClient, school: School, session: Session
) -> None:
    summary = lines(5001)
    data = _concern(summary, exact_words="she said it was a secret") | {
        "pupil_id": str(school.pupil.id)
    }
    page = refused_whole(
        teacher.post("/concerns/new", data=data),
        "What happened must be 5,000 characters or fewer - it has 5,001.",
        summary,
    )
    assert "she said it was a secret</textarea>" in page
    assert session.scalar(select(Incident.id)) is None
    data = _concern(lines(5000)) | {"pupil_id": str(school.pupil.id)}
    assert teacher.post("/concerns/new", data=data).status_code == 302
    incident = session.scalars(select(Incident)).one()
    assert incident.summary is not None
    assert incident.summary.endswith("END")


def test_an_incident_note_over_its_limit_comes_back_whole(
    app: Flask, school: School, session: Session
) -> None:
    incident = new_incident(session, school)
    dsl = client_for(app, school.dsl)
    text = lines(5002)
    page = refused_whole(
        dsl.post(f"/safeguarding/{incident.id}/notes", data={"note-text": text, "note-once": "a"}),
        "Action taken or decision must be 5,000 characters or fewer - it has 5,002.",
        text,
    )
    assert 'data-count-max="5000"' in _tag(page, "note-text")
    note = {"note-text": lines(5000), "note-once": "b"}
    assert dsl.post(f"/safeguarding/{incident.id}/notes", data=note).status_code == 302
    texts = session.scalars(select(IncidentEntry.text)).all()
    assert lines(5000).replace(CRLF, "\n") in texts


# --- Every form with a limit: said under the box, counted, checked -----------------------------

FORM_MODULES = (
    classroom.accounts.forms,
    classroom.parents.forms,
    classroom.pupils.forms,
    classroom.symbols.forms,
    classroom.worries.evidence_forms,
    classroom.worries.forms,
    classroom.worries.transfer_forms,
)


def _forms() -> list[type[Form]]:
    found: dict[str, type[Form]] = {}
    for module in FORM_MODULES:
        for value in vars(module).values():
            if isinstance(value, type) and issubclass(value, Form) and value is not Form:
                found[f"{value.__module__}.{value.__name__}"] = value
    return [found[name] for name in sorted(found)]


def _limited_fields() -> list[tuple[type[Form], str, int]]:
    return [
        (form, name, check.limit)
        for form in _forms()
        for name, unbound in vars(form).items()
        for check in getattr(unbound, "kwargs", {}).get("validators") or ()
        if isinstance(check, CharacterLimit)
    ]


LIMITED = _limited_fields()


def test_every_form_with_a_limit_is_found() -> None:
    names = {f"{form.__name__}.{name}" for form, name, _limit in LIMITED}
    expected = {"ConcernForm.summary", "NoteForm.text", "SentForm.sent_to", "MarkForm.note",
                "AttachmentForm.description", "TextForm.text", "ChooserForm.phrase"}  # fmt: skip
    assert expected <= names


@pytest.mark.parametrize(
    ("form", "name", "limit"), LIMITED, ids=[f"{f.__name__}.{n}" for f, n, _l in LIMITED]
)
def test_a_box_with_a_limit_says_it_is_counted_and_refuses_more_whole(
    app: Flask, form: type[Form], name: str, limit: int
) -> None:
    over, at = "q" * (limit + 1), lines(limit) if limit > 100 else "q" * limit
    with app.test_request_context(method="POST", data={name: over}):
        filled = form()
        field = filled[name]
        field.validate(filled)
        label = field.label.text.split(" (", 1)[0]
        message = f"{label} must be {limit:,} characters or fewer - it has {limit + 1:,}."
        # Some boxes say what to do after it ("Shorten it, or send it as two messages.").
        assert [e for e in field.errors if e.startswith(message)], field.errors
        drawn = render_template_string(
            '{% from "_macros/forms.html" import field %}{{ field(f) }}', f=field
        )
    box = _tag(drawn, field.id)
    assert "maxlength" not in drawn
    assert f'data-count-max="{limit}"' in box
    assert re.search(rf'aria-describedby="[^"]*\b{field.id}-count-hint\b', box)
    assert f"You can enter up to {limit:,} characters" in drawn
    assert over in drawn  # given back whole
    with app.test_request_context(method="POST", data={name: at}):
        filled = form()
        filled[name].validate(filled)
        assert not any("characters or fewer" in e for e in filled[name].errors)


# --- No writing box has a maxlength again -------------------------------------------------------

# Boxes that keep a maxlength: searches and filters (nothing written is lost: the words are
# only looked for), and the pupils' worry box, which is the pupils' own screen.
TEMPLATE_MAXLENGTH_ALLOWED = {
    ("admin/audit.html", "f-action"),  # a filter: "action starts with"
    ("admin/audit.html", "f-who"),  # a filter: who did it
    ("symbols/choose_panel.html", "swap-search"),  # a picture search
    ("authoring/edit.html", "f-{{ name }}-find"),  # a picture search
    ("worries/_choice_steps.html", "worry-words"),  # the pupils' own worry box
}

# WTForms gives a `maxlength` to every field with a Length(max=...) check. Those that keep it.
FORM_MAXLENGTH_ALLOWED = {
    # Signing in and codes: nothing written to keep, and a longer one is wrong anyway.
    "accounts.forms.SignInForm.username",
    "accounts.forms.SignInForm.password",
    "accounts.forms.ChangePasswordForm.current_password",
    "accounts.forms.ChangePasswordForm.new_password",
    "accounts.forms.CodeForm.code",
    "accounts.forms.ConfirmAppForm.code",
    "parents.forms.JoinForm.code",
    "parents.forms.AddChildForm.code",
    "parents.forms.JoinForm.password",
    "parents.forms.CarerEmailForm.password",
    "parents.forms.ExportForm.passphrase",
    # Searches: the words are only looked for.
    "symbols.forms.ChooserForm.search",
    # Not boxes: hidden fields, a body-map region chosen from a list, a symbol chosen by tapping.
    "symbols.forms.OverrideForm.phrase",
    "symbols.forms.OverrideForm.symbol",
    "symbols.forms.ClearForm.phrase",
    "worries.evidence_forms.MarkForm.region",
    "parents.forms.EmailLinkForm.link",  # the emailed link, sent back by a button
    "worries.evidence_forms.MarkForm.side",
}

TAG = re.compile(r"<(?:input|textarea)\b[^>]*>", re.DOTALL)
ID = re.compile(r'\bid="([^"]*)"')


def _tag(page: str, element_id: str) -> str:
    """The opening tag of the input or textarea with this id."""
    for tag in TAG.findall(page):
        found = ID.search(tag)
        if found and found.group(1) == element_id:
            return tag
    raise AssertionError(f"no box with id {element_id!r}")


def test_no_box_in_a_template_has_a_maxlength_but_searches() -> None:
    templates = ROOT / "templates"
    found = set()
    for path in sorted(templates.rglob("*.html")):
        for tag in TAG.findall(path.read_text(encoding="utf-8")):
            if "maxlength" in tag:
                named = ID.search(tag)
                found.add(
                    (path.relative_to(templates).as_posix(), named.group(1) if named else tag)
                )
    assert found <= TEMPLATE_MAXLENGTH_ALLOWED, sorted(found - TEMPLATE_MAXLENGTH_ALLOWED)


def test_no_form_field_gets_a_maxlength_but_searches_and_codes() -> None:
    found = set()
    for form in _forms():
        for name, unbound in vars(form).items():
            checks = getattr(unbound, "kwargs", {}).get("validators") or ()
            if any(isinstance(c, Length) and c.max != -1 for c in checks):
                module = form.__module__.removeprefix("classroom.")
                found.add(f"{module}.{form.__name__}.{name}")
    assert found <= FORM_MAXLENGTH_ALLOWED, sorted(found - FORM_MAXLENGTH_ALLOWED)
