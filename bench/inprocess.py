"""In-process page timings: median time, SQL statements and new connections per page.

    .venv/bin/python bench/inprocess.py [--repeat N] [--profile "pupil home"]

No server and no network: each page is fetched with Flask's test client, so what is measured is
the app's own work for one request. `--profile PAGE` prints the top of a cProfile of that page.
"""

from __future__ import annotations

import argparse
import cProfile
import io
import pstats
import shutil
import sqlite3
import statistics
import sys
import tempfile
import time
from contextlib import closing
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from flask import Flask  # noqa: E402 - after the path is set
from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import event  # noqa: E402

from bench.run import (  # noqa: E402
    Instance,
    build_instance,
    config,
    sign_in_staff,
)
from classroom import create_app  # noqa: E402

HTTPS = {"base_url": "https://localhost"}


@dataclass
class PageTiming:
    page: str
    status: int
    median_ms: float
    statements: int
    connections: int
    cpu_ms: float = 0.0  # median CPU time (process_time): steadier than wall time when shared
    calls: int = 0  # Python function calls per fetch, from cProfile: steadier still


@dataclass
class Counter:
    statements: int = 0
    connections: int = 0


def pages(instance: Instance, step: str) -> list[tuple[str, str, str]]:
    """(who, label, path) of every page measured."""
    return [
        ("pupil", "pupil home", "/pupil/"),
        ("pupil", "lesson intro", f"/pupil/lessons/{instance.lesson_id}"),
        ("pupil", "lesson step", step),
        ("pupil", "worry flow", "/pupil/worry"),
        ("dsl", "DSL queue", "/safeguarding/"),
        ("dsl", "incident record", f"/safeguarding/{instance.incident_id}"),
        ("teacher", "teacher: pupils", "/pupils/"),
        ("teacher", "teacher: a pupil", f"/pupils/{instance.amira_id}"),
        ("teacher", "teacher: lesson map", f"/pupils/{instance.amira_id}/lessons"),
        ("teacher", "teacher: class heatmap", f"/assessment/classes/{class_of(instance)}"),
        ("parent", "parent: child's feed", f"/family/children/{instance.amira_id}"),
    ]


def class_of(instance: Instance) -> int:
    """The class of the bench's pupils (Oak), read straight from the database file."""
    with closing(sqlite3.connect(instance.folder / "classroom.sqlite3")) as db:
        row = db.execute("SELECT class_id FROM pupils WHERE id = ?", (instance.amira_id,))
        return int(row.fetchone()[0])


def signed_in(app: Flask, instance: Instance) -> tuple[dict[str, FlaskClient], str]:
    """A test client per role, signed in, and the path of a started lesson's first step."""
    clients = {who: app.test_client() for who in ("pupil", "dsl", "teacher", "parent")}
    pupil = clients["pupil"]
    pupil.set_cookie("__Host-classroom-ipad", instance.device_token, domain="localhost")
    pupil.post(f"/class-ipad/pupils/{instance.pupil_ids[0]}", **HTTPS)
    step = pupil.post(f"/pupil/lessons/{instance.lesson_id}/start", **HTTPS).headers["Location"]
    for who in ("dsl", "teacher", "parent"):
        sign_in_staff(clients[who], who, instance.folder / "classroom.sqlite3")
    return clients, step


ROUNDS = 5


