"""Teachers write, preview and share lessons; the lesson-file rules and the player apply to them."""

from __future__ import annotations

import html
import json
import re
import shutil
from collections.abc import Callable
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session
from werkzeug.datastructures import MultiDict

from classroom import policy
from classroom.accounts.models import Account, Role
from classroom.audit.models import AuditEvent
from classroom.db import get_session, utcnow
from classroom.lessons import authoring, maps
from classroom.lessons.authored_models import AuthoredLesson, LessonStatus
from classroom.lessons.content import ROOT, LessonError, load_lessons
from classroom.lessons.kinds import KINDS
from classroom.lessons.models import StepResponse
from tests.authoring_helpers import assert_harmless, lesson_form, xss_lines
from tests.conftest import client_for
from tests.factories import make_account, make_class
from tests.factories import make_school as new_school
from tests.worry_helpers import make_school, pupil_on_ipad


def _create(client: FlaskClient, **changes: object) -> AuthoredLesson:
    response = client.post("/authoring/new", data=lesson_form(**changes))
    assert response.status_code == 302, response.data.decode()[:2000]
    lesson_id = int(re.search(r"/authoring/(\d+)", response.location).group(1))  # type: ignore[union-attr]

    row = get_session().get(AuthoredLesson, lesson_id)
    assert row is not None
    return row


def _count(session: Session, model: type) -> int:
    return int(session.scalar(select(func.count()).select_from(model)) or 0)


# --- Writing and checking ----------------------------------------------------------------------


def test_a_valid_lesson_is_saved_as_a_draft_with_ids_the_app_assigns(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    row = _create(client_for(app, school.teacher))
    assert row.status is LessonStatus.DRAFT
    assert row.key == f"t-{row.id}-kind-words-online"
    lesson = authoring.lesson_of(row)
    assert [len(v.steps) for v in lesson.versions] == [3, 3, 3]
    assert lesson.version(lesson.versions[1].pathway).objective.id == f"{row.key}.sf"
    actions = set(session.scalars(select(AuditEvent.action)))
    assert "authored_lesson.created" in actions


@pytest.mark.usefixtures("app")
def test_the_editor_and_its_preview_button_work_without_javascript(
    session: Session, login_as: Callable[..., Account], client: FlaskClient
) -> None:
    login_as(Role.TEACHER)
    assert client.get("/authoring/new").status_code == 200
    page = client.post("/authoring/new", data=lesson_form(action="preview")).data.decode()
    assert 'id="f-title-preview"' in page
    assert "/symbols/" in page.split('id="f-title-preview"')[1][:600]
    assert _count(session, AuthoredLesson) == 0


def _file_message(tmp_path: Path, old: str, new: str) -> str:
    """What the file loader says about a lesson file broken the same way."""
    folder = tmp_path / "lessons"
    folder.mkdir()
    source = ROOT / "lessons" / "10-stop-block-tell.toml"
    shutil.copy(source, folder / source.name)
    target = folder / source.name
    target.write_text(target.read_text(encoding="utf-8").replace(old, new, 1), encoding="utf-8")
    with pytest.raises(LessonError) as error:
        load_lessons(folder, kinds=KINDS)
    return error.value.problems[0].reason


def test_a_malformed_lesson_is_refused_like_a_file_and_nothing_is_saved(
    app: Flask, session: Session, tmp_path: Path
) -> None:
    school = make_school(session)
    client = client_for(app, school.teacher)
    audit_before = _count(session, AuditEvent)
    response = client.post("/authoring/new", data=lesson_form(**{"sf-2-correct": None}))
    assert response.status_code == 400
    page = html.unescape(response.data.decode())
    # The same rule as a lesson file's, said in the editor's words beside its box; the file's
    # author still gets the file's words.
    assert "Semi-formal step 2: tick “Answer n is right” for at least one answer." in page
    assert "semi_formal" not in page
    assert "correct = true" not in page
    theirs = _file_message(tmp_path, "correct = true", "correct = false")
    shape = r"step \d of \w+ has no correct option; mark at least one with correct = true"
    assert re.fullmatch(shape, theirs)
    assert _count(session, AuthoredLesson) == 0
    assert _count(session, AuditEvent) == audit_before
    assert 'value="Which message is kind?"' in response.data.decode()  # the work is kept


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"title": "One two three four five six seven"}, "The title has 7 words"),
        ({"sf-3-kind": None, "sf-3-text": None}, "Semi-formal has 2 steps: each pathway needs 3"),
        ({"f-2-i1-group": "3"}, "Formal step 2, thing 1 has group '3'; use 1 or 2"),
        ({"strands": []}, "Tick at least one UKCIS strand"),
        ({"sf-1-symbol": "nope"}, "no picture nope.svg"),
        ({"pf-2-sound": "siren"}, "has sound 'siren'"),
        ({"pf-3-answer": None}, "Pre-formal step 3, the right answer: please choose Yes or No."),
    ],
)
def test_each_lesson_rule_is_checked_with_a_plain_message(
    app: Flask, session: Session, changes: dict[str, object], message: str
) -> None:
    school = make_school(session)
    response = client_for(app, school.teacher).post("/authoring/new", data=lesson_form(**changes))
    assert response.status_code == 400
    assert message in html.unescape(response.data.decode())
    assert _count(session, AuthoredLesson) == 0


