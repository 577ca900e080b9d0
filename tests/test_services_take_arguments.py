"""Services take what they need as arguments (issue 17 item 3).

Only the request layer reads the request, the clock and the app's settings: views, the app's
web glue, CLI commands, the worker, the factory and the clock itself. Everything else (services,
queries, storage) is handed the actor, `now`, the client's address and the settings it needs,
so it can be called the same way from a view, a command, the worker or a test.

Read from the source with `ast`: a module outside the request layer may not import `request`,
`g`, `session`, `current_app`, `has_request_context` or `has_app_context` from Flask, nor call
`utcnow()`. Model column defaults (`default=utcnow`) name the clock without calling it: the
database layer stamps a row when it is written.
"""

from __future__ import annotations

import ast
from pathlib import Path

from tests.module_graph import module_name, source_files

FLASK_REQUEST_NAMES = {
    "request",
    "g",
    "session",
    "current_app",
    "has_request_context",
    "has_app_context",
}


def is_request_layer(module: str) -> bool:
    """Views, web glue, commands, the worker, the factory, settings and the clock itself."""
    last = module.rsplit(".", 1)[-1]
    return (
        last in {"views", "web", "cli", "errors", "worker", "config", "db", "migrate", "classroom"}
        or last.endswith(("_views", "_cli", "_web"))
        or module.startswith("classroom.migrations")
    )


def reads_of_the_request(path: Path) -> list[str]:
    """Each place a module takes the request, the app or the clock for itself."""
    tree = ast.parse(path.read_text(), filename=str(path))
    found = []
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.module == "flask":
            found.extend(
                f"line {node.lineno}: from flask import {alias.name}"
                for alias in node.names
                if alias.name in FLASK_REQUEST_NAMES
            )
        elif (
            isinstance(node, ast.Call)
            and isinstance(node.func, ast.Name)
            and node.func.id == "utcnow"
        ):
            found.append(f"line {node.lineno}: utcnow()")
    return found


def _readers() -> dict[str, list[str]]:
    return {
        name: reads
        for path in source_files()
        if not is_request_layer(name := module_name(path)) and (reads := reads_of_the_request(path))
    }


def test_services_take_the_request_the_clock_and_settings_as_arguments() -> None:
    found = _readers()
    report = "\n".join(f"{name}: {', '.join(reads)}" for name, reads in sorted(found.items()))
    assert found == {}, f"{len(found)} modules outside the request layer:\n{report}"


def test_the_check_finds_a_service_reading_the_clock_and_the_request(tmp_path: Path) -> None:
    service = tmp_path / "service.py"
    service.write_text(
        "from flask import current_app, request\n"
        "from classroom.db import utcnow\n"
        "def stamp(row):\n"
        "    row.at = utcnow()\n"
        "    row.ip = request.remote_addr\n"
    )
    model = tmp_path / "model.py"
    model.write_text("from classroom.db import utcnow\nat = Column(default=utcnow)\n")
    assert len(reads_of_the_request(service)) == 3
    assert reads_of_the_request(model) == []
    assert is_request_layer("classroom.worries.views")
    assert is_request_layer("classroom.lessons.authoring_views")
    assert not is_request_layer("classroom.worries.services")
