"""Every route, as every kind of person, answers as its declared access rule says (and with the
strict headers), in the production configuration: HTTPS, secure cookies, CSRF on, HSTS.

No route is left out: one without a rule, or with an argument the walk has no real value for,
fails here. See tests/security/walk.py for the world, the actors and the expectations.
"""

from __future__ import annotations

import io
import re
from collections.abc import Iterator
from typing import Any

import pytest
import pyzipper
from werkzeug.test import TestResponse

from classroom import create_app, policy
from tests import databases
from tests.app_settings import DAY_ENDED
from tests.conftest import SECRET, RequestIsolatedClient
from tests.security.walk import (
    ACTORS,
    EMPTY_COUNTS,
    FOREIGN,
    OTHER_SCHOOL_STAFF,
    Outcome,
    World,
    build_world,
    first_school_strings,
    header_problems,
    leaks,
    list_pages,
    missing_samples,
    problems,
    routes,
    signed_in,
    walk,
)

WALKED: dict[str, list[Outcome]] = {}


@pytest.fixture(scope="module")
def world(tmp_path_factory: pytest.TempPathFactory, template_db: Any) -> Iterator[World]:
    """One production-configured instance with the demo school, shared by the whole walk."""
    instance = tmp_path_factory.mktemp("walk")
    app = create_app(
        {
            "ENV": "production",
            "INSTANCE_PATH": str(instance),
            "DATABASE_URL": databases.database_for(instance, template_db, lasting=True),
            "SECRET_KEY": SECRET,
            "ARGON2_MEMORY_KIB": 8192,
            "SCHOOL_DAY_END": DAY_ENDED,
            "GC_FREEZE_AT_START": 0,  # a test process, not a worker: nothing frozen
        }
    )
    app.test_client_class = RequestIsolatedClient
    databases.keep_connections(app.extensions["db_engine"])
    yield build_world(app)
    app.extensions["db_engine"].dispose()


def outcomes_for(world: World, actor: str) -> list[Outcome]:
    if actor not in WALKED:
        WALKED[actor] = walk(world, actor)
    return WALKED[actor]


def test_every_route_argument_has_a_real_value_to_walk_with(world: World) -> None:
    assert missing_samples(world) == [], "add these to SAMPLES in tests/security/walk.py"


@pytest.mark.parametrize("actor", list(ACTORS))
def test_every_route_answers_as_its_access_rule_says(world: World, actor: str) -> None:
    outcomes = outcomes_for(world, actor)
    found = problems(world, outcomes)
    assert found == [], "\n".join(found)


@pytest.mark.parametrize("actor", list(ACTORS))
def test_every_answer_carries_the_security_headers(world: World, actor: str) -> None:
    found = header_problems(outcomes_for(world, actor))
    assert found == [], "\n".join(found)


def test_the_walk_reaches_every_route_and_uses_real_records(world: World) -> None:
    """Each GET route shows a page to someone (so the ids are real), each POST route that is not
    public is refused to someone, and the isolation checks really ran for other schools' and
    families' people."""
    every = [o for actor in ACTORS for o in outcomes_for(world, actor)]
    reached = {(o.method, o.endpoint) for o in every if o.status < 400}
    refused = {(o.method, o.endpoint) for o in every if o.status in (302, 403)}
    unseen = [
        f"GET {rule.rule} ({rule.endpoint}) answered nobody with a page"
        for rule, method in routes(world.app)
        if method == "GET" and (method, rule.endpoint) not in reached
    ]
    unrefused = [
        f"POST {rule.rule}"
        for rule, method in routes(world.app)
        if method == "POST"
        and (method, rule.endpoint) not in refused
        and policy.route_rule(world.app.view_functions[rule.endpoint]) != "public"
    ]
    assert unseen == [], "\n".join(unseen)
    assert unrefused == [], "POST routes nobody was refused:\n" + "\n".join(unrefused)
    for actor in FOREIGN:
        hidden = [o for o in outcomes_for(world, actor) if o.foreign and o.status == 404]
        assert hidden, f"{actor} met no record hidden from them"


HEADING = re.compile(r"<h([1-6])\b")


