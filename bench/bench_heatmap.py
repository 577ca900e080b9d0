"""Benchmark: the class heatmap with a year of observations, and ten times that.

Reports page time as a ratio to a minimal page (/health) served by the same app in the same
run, and the number of SQL queries, which must not grow with the rows shown.

    .venv/bin/python bench/bench_heatmap.py
"""

from __future__ import annotations

import random
import statistics
import sys
import tempfile
import time
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import event

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from classroom import create_app  # noqa: E402
from classroom.accounts.models import Role  # noqa: E402
from classroom.assessment.models import Observation  # noqa: E402
from classroom.db import get_session, utcnow  # noqa: E402
from classroom.migrate import upgrade  # noqa: E402
from classroom.pupils.models import Pathway  # noqa: E402
from tests.factories import make_account, make_class, make_pupil  # noqa: E402

PUPILS = 12
WEEKS = 39  # a school year of weekly observations per objective
RUNS = 15


def build(instance: Path, scale: int) -> tuple[Any, int, str]:
    """An instance with one class of 12 pupils and `scale` years of observations."""
    upgrade(f"sqlite:///{instance / 'classroom.sqlite3'}")
    app = create_app(
        {
            "ENV": "testing",
            "INSTANCE_PATH": str(instance),
            "WTF_CSRF_ENABLED": False,
            "SECRET_KEY": "bench-secret-key-0123456789abcdef0123",
            "ARGON2_MEMORY_KIB": 8192,
        }
    )
    rng = random.Random(7)
    with app.app_context():
        session = get_session()
        oak = make_class(session, name="Oak")
        teacher = make_account(session, Role.TEACHER, classes=[oak], password="bench password 1")
        pathways = list(Pathway)
        pupils = [make_pupil(session, oak, pathway=pathways[n % 3]) for n in range(PUPILS)]
        lessons = list(app.extensions["lessons"])
        today = utcnow().date()
        rows = []
        for pupil in pupils:
            for lesson in lessons:
                objective = lesson.version(
                    lesson.versions[pupils.index(pupil) % 3].pathway
                ).objective
                rows.extend(
                    Observation(
                        pupil_id=pupil.id,
                        lesson_id=lesson.id,
                        objective_id=objective.id,
                        pathway=pupil.pathway,
                        level=min(4, week * 4 // (WEEKS * scale) + rng.randint(0, 1)),
                        observed_on=today - timedelta(days=7 * (WEEKS * scale - week) // scale),
                        recorded_by_id=teacher.id,
                        recorded_at=utcnow(),
                    )
                    for week in range(WEEKS * scale)
                )
        session.add_all(rows)
        session.commit()
        return app, oak.id, teacher.username


def measure(app: Any, path: str, username: str) -> tuple[float, int]:
    """Median seconds and SQL statements for one signed-in GET."""
    client = app.test_client()
    client.post("/sign-in", data={"username": username, "password": "bench password 1"})
    engine = app.extensions["db_engine"]
    statements = []

    def count(*_args: Any) -> None:
        statements.append(1)

    times = []
    for _ in range(RUNS):
        statements.clear()
        event.listen(engine, "before_cursor_execute", count)
        start = time.perf_counter()
        with app.app_context():
            response = client.get(path)
        times.append(time.perf_counter() - start)
        event.remove(engine, "before_cursor_execute", count)
        assert response.status_code == 200, (path, response.status_code)
    return statistics.median(times), len(statements)


def main() -> None:
    print(f"{'data':<28}{'heatmap ms':>12}{'/health ms':>12}{'ratio':>8}{'SQL heatmap':>13}")
    for scale in (1, 10):
        with tempfile.TemporaryDirectory() as tmp:
            app, class_id, username = build(Path(tmp), scale)
            heat, queries = measure(app, f"/assessment/classes/{class_id}", username)
            base, _ = measure(app, "/health", username)
            observations = PUPILS * len(list(app.extensions["lessons"])) * WEEKS * scale
            label = f"{PUPILS} pupils, {observations} obs"
            print(
                f"{label:<28}{heat * 1000:>12.1f}{base * 1000:>12.2f}{heat / base:>8.0f}"
                f"{queries:>13}"
            )


if __name__ == "__main__":
    main()