def measure(app: Flask, instance: Instance, repeat: int) -> list[PageTiming]:
    """Each page fetched `repeat` times after one warm-up fetch, in rounds that take every page
    in turn.

    The host's speed drifts within a minute; pages timed one after another would carry that
    drift as a difference between them (it once made the teachers' pages look cheaper than the
    pupils' when, interleaved, they cost more).
    """
    counter = Counter()
    engine = app.extensions["db_engine"]

    def statement(*_args: Any) -> None:
        counter.statements += 1

    def connection(*_args: Any) -> None:
        counter.connections += 1

    event.listen(engine, "before_cursor_execute", statement)
    event.listen(engine, "connect", connection)
    clients, step = signed_in(app, instance)
    listed = pages(instance, step)
    first: dict[str, tuple[int, int, int]] = {}
    for who, label, path in listed:
        clients[who].get(path, **HTTPS)
        counter.statements = counter.connections = 0
        status = clients[who].get(path, **HTTPS).status_code
        first[label] = (status, counter.statements, counter.connections)
    times: dict[str, list[float]] = {label: [] for _who, label, _path in listed}
    cpu: dict[str, list[float]] = {label: [] for _who, label, _path in listed}
    for _round in range(ROUNDS):
        for who, label, path in listed:
            for _ in range(max(1, repeat // ROUNDS)):
                began, began_cpu = time.perf_counter(), time.process_time()
                clients[who].get(path, **HTTPS)
                cpu[label].append((time.process_time() - began_cpu) * 1000)
                times[label].append((time.perf_counter() - began) * 1000)
    found = []
    for who, label, path in listed:
        status, statements, connections = first[label]
        found.append(
            PageTiming(
                label, status, statistics.median(times[label]), statements, connections,
                statistics.median(cpu[label]), calls_per_fetch(clients[who], path),
            )  # fmt: skip
        )
    return found


def calls_per_fetch(client: FlaskClient, path: str, fetches: int = 5) -> int:
    """Python function calls for one fetch of `path` (cProfile over a few fetches)."""
    profiler = cProfile.Profile()
    profiler.enable()
    for _ in range(fetches):
        client.get(path, **HTTPS)
    profiler.disable()
    calls: int = pstats.Stats(profiler).total_calls  # type: ignore[attr-defined]
    return calls // fetches


def profile(
    app: Flask, instance: Instance, label: str, repeat: int, sort: str = "cumulative", top: int = 25
) -> str:
    """The top functions by `sort` (cumulative or tottime) for `repeat` fetches of one page.

    CPU time, not wall time: on a shared machine another process's work is not counted.
    """
    clients, step = signed_in(app, instance)
    who, _label, path = next(p for p in pages(instance, step) if p[1] == label)
    clients[who].get(path, **HTTPS)
    profiler = cProfile.Profile(time.process_time)
    profiler.enable()
    for _ in range(repeat):
        clients[who].get(path, **HTTPS)
    profiler.disable()
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats(sort).print_stats(top)
    return out.getvalue()


def run(factor: int, repeat: int) -> list[PageTiming]:
    """Build an instance with `factor` units of data and time every page in it."""
    folder = Path(tempfile.mkdtemp(prefix="classroom-inprocess-"))
    try:
        instance = build_instance(folder / f"x{factor}", factor)
        app = create_app(config(instance.folder, instance.url))
        app.config["WTF_CSRF_ENABLED"] = False
        try:
            return measure(app, instance, repeat)
        finally:
            app.extensions["db_engine"].dispose()
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def table(rows: list[PageTiming]) -> list[str]:
    lines = [
        "| page | status | median ms | CPU ms | function calls | SQL statements "
        "| new connections |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    lines += [
        f"| {r.page} | {r.status} | {r.median_ms:.1f} | {r.cpu_ms:.1f} | {r.calls:,} "
        f"| {r.statements} | {r.connections} |"
        for r in rows
    ]
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--factor", type=int, default=1)
    parser.add_argument("--profile", help="print a cProfile of this page (its label)")
    parser.add_argument("--sort", default="cumulative", choices=("cumulative", "tottime"))
    parser.add_argument("--top", type=int, default=25, help="how many functions to print")
    args = parser.parse_args()
    if args.profile:
        folder = Path(tempfile.mkdtemp(prefix="classroom-inprocess-"))
        try:
            instance = build_instance(folder / "x", args.factor)
            app = create_app(config(instance.folder, instance.url))
            app.config["WTF_CSRF_ENABLED"] = False
            print(profile(app, instance, args.profile, args.repeat, args.sort, args.top))
            app.extensions["db_engine"].dispose()
        finally:
            shutil.rmtree(folder, ignore_errors=True)
        return
    print("\n".join(table(run(args.factor, args.repeat))))


if __name__ == "__main__":
    main()