def test_a_refused_change_leaves_the_saved_lesson_as_it_was(app: Flask, session: Session) -> None:
    school = make_school(session)
    client = client_for(app, school.teacher)
    row = _create(client)
    before = row.document
    response = client.post(f"/authoring/{row.id}/edit", data=lesson_form(**{"f-1-kind": "dance"}))
    assert response.status_code == 400
    session.refresh(row)
    assert row.document == before
    assert row.revision == 1


# --- Who may change what -------------------------------------------------------------------------


def test_a_teacher_cannot_edit_or_share_another_teachers_lesson(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    row = _create(client_for(app, school.teacher))
    other = make_account(session, Role.TEACHER)
    session.commit()
    them = client_for(app, other)
    assert them.get(f"/authoring/{row.id}/edit").status_code == 404
    assert them.post(f"/authoring/{row.id}/edit", data=lesson_form()).status_code == 404
    assert them.post(f"/authoring/{row.id}/share").status_code == 404
    assert them.get(f"/authoring/{row.id}").status_code == 404  # a draft is its author's
    assert not policy.can_edit_authored_lesson(session, other, row)


def test_the_headteacher_can_change_any_lesson_in_the_school(app: Flask, session: Session) -> None:
    school = make_school(session)
    row = _create(client_for(app, school.teacher))
    head = client_for(app, school.head)
    response = head.post(f"/authoring/{row.id}/edit", data=lesson_form(topic="Being kind"))
    assert response.status_code == 302
    session.refresh(row)
    assert json.loads(row.document)["topic"] == "Being kind"
    assert row.revision == 2


@pytest.mark.usefixtures("app", "session")
def test_pupils_parents_and_other_staff_cannot_write_lessons(
    login_as: Callable[..., Account], client: FlaskClient
) -> None:
    login_as(Role.TEACHING_ASSISTANT)
    assert client.get("/authoring/new").status_code == 403
    assert client.post("/authoring/new", data=lesson_form()).status_code == 403


# --- Sharing, maps and the player -------------------------------------------------------------


def test_a_draft_cannot_go_on_a_map_until_it_is_shared(app: Flask, session: Session) -> None:
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    row = _create(teacher)
    add = f"/pupils/{school.pupil.id}/lessons/x/add"
    assert teacher.post(add, data={"lesson_id": row.key}).status_code == 400
    assert teacher.post(f"/authoring/{row.id}/share").status_code == 302
    assert teacher.post(add, data={"lesson_id": row.key}).status_code == 302
    assert teacher.post(f"/authoring/{row.id}/share").status_code == 409
    page = teacher.get(f"/classes/{school.oak.id}/lessons").data.decode()
    assert "Kind words online" in page


def test_a_shared_lesson_joins_no_class_or_pupil_map_until_a_teacher_adds_it(
    app: Flask, session: Session
) -> None:
    """The school's catalogue has it, but a class's starting map is the lesson files only."""
    school = make_school(session)
    row = authoring.create(session, school.teacher, authoring_doc({}), "", now=utcnow())
    authoring.share(session, school.teacher, row, now=utcnow())
    lessons = maps.catalogue(session, app.extensions["lessons"], school.teacher.school_id)
    assert row.key in lessons
    assert row.key not in {
        p.lesson.id for p in maps.pupil_map(session, school.pupil, lessons, today=utcnow().date())
    }
    saved = maps.ensure_class_map(session, school.oak, lessons)
    assert row.key not in {entry.lesson_id for entry in saved}
    assert len(saved) == len(app.extensions["lessons"].available())


def test_a_pupil_plays_a_shared_lesson_once_it_is_on_their_map(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    row = _create(teacher)
    ipad = pupil_on_ipad(app, school)
    assert ipad.get(f"/pupil/lessons/{row.key}").status_code == 404
    teacher.post(f"/authoring/{row.id}/share")
    teacher.post(f"/pupils/{school.pupil.id}/lessons/x/add", data={"lesson_id": row.key})
    assert "Kind words online" in ipad.get("/pupil/").data.decode()
    assert ipad.get(f"/pupil/lessons/{row.key}").status_code == 200
    start = ipad.post(f"/pupil/lessons/{row.key}/start")
    assert start.status_code == 302
    choose = start.location.replace("/steps/1", "/steps/2")
    page = ipad.get(choose).data.decode()
    assert "Which" in page
    assert "Well done!" in page
    done = ipad.post(choose, data={"answer": "o1", "tries": "1", "key": "k1"})
    assert done.status_code == 200
    response = session.scalar(select(StepResponse))
    assert response is not None
    assert response.correct
    assert response.lesson_id == row.key


def test_a_pupil_in_another_school_never_gets_the_lesson(app: Flask, session: Session) -> None:
    school = make_school(session)
    row = _create(client_for(app, school.teacher))
    client_for(app, school.teacher).post(f"/authoring/{row.id}/share")
    elsewhere = new_school(session, name="Elsewhere")
    head = make_account(session, Role.HEADTEACHER, school=elsewhere)
    make_class(session, school=elsewhere)
    session.commit()
    assert row.key not in client_for(app, head).get("/authoring/").data.decode()


def test_editing_a_lesson_pupils_have_played_is_refused_and_a_copy_offered(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    row = _create(teacher)
    teacher.post(f"/authoring/{row.id}/share")
    teacher.post(f"/pupils/{school.pupil.id}/lessons/x/add", data={"lesson_id": row.key})
    response = teacher.post(f"/authoring/{row.id}/edit", data=lesson_form(topic="Changed"))
    assert response.status_code == 302  # shared but not yet played: changes are allowed
    pupil_on_ipad(app, school).post(f"/pupil/lessons/{row.key}/start")
    refused = teacher.post(f"/authoring/{row.id}/edit", data=lesson_form(topic="Again"))
    assert refused.status_code == 409
    assert "Make a copy" in html.unescape(refused.data.decode())
    session.refresh(row)
    assert json.loads(row.document)["topic"] == "Changed"
    copied = teacher.post(f"/authoring/{row.id}/copy")
    assert copied.status_code == 302
    copies = list(session.scalars(select(AuthoredLesson).where(AuthoredLesson.id != row.id)))
    assert len(copies) == 1
    assert copies[0].status is LessonStatus.DRAFT
    assert copies[0].key != row.key


# --- Preview as a pupil -----------------------------------------------------------------------


def test_preview_shows_any_lesson_on_any_pathway_and_records_nothing(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    row = _create(teacher)  # a draft: its author may preview it
    for pathway in ("pre_formal", "semi_formal", "formal"):
        for lesson_id in ("stop-block-tell", row.key):
            url = f"/authoring/preview/{lesson_id}/{pathway}/1"
            assert teacher.get(url).status_code == 200, url
    choose = f"/authoring/preview/{row.key}/semi_formal/2"
    wrong = teacher.get(choose, query_string={"answer": "o2"}).data.decode()
    assert 'class="choice-card hint"' in wrong
    right = teacher.get(choose, query_string={"answer": "o1"}).data.decode()
    assert "pupil-message feedback" in right
    sort = f"/authoring/preview/{row.key}/formal/2"
    assert "Unkind" in teacher.get(sort, query_string={"answer": "g1", "item": "0"}).data.decode()
    assert teacher.get(choose, query_string={"answer": "0"}).status_code == 400
    assert teacher.get(sort, query_string={"answer": "7", "item": "99"}).status_code == 400
    assert teacher.get(f"/authoring/preview/{row.key}/sideways/1").status_code == 404
    assert teacher.get(f"/authoring/preview/{row.key}/formal/9").status_code == 404
    assert teacher.get("/authoring/preview/no-such-lesson/formal/1").status_code == 404
    assert _count(session, StepResponse) == 0


def test_another_teachers_draft_cannot_be_previewed(app: Flask, session: Session) -> None:
    school = make_school(session)
    row = _create(client_for(app, school.teacher))
    other = make_account(session, Role.TEACHER)
    session.commit()
    assert client_for(app, other).get(f"/authoring/preview/{row.key}/formal/1").status_code == 404


# --- Attack text --------------------------------------------------------------------------------


def test_the_symbol_preview_escapes_what_it_is_given(
    login_as: Callable[..., Account], client: FlaskClient
) -> None:
    login_as(Role.TEACHER)
    response = client.get(
        "/authoring/symbols", query_string={"text": "<img src=x onerror=alert(1)>"}
    )
    assert response.status_code == 200
    assert "<img src=x" not in response.data.decode()
    assert_harmless(response.data.decode())


def test_notes_keep_only_the_small_allow_list() -> None:
    notes = authoring.clean_notes(
        '<p onclick="x()">Hi <a href="javascript:alert(1)">bad</a> <a href="https://ok.example/">ok</a>'
        "<script>alert(1)</script><img src=x onerror=alert(1)><em>e</em></p>"
    )
    assert "<script" not in notes
    assert "onclick" not in notes
    assert "<img" not in notes
    assert '<a href="https://ok.example/" rel="noopener noreferrer">ok</a>' in notes
    assert "javascript:" not in notes
    assert "<em>e</em>" in notes


def test_attack_text_is_stored_as_written_and_shown_harmlessly(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    lines = xss_lines()
    saved = 0
    for n, line in enumerate(lines):
        attack = line[:250]
        changes = {
            "title": attack if len(attack.split()) <= 6 else "Attack",
            "sf-2-text": attack if len(attack.split()) <= 12 else "Which is kind?",
            # On the wrong card: the same words on the question and its right card would be a
            # picture cue, which the loader rightly refuses.
            "sf-2-o2-text": attack if len(attack.split()) <= 8 else "Unkind",
            "notes": line,
        }
        try:
            doc = authoring_doc(changes)
            row = authoring.create(session, school.teacher, doc, line, now=utcnow())
        except authoring.LessonProblems:
            continue  # refused as a lesson file would be: nothing stored
        saved += 1
        stored = json.loads(row.document)
        assert stored["semi_formal"]["steps"][1]["text"] == " ".join(changes["sf-2-text"].split())
        assert "<script" not in row.notes_html.lower()
        if n % 3 == 0:
            session.commit()
            for url in (f"/authoring/{row.id}", f"/authoring/preview/{row.key}/semi_formal/2"):
                page = teacher.get(url)
                assert page.status_code == 200
                assert_harmless(page.data.decode())
    assert saved > len(lines) / 2


def authoring_doc(changes: dict[str, str]) -> authoring.Document:
    form = lesson_form(**changes)
    form.pop("notes")
    pairs = [
        (k, v) for k, value in form.items() for v in (value if isinstance(value, list) else [value])
    ]
    return authoring.document_from_form(MultiDict(pairs))


def test_attack_text_through_the_editor_form_never_breaks_a_page(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    for line in xss_lines()[::25]:
        response = teacher.post(
            "/authoring/new",
            data=lesson_form(
                title=line, **{"sf-2-text": line, "sf-2-o1-text": line, "notes": line}
            ),
        )
        assert response.status_code in (302, 400)
        if response.status_code == 400:
            assert_harmless(response.data.decode())


def test_every_authoring_form_needs_a_csrf_token(app: Flask, session: Session) -> None:
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    row = _create(teacher)
    app.config["WTF_CSRF_ENABLED"] = True
    for url in ("/authoring/new", f"/authoring/{row.id}/edit", f"/authoring/{row.id}/share"):
        assert teacher.post(url, data=lesson_form()).status_code == 400, url
    assert teacher.post(f"/authoring/{row.id}/copy").status_code == 400


def test_a_shared_lesson_that_no_longer_meets_the_rules_drops_out_without_breaking_pages(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    row = _create(teacher)
    teacher.post(f"/authoring/{row.id}/share")
    broken = json.loads(row.document)
    broken["symbol"] = "NO-SUCH-PICTURE"  # as if a symbol were removed from the library
    row.document = json.dumps(broken)
    session.commit()
    page = teacher.get(f"/authoring/{row.id}")
    assert page.status_code == 200
    assert "no longer meets the lesson rules" in page.data.decode()
    assert row.key not in authoring.merged(app.extensions["lessons"], [])
    assert authoring.shared_lessons(session, None) == []
    assert teacher.get(f"/authoring/preview/{row.key}/formal/1").status_code == 404
    assert pupil_on_ipad(app, school).get("/pupil/").status_code == 200


def test_attack_text_in_a_shared_lesson_is_harmless_on_the_pupils_ipad(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    ipad = pupil_on_ipad(app, school)
    short = [line for line in xss_lines() if len(line.split()) <= 6][::40]
    for line in short:
        changes = {"title": line, "sf-2-text": line, "sf-2-o1-text": line, "notes": line}
        try:
            doc = authoring_doc(changes)
            row = authoring.create(session, school.teacher, doc, line, now=utcnow())
        except authoring.LessonProblems:
            continue
        session.commit()
        teacher.post(f"/authoring/{row.id}/share")
        teacher.post(f"/pupils/{school.pupil.id}/lessons/x/add", data={"lesson_id": row.key})
        start = ipad.post(f"/pupil/lessons/{row.key}/start")
        for url in (
            "/pupil/",
            f"/pupil/lessons/{row.key}",
            start.location.replace("/steps/1", "/steps/2"),
        ):
            page = ipad.get(url)
            assert page.status_code == 200, url
            assert_harmless(page.data.decode())


@pytest.mark.parametrize(
    ("role", "own_draft", "their_draft", "their_shared", "edit_theirs"),
    [
        (Role.TEACHER, True, False, True, False),
        (Role.HEADTEACHER, True, True, True, True),
        (Role.TEACHING_ASSISTANT, False, False, False, False),
        (Role.DSL, False, False, False, False),
        (Role.PARENT, False, False, False, False),
    ],
)
def test_who_sees_and_changes_teacher_lessons(
    session: Session,
    role: Role,
    own_draft: bool,
    their_draft: bool,
    their_shared: bool,
    edit_theirs: bool,
) -> None:
    school = make_school(session)
    me = make_account(session, role)
    now = utcnow()
    mine = authoring.create(session, school.teacher, authoring_doc({}), "", now=now)
    mine.author_id = me.id  # a draft of the account under test
    draft = authoring.create(session, school.teacher, authoring_doc({}), "", now=now)
    shared = authoring.create(session, school.teacher, authoring_doc({}), "", now=now)
    shared.status = LessonStatus.SHARED
    session.flush()
    seen = set(session.scalars(policy.visible_authored_lessons(me)))
    assert (mine in seen) is own_draft
    assert (draft in seen) is their_draft
    assert (shared in seen) is their_shared
    assert policy.can_edit_authored_lesson(session, me, draft) is edit_theirs
    for row in (mine, draft, shared):
        assert policy.can_view_authored_lesson(session, me, row) is (row in seen)


# --- The picture rules, as the lesson files meet them ------------------------------------------


def test_a_card_with_another_picture_for_a_listed_word_is_refused_in_the_editors_words(
    app: Flask, session: Session
) -> None:
    """ "Kind" with a broken heart (the word list's picture for "unkind") teaches the wrong
    word: the lesson files cannot do it, so a teacher's lesson cannot either."""
    school = make_school(session)
    client = client_for(app, school.teacher)
    response = client.post("/authoring/new", data=lesson_form(**{"f-2-g1-symbol": "1F494"}))
    assert response.status_code == 400
    page = html.unescape(response.data.decode())
    assert "Formal, step 2: the card “Kind” needs the school’s picture for “kind”" in page
    assert "1F494" not in page.split("Formal, step 2:")[1][:300]  # no picture codes in the words
    assert _count(session, AuthoredLesson) == 0


def test_the_same_lesson_with_the_word_lists_picture_is_saved(app: Flask, session: Session) -> None:
    school = make_school(session)
    row = _create(client_for(app, school.teacher), **{"f-2-g1-symbol": "1FAF6"})
    assert row.status is LessonStatus.DRAFT


def test_an_edit_that_breaks_a_picture_rule_is_refused_and_the_lesson_kept(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    client = client_for(app, school.teacher)
    row = _create(client)
    before = row.document
    changed = lesson_form(**{"f-2-g2-symbol": "1FAF6"})  # "Unkind" with the "kind" heart
    response = client.post(f"/authoring/{row.id}/edit", data=changed)
    assert response.status_code == 400
    assert "the card “Unkind” needs the school’s picture for “unkind”" in html.unescape(
        response.data.decode()
    )
    session.expire_all()
    assert row.document == before


def test_a_lesson_saved_before_the_picture_rules_still_reaches_its_pupils(
    app: Flask, session: Session
) -> None:
    """The rules are checked on saving, not on reading: a shared lesson already on pupils' maps
    does not vanish from their iPads; its next edit is checked."""
    school = make_school(session)
    row = _create(client_for(app, school.teacher))
    doc = json.loads(row.document)
    kind_group = doc["formal"]["steps"][1]["groups"][0]
    kind_group["symbol"] = "1F494"
    row.document = json.dumps(doc, sort_keys=True)
    session.commit()
    lesson = authoring.lesson_of(row)
    assert lesson.versions[2].steps[1].groups[0].symbol == "1F494"
    with pytest.raises(authoring.LessonProblems, match="needs the school’s picture for “kind”"):
        authoring.check_for_saving(doc, row.key)


def test_notes_typed_as_lines_are_shown_as_lines(app: Flask, session: Session) -> None:
    """A teacher types lines in a plain text box: a blank line is a new paragraph, a line
    break stays one (notes written with paragraphs or lists are left as written)."""
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    typed = "Before the lesson:\r\nCheck the volume.\r\n\r\nAfter (< 5 min):\r\nTell the teacher."
    row = _create(teacher, notes=typed)
    assert row.notes_html == typed.replace("\r\n", "\n").replace("<", "&lt;")
    page = teacher.get(f"/authoring/{row.id}").text
    assert (
        '<div class="teacher-notes"><p>Before the lesson:<br>Check the volume.</p>'
        "<p>After (&lt; 5 min):<br>Tell the teacher.</p></div>"
    ) in page
    edit = teacher.get(f"/authoring/{row.id}/edit").text  # edited as typed, without tags
    assert "Before the lesson:\nCheck the volume." in edit
    written = _create(teacher, notes="<p>One</p>\n<ul><li>Two</li></ul>")
    shown = teacher.get(f"/authoring/{written.id}").text
    assert '<div class="teacher-notes"><p>One</p>\n<ul><li>Two</li></ul></div>' in shown


def test_long_notes_are_kept_whole_or_refused_never_cut(app: Flask, session: Session) -> None:
    """The text box counts a line break as one character; the browser sends two. Notes the box
    accepts are saved whole; longer ones are refused with the text kept, not cut short."""
    school = make_school(session)
    teacher = client_for(app, school.teacher)
    lines = "\r\n".join(f"Line {n:03} of the notes, to read before the lesson." for n in range(98))
    fits = lines + "\r\nLAST-WORDS"
    assert len(fits.replace("\r\n", "\n")) <= authoring.MAX_NOTES < len(fits)
    assert _create(teacher, notes=fits).notes_html.endswith("LAST-WORDS")
    too_long = fits + "\r\n" + "x" * 300
    refused = teacher.post("/authoring/new", data=lesson_form(notes=too_long))
    assert refused.status_code == 400
    assert "Teacher&#39;s notes must be 5,000 characters or fewer - it has 5,211." in refused.text
    assert "x" * 300 + "</textarea>" in refused.text
    assert _count(session, AuthoredLesson) == 1
