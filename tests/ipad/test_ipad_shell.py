"""The pupil's iPad shell (classroom/ipad) keeps every address a class iPad already knows.

Class iPads hold these addresses in bookmarks, on the home screen (the manifest's start URL) and
in the service worker, so moving the shell into its own package must not change one of them.
"""

from __future__ import annotations

import re
from pathlib import Path

from flask import Flask, url_for

from classroom.errors import CSRF_RECOVERY

ROOT = Path(__file__).resolve().parents[2]
URL_FOR = re.compile(r"url_for\(([^)]*)\)")
ENDPOINT = re.compile(r"[\"']([a-z_]+\.[a-z_]+)[\"']")

# (endpoint, its arguments, the address, the method a class iPad uses on it)
ADDRESSES = [
    ("ipad.start", {}, "/class-ipad", "GET"),
    ("ipad.tap_tile", {"pupil_id": 7}, "/class-ipad/pupils/7", "POST"),
    ("ipad.tile_again", {"pupil_id": 7}, "/class-ipad/pupils/7", "GET"),
    ("ipad.pictures", {"pupil_id": 7}, "/class-ipad/pupils/7/pictures", "GET"),
    ("ipad.pictures", {"pupil_id": 7}, "/class-ipad/pupils/7/pictures", "POST"),
    ("ipad.home", {}, "/pupil/", "GET"),
    ("ipad.worry_seen", {}, "/pupil/worry-seen", "POST"),
    ("ipad.finish_address", {}, "/pupil/finished", "GET"),
    ("ipad.finished", {}, "/pupil/finished", "POST"),
]


def test_the_class_ipad_screens_keep_their_addresses(app: Flask) -> None:
    routes = app.url_map.bind("localhost")
    with app.test_request_context():
        built = [url_for(endpoint, **values) for endpoint, values, _a, _m in ADDRESSES]
    assert built == [address for _e, _v, address, _m in ADDRESSES]
    matched = [routes.match(address, method)[0] for _e, _v, address, method in ADDRESSES]
    assert matched == [endpoint for endpoint, _v, _a, _m in ADDRESSES]


def test_the_people_package_serves_no_class_ipad_screen(app: Flask) -> None:
    # Staff pupil pages, settings and photos stay in pupils; no pupil screen is left behind there.
    shell_addresses = {address for _e, _v, address, _m in ADDRESSES}
    left = sorted(
        rule.rule
        for rule in app.url_map.iter_rules()
        if rule.endpoint.startswith("pupils.")
        and rule.rule.replace("<int:pupil_id>", "7") in shell_addresses
    )
    assert left == []


def test_every_address_the_code_builds_names_a_real_page(app: Flask) -> None:
    # An endpoint renamed in one place and not another (pupils.home -> ipad.home) would make the
    # page that builds the link fail with a server error; this finds it before a pupil does.
    sources = [*(ROOT / "classroom").rglob("*.py"), *(ROOT / "templates").rglob("*.html")]
    unknown = sorted(
        f"{path.relative_to(ROOT)}: {name}"
        for path in sources
        for call in URL_FOR.findall(path.read_text(encoding="utf-8"))
        for name in ENDPOINT.findall(call)
        if name not in app.view_functions
    )
    assert unknown == []


def test_a_stale_form_on_the_class_ipad_still_leads_back_to_a_screen(app: Flask) -> None:
    # Tiles, pictures and Finished recover from a stale form token by themselves (errors.py):
    # every page registered for that must exist, or the recovery silently stops working.
    assert {"ipad.tap_tile", "ipad.pictures", "ipad.finished"} <= set(CSRF_RECOVERY)
    assert sorted(set(CSRF_RECOVERY) - set(app.view_functions)) == []
