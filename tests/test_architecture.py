"""Imports point one way, down the layers drawn in docs/ARCHITECTURE.md.

The graph is read from the source with `ast` (tests/module_graph.py). A part may import any part
listed before it in LAYERS, never one after it; a new upward import fails here. Imports inside a
function must say why (`# lazy: <why>`) on its line or in a comment heading its block of imports.
"""

from __future__ import annotations

import ast

import pytest

from tests.module_graph import Import, all_imports, is_module, module_name, source_files

# Lowest first. Each part may import the parts above it in this list (same layer included), and
# nothing below. The layer names are the ones docs/ARCHITECTURE.md draws.
LAYERS: list[tuple[str, list[str]]] = [
    (
        "base",
        ["config", "sqlite_reads", "db", "localtime", "errors", "export", "forms", "photos", "qr"]
        + ["scale", "risks", "migrate", "paging", "sealing", "names"],
    ),
    ("policy", ["principals", "policy"]),
    ("people", ["audit", "outbox", "accounts", "pupils", "devices"]),
    ("web", ["web"]),
    (
        "features",
        [
            "accounts.views",
            "devices.views",
            "speech",
            "pupils.views",  # offers the voices speech can speak
            "symbols",
            "lessons",
            "rules",
            "worries",
            "review",
            "parents",
            "assessment",
            "admin",
            "core",
            "installed",
        ],
    ),
    (
        "shell",
        ["models", "migrations", "backup", "demo", "ipad", "templating", "worker", "cli"],
    ),
    ("factory", ["classroom"]),
]

# Modules that belong to a different part than their package.
# The people packages' own pages sit above web.py (which they use), among the features. (The
# pupil's iPad shell, classroom/ipad, gathers lessons, symbols and worries onto one screen: shell.)
PART_OVERRIDES = {
    "classroom.accounts.views": "accounts.views",
    "classroom.devices.views": "devices.views",
    "classroom.devices.tiles_views": "devices.views",
    "classroom.pupils.views": "pupils.views",
}

# principals.py and policy.py are pure functions over rows, so they read every feature's models
# (and nothing else of a feature); every service and view above then asks them.
MODELS_READERS = {"principals", "policy"}

# Upward imports allowed for now. Issue 17 took it from 32 to none: keep it empty.
KNOWN_UPWARD: set[str] = set()

ORDER = [part for _, parts in LAYERS for part in parts]
RANK = {part: index for index, part in enumerate(ORDER)}


def part_of(module: str) -> str:
    """The part (row of LAYERS) a dotted module belongs to."""
    for prefix, part in PART_OVERRIDES.items():
        if module == prefix or module.startswith(prefix + "."):
            return part
    pieces = module.split(".")
    if pieces[-1] == "cli" or pieces[-1].endswith("_cli"):
        return "cli"  # every command is shell: it owns its unit of work and may call any feature
    return pieces[1] if len(pieces) > 1 else "classroom"


def is_models(module: str) -> bool:
    """A feature's table definitions: models.py or *_models.py."""
    return module.rsplit(".", 1)[-1].endswith("models")


def is_upward(found: Import) -> bool:
    """An import from a lower part to a higher one (TYPE_CHECKING imports never run: allowed)."""
    source, target = part_of(found.source), part_of(found.target)
    if found.type_only or source == target:
        return False
    if source in MODELS_READERS and is_models(found.target):
        return False
    return RANK[target] > RANK[source]


def key(found: Import) -> str:
    """A line-number-free name for an import, so unrelated edits do not churn KNOWN_UPWARD."""
    return f"{found.source} -> {found.target}"


def upward(graph: list[Import]) -> list[Import]:
    """Every import that runs against the layer order."""
    return [found for found in graph if is_upward(found)]


def function_level(graph: list[Import]) -> list[Import]:
    """Every import made inside a function body."""
    return [found for found in graph if found.lazy and not found.type_only]


@pytest.fixture(scope="module")
def graph() -> list[Import]:
    return all_imports()


def test_every_part_of_the_package_has_a_place_in_the_layers(graph: list[Import]) -> None:
    parts = {part_of(found.source) for found in graph} | {part_of(f.target) for f in graph}
    assert parts - set(RANK) == set()


def test_no_new_upward_import(graph: list[Import]) -> None:
    new = sorted(str(found) for found in upward(graph) if key(found) not in KNOWN_UPWARD)
    assert new == [], "imports that point up the layers in docs/ARCHITECTURE.md"


def test_known_upward_imports_are_still_there(graph: list[Import]) -> None:
    # Once an arrow is turned round, its line here goes too, so it cannot come back unnoticed.
    still = {key(found) for found in upward(graph)}
    assert sorted(KNOWN_UPWARD - still) == []


def test_function_level_imports_say_why(graph: list[Import]) -> None:
    silent = [str(found) for found in function_level(graph) if "lazy:" not in found.text]
    assert silent == []


def test_the_layer_check_catches_an_upward_import() -> None:
    # The test above can fail: a people-layer module reaching into a feature is upward.
    reach = Import("classroom.pupils.services", "classroom.worries.services", 1, False, False, "")
    assert is_upward(reach)
    assert not is_upward(
        Import("classroom.worries.services", "classroom.pupils.services", 1, False, False, "")
    )
    assert not is_upward(
        Import("classroom.policy", "classroom.worries.models", 1, False, False, "")
    )
    assert is_upward(Import("classroom.policy", "classroom.worries.services", 1, False, False, ""))


def test_the_people_package_reaches_into_no_feature_it_serves(graph: list[Import]) -> None:
    # pupils/ is who exists (issue 11 item 8): lessons, worries, symbols and parents build on it,
    # so none of its modules may import them; the pupil's iPad shell that did is classroom/ipad.
    served = ("lessons", "worries", "symbols", "parents")
    reaching = sorted(
        str(found)
        for found in graph
        if found.source.startswith("classroom.pupils.")
        and not found.type_only
        and part_of(found.target) in served
    )
    assert reaching == []


def test_every_part_named_in_the_layers_exists() -> None:
    # A part renamed or removed must leave the table too, or the table drifts from the code.
    missing = [
        part
        for part in ORDER
        if part not in {"classroom", "worker"} and not is_module(f"classroom.{part}")
    ]
    assert missing == []


def test_one_writer_of_a_worrys_chronology() -> None:
    # The chronology is a statutory record: every entry is written by worries/chronology.py.
    writers = {
        module_name(path)
        for path in source_files()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Call) and getattr(node.func, "id", "") == "IncidentEntry"
    }
    assert writers == {"classroom.worries.chronology"}


def test_template_globals_are_registered_in_one_place() -> None:
    # Every name a template may use is in classroom/templating.py, not spread over blueprints.
    registering = {
        "add_app_template_global",
        "app_template_global",
        "add_app_template_filter",
        "app_template_filter",
        "app_context_processor",
        "add_template_filter",
        "add_template_global",
    }
    places = {
        module_name(path)
        for path in source_files()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute)
        and (node.attr in registering or node.attr == "globals")
    }
    assert places == {"classroom.templating"}