def heading_skips(html: str) -> list[str]:
    """Where a page's headings jump down more than one level (h1 then h3): a screen reader's
    list of headings then shows a part with no heading above it to belong to."""
    levels = [int(level) for level in HEADING.findall(html)]
    return [f"h{a} then h{b}" for a, b in zip([0, *levels], levels, strict=False) if b > a + 1]


@pytest.mark.parametrize("actor", list(ACTORS))
def test_every_page_s_headings_go_down_one_level_at_a_time(world: World, actor: str) -> None:
    found = [
        f"{o.path}: {skips}"
        for o in outcomes_for(world, actor)
        if o.status == 200 and (skips := heading_skips(o.html))
    ]
    assert found == [], "\n".join(found)


# An attribute whose value is Python's None: a template passed None where it meant "leave it
# out" (aria-describedby="None" points a screen reader at nothing).
NONE_ATTRIBUTE = re.compile(r'\s[a-z-]+="None"')


@pytest.mark.parametrize("actor", list(ACTORS))
def test_no_page_renders_an_attribute_of_none(world: World, actor: str) -> None:
    found = [
        f"{o.path}: {sorted(set(NONE_ATTRIBUTE.findall(o.html)))}"
        for o in outcomes_for(world, actor)
        if o.status == 200 and NONE_ATTRIBUTE.search(o.html)
    ]
    assert found == [], "\n".join(found)


def test_second_schools_staff_see_nothing_of_the_first_on_any_list_page(world: World) -> None:
    """Every list, search and export page (any GET route whose URL names no record), as each
    staff role of a second school on the same instance: none of the first school's pupils'
    names or UPNs, staff names or emails, incident references, class or iPad names appear,
    and pages that only count say the second school has no worries."""
    assert set(OTHER_SCHOOL_STAFF.values()) == policy.STAFF_ROLES, "one of each staff role"
    strings = first_school_strings(world)
    pages = list_pages(world.app)
    # The checks can fail: the first school's own DSL sees its pupils and its worries counted.
    own = signed_in(world, "dsl", "dsl")
    assert "Amira Khan (pupil's name)" in leaks(strings, own.request("GET", "/pupils/").text)
    assert not EMPTY_COUNTS["/safeguarding/queue/state"](
        own.request("GET", "/safeguarding/queue/state")
    )
    found, shown = [], 0
    for username in OTHER_SCHOOL_STAFF:
        person = signed_in(world, username, username)
        for path in pages:
            response = person.request("GET", path)
            shown += response.status_code == 200
            found += _what_it_gives_away(response, f"{username} GET {path}", strings)
    assert found == [], "\n".join(found)
    assert shown > len(OTHER_SCHOOL_STAFF) * 10, "the walk showed hardly any pages"


def _what_it_gives_away(response: TestResponse, where: str, strings: dict[str, str]) -> list[str]:
    path = response.request.path
    if response.status_code == 200 and path in EMPTY_COUNTS and not EMPTY_COUNTS[path](response):
        return [f"{where}: counts the first school's worries"]
    text = response.get_data(as_text=True) + response.headers.get("Location", "")
    return [f"{where} {response.status_code}: {hit}" for hit in leaks(strings, text)]


@pytest.mark.parametrize("path", ["/safeguarding/review/export", "/parents/export"])
def test_second_schools_dsl_exports_nothing_of_the_first(world: World, path: str) -> None:
    """The encrypted downloads (the incident log, the messages with carers) hold only the
    exporting school's records."""
    strings = first_school_strings(world)
    contents = {}
    for username in ("dsl", "other-dsl"):
        person = signed_in(world, username, username)
        phrase = "a long walk passphrase"
        data = {"passphrase": phrase, "confirm": phrase, "csrf_token": person.csrf}
        response = person.request("POST", path, data=data)
        assert response.headers["Content-Type"] == "application/zip", (username, response.status)
        archive = pyzipper.AESZipFile(io.BytesIO(response.data))
        archive.setpassword(phrase.encode())
        contents[username] = "".join(
            archive.read(n).decode("utf-8-sig") for n in archive.namelist()
        )
    assert leaks(strings, contents["other-dsl"]) == []
    assert leaks(strings, contents["dsl"]), "the first school's own export names its people"
