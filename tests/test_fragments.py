"""Parts of pupil screens rendered once per worker (classroom/symbols/fragments_web.py) show each
pupil their own: a fragment macro reads only its arguments, and whatever differs between pupils
is an argument, so part of the key."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from flask import Flask
from flask.testing import FlaskClient
from jinja2 import Environment, meta
from markupsafe import escape
from sqlalchemy.orm import Session

from classroom.accounts.models import Role
from classroom.devices.web import cookie_name
from classroom.ipad import chrome_web
from classroom.lessons import maps
from classroom.symbols import fragments_web
from tests.conftest import client_for
from tests.factories import make_account, make_class, make_device, make_pupil
from tests.lesson_helpers import all_lessons
from tests.worry_helpers import make_school, pupil_on_ipad

ROOT = Path(__file__).resolve().parent.parent
TEMPLATES = ROOT / "templates"
# What a fragment may use besides its arguments: the same for every request a worker serves.
# (url_for and the symbol renderings depend on the script root, which is part of every key.)
WORKER_FIXED = {
    "url_for",
    "static_url",
    "spoken",
    "person_name",
    "render_words",
    "render_labels",
    "render_symbolised",
    "app_short_name",
    "app_theme_colour",
    "rights",  # policy.RIGHTS: which roles hold which rights, one table for the app
    "config",  # the app's settings
    "heatmap_svg_cells",  # classroom/assessment/heatmap_cells.py: its arguments only
    "heatmap_table_cells",
}
# The app's own filters a fragment may use: each reads only its value and the app's settings.
WORKER_FIXED_FILTERS = {"local"}  # a moment on the school's clock (the TIMEZONE setting)
LESSON_LINK = re.compile(r'href="/pupil/lessons/([^"/]+)"')
TOKEN = re.compile(r'(?<=csrf-token" content=")[^"]+|(?<=name="csrf_token" value=")[^"]+')
# What differs between two renders of a page by design: the CSRF token, and the offline worry's
# signed reporter token (timed: a second later it is another string).
PER_RENDER = re.compile(TOKEN.pattern + r'|(?<=data-reporter=")[^"]+')
FRAGMENT_CALL = re.compile(r"""fragment\(\s*["']([^"']+)["']""")


def fragment_templates() -> set[str]:
    """Every template rendered through `fragment`, found in the templates and the package."""
    found = {chrome_web.TEMPLATE}
    for path in [*TEMPLATES.rglob("*.html"), *(ROOT / "classroom").rglob("*.py")]:
        found.update(FRAGMENT_CALL.findall(path.read_text()))
    return found


def reads_beyond_arguments(env: Environment, source: str, seen: set[str] | None = None) -> set[str]:
    """Names a template's `source` (and every template it imports) reads that are neither its
    own nor fixed for the worker: each would be shown to whoever is next."""
    seen = seen if seen is not None else set()
    tree = env.parse(source)
    reads = meta.find_undeclared_variables(tree) - WORKER_FIXED
    for imported in meta.find_referenced_templates(tree):
        if imported is not None and imported not in seen:
            seen.add(imported)
            reads |= reads_beyond_arguments(env, (TEMPLATES / imported).read_text(), seen)
    return reads


def test_every_fragment_template_reads_only_its_arguments() -> None:
    env = Environment(autoescape=True)  # a filter not named here fails the parse below
    env.filters.update(dict.fromkeys(WORKER_FIXED_FILTERS, str))
    found = fragment_templates()
    assert {
        "ipad/_chrome.html",
        "ipad/_home.html",
        "worries/_choice_steps.html",
        "worries/_thanks.html",
        "_staff_chrome.html",
        "lessons/_map_table.html",
        "worries/_queue_rows.html",
        "assessment/_heatmap.html",
    } <= found
    for name in sorted(found):
        assert reads_beyond_arguments(env, (TEMPLATES / name).read_text()) == set(), name


def test_the_check_catches_a_fragment_that_reads_the_signed_in_pupil() -> None:
    env = Environment(autoescape=True)
    leaky = (
        "{% macro card(layers, size) %}<p>{{ current_user.pupil.first_name }}"
        "{{ request.path }}</p>{% endmacro %}"
    )
    assert reads_beyond_arguments(env, leaky) == {"current_user", "request"}


def test_each_pupil_sees_their_own_adults_after_another_pupils_flow_was_cached(
    app: Flask, session: Session
) -> None:
    school = make_school(session)  # Amira in Oak: Ms Lopez, then the lead Mr Bell
    ash = make_class(session, name="Ash")
    make_account(session, Role.TEACHER, classes=[ash], display_name="Mr Okafor")
    ben = make_pupil(session, ash, first_name="Ben")
    _device, token = make_device(session, ash)
    session.commit()
    amiras = pupil_on_ipad(app, school)
    amiras.get("/pupil/worry")
    bens = app.test_client()
    bens.set_cookie(cookie_name(), token)
    assert bens.post(f"/class-ipad/pupils/{ben.id}").status_code == 302

    for _ in range(2):  # the second time, both come from the cache
        amira_page = amiras.get("/pupil/worry").data.decode()
        ben_page = bens.get("/pupil/worry").data.decode()
        assert "Ms Lopez" in amira_page
        assert "Mr Okafor" not in amira_page
        assert "Mr Okafor" in ben_page
        assert "Ms Lopez" not in ben_page
        assert "Mr Bell" in ben_page  # the lead always hears


def test_choices_kept_after_a_problem_are_never_shown_to_the_next_fresh_flow(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    ipad.get("/pupil/worry")
    problem = ipad.post(
        "/pupil/worry",
        data={"key": "k", "what": "unkind", "talk_to": str(school.teacher.id), "words": "x" * 2001},
    )
    assert problem.status_code == 400
    page = problem.data.decode()
    assert 'value="unkind" checked' in page
    assert f'value="{school.teacher.id}" checked' in page

    fresh = ipad.get("/pupil/worry").data.decode()
    assert " checked" not in fresh


def test_a_pupils_own_words_come_back_to_them_escaped_and_are_never_kept(
    app: Flask, session: Session
) -> None:
    """The worry flow's last step is rendered once per worker; the words a pupil typed come
    back in their box when the form has a problem, but are filled in per request: the store of
    rendered parts never holds them, and the next flow's box is empty."""
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    words = "<b>Kai took my tablet</b> " * 90  # too long: the form comes back with a problem
    problem = ipad.post("/pupil/worry", data={"key": "k", "what": "unkind", "words": words})
    assert problem.status_code == 400
    page = problem.data.decode()
    box = re.search(r'<textarea id="worry-words"[^>]*>(.*?)</textarea>', page, re.S)
    assert box is not None
    assert box.group(1) == str(escape(words))
    store = app.extensions[fragments_web.STORE]
    assert not any("Kai took my tablet" in html for html in store.values())
    fresh = ipad.get("/pupil/worry").data.decode()
    assert "Kai took my tablet" not in fresh
    assert re.search(r'<textarea id="worry-words"[^>]*></textarea>', fresh)


def test_two_pupils_with_the_same_lessons_each_get_their_own_home_and_a_change_shows_at_once(
    app: Flask, session: Session
) -> None:
    school = make_school(session)  # Amira: home shows every lesson on her map
    ben = make_pupil(session, school.oak, first_name="Ben", home_lessons=0)
    session.commit()
    amiras = pupil_on_ipad(app, school)
    bens = app.test_client()
    bens.set_cookie(cookie_name(), school.token)
    assert bens.post(f"/class-ipad/pupils/{ben.id}").status_code == 302
    first = LESSON_LINK.findall(amiras.get("/pupil/").data.decode())
    assert len(first) > 1

    ben_home = bens.get("/pupil/").data.decode()
    assert "Ben" in ben_home
    assert "Amira" not in ben_home
    assert LESSON_LINK.findall(ben_home) == first  # the same map: the same tiles

    hidden = first[0]
    maps.set_hidden(session, school.teacher, school.pupil, hidden, True, all_lessons(session))
    session.commit()
    amira_home = amiras.get("/pupil/").data.decode()
    assert "Amira" in amira_home
    assert hidden not in LESSON_LINK.findall(amira_home)
    assert LESSON_LINK.findall(bens.get("/pupil/").data.decode()) == first


NAV = re.compile(r'<nav aria-label="Main">(.*?)</nav>', re.S)
NAV_LINK = re.compile(r"<a [^>]*>([^<]+)</a>")


def _nav(client: FlaskClient, path: str) -> tuple[list[str], str]:
    page = client.get(path)
    assert page.status_code == 200, path
    found = NAV.search(page.data.decode())
    assert found is not None, path
    return NAV_LINK.findall(found.group(1)), found.group(1)


def test_each_role_gets_its_own_links_and_its_own_alert_count_from_the_cached_nav(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    parent = make_account(session, Role.PARENT)
    admin = make_account(session, Role.ADMIN)
    session.commit()
    pupil_on_ipad(app, school).post("/pupil/worry", data={"key": "k", "what": "sad"})
    dsl, teacher = client_for(app, school.dsl), client_for(app, school.teacher)
    carer, admin_client = client_for(app, parent), client_for(app, admin)

    for _ in range(2):  # the second time, every nav comes from the cache
        links, html = _nav(dsl, "/pupils/")
        assert "Safeguarding queue" in links
        assert "<span data-count>1</span>" in html  # the new worry: their own count
        assert "Accounts" not in links
        links, html = _nav(teacher, "/pupils/")
        assert {"Home", "Alerts", "Our rules"} <= set(links)
        assert not {"Safeguarding queue", "Audit log", "Accounts", "Approvals"} & set(links)
        assert "data-count" not in html
        links, _html = _nav(carer, "/family/children/")
        assert links == ["My children", "Settings"]
        links, _html = _nav(admin_client, "/pupils/")
        assert {"Accounts", "Classes", "Audit log"} <= set(links)
        assert "Safeguarding queue" not in links


WHO = re.compile(r'<div class="who">\s*<span>([^<]+) <span class="role">\(([^)]+)\)</span>')
FOOTER_BACK = re.compile(r'<input type="hidden" name="back" value="([^"]*)">')


def test_each_person_sees_their_own_name_token_and_way_back_from_the_cached_header_and_footer(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    session.commit()
    dsl, teacher = client_for(app, school.dsl), client_for(app, school.teacher)
    for _ in range(2):  # the second time, the header and footer come from the cache
        for client, account, path in (
            (dsl, school.dsl, "/pupils/"),
            (teacher, school.teacher, f"/pupils/{school.pupil.id}"),
        ):
            page = client.get(path).data.decode()
            assert WHO.findall(page) == [(account.display_name, account.role.label)]
            tokens = set(TOKEN.findall(page))
            assert len(tokens) == 1  # the sign-out and contrast forms carry the page's own
            assert FOOTER_BACK.findall(page) == [path]
    teacher_token = set(TOKEN.findall(teacher.get("/pupils/").data.decode()))
    assert teacher_token != set(TOKEN.findall(dsl.get("/pupils/").data.decode()))
    teacher.set_cookie("contrast", "high")
    assert ">Standard contrast</button>" in teacher.get("/pupils/").data.decode()
    assert ">High contrast</button>" in dsl.get("/pupils/").data.decode()


def _controls(page: str, lesson_id: str) -> str:
    row = re.search(rf'<tr id="lesson-{re.escape(lesson_id)}".*?</tr>', page, re.S)
    assert row is not None, lesson_id
    return row.group(0)


def test_a_lesson_map_row_changes_at_once_and_each_pupils_forms_are_their_own(
    app: Flask, session: Session
) -> None:
    school = make_school(session)
    ben = make_pupil(session, school.oak, first_name="Ben")
    session.commit()
    teacher = client_for(app, school.teacher)
    amira_map = f"/pupils/{school.pupil.id}/lessons"
    page = teacher.get(amira_map).data.decode()
    lesson_id, other = re.findall(r'<tr id="lesson-([^"]+)"', page)[:2]
    assert ">Hide<" in _controls(page, lesson_id)

    hidden = teacher.post(f"{amira_map}/{lesson_id}/hide")
    assert hidden.status_code == 302
    page = teacher.get(amira_map).data.decode()
    assert ">Show<" in _controls(page, lesson_id)
    assert "Make target" not in _controls(page, lesson_id)  # a hidden lesson is no target
    assert ">Hide<" in _controls(page, other)

    bens = teacher.get(f"/pupils/{ben.id}/lessons").data.decode()
    assert ">Hide<" in _controls(bens, lesson_id)  # hidden for Amira only
    actions = re.findall(r'action="(/pupils/\d+/lessons/[^"]+)"', _controls(bens, lesson_id))
    assert actions
    assert all(a.startswith(f"/pupils/{ben.id}/") for a in actions)


def test_the_store_forgets_everything_past_its_budget_and_pages_stay_right(
    app: Flask, session: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    school = make_school(session)
    ipad = pupil_on_ipad(app, school)
    first = PER_RENDER.sub("", ipad.get("/pupil/").data.decode())
    store = app.extensions[fragments_web.STORE]
    assert 0 < store.size == sum(len(html) for html in store.values())

    budget = store.size + 1
    home_parts = set(store)
    monkeypatch.setattr(fragments_web, "BUDGET_BYTES", budget)
    worry = ipad.get("/pupil/worry").data.decode()  # its steps do not fit beside the home screen
    assert "Ms Lopez" in worry
    assert not home_parts <= set(store)  # forgotten
    assert store.size == sum(len(html) for html in store.values())
    assert store.size <= budget
    assert PER_RENDER.sub("", ipad.get("/pupil/").data.decode()) == first
