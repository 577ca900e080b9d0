"""Sign-in throttling holds end to end over HTTP with several server processes: gunicorn with two
workers, wrong passwords sent in parallel so both workers take them, and the limit is exact.

The database is the pass's own: a SQLite file in the SQLite pass, PostgreSQL in the PostgreSQL
pass. Guesses arrive at the same moment on purpose: a count-then-insert that is not serialised
would let every parallel guess through.
"""

from __future__ import annotations

import http.client
import os
import re
import signal
import socket
import subprocess
import sys
import threading
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest

from classroom.db import get_session
from tests.conftest import SECRET, Clock, build_app
from tests.factories import PASSWORD, make_account

ACCOUNT_LIMIT = 5
ADDRESS_LIMIT = 12


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Gunicorn:
    port: int
    access_log: Path

    def worker_pids(self) -> set[str]:
        """The worker processes that answered a sign-in POST (from the access log)."""
        lines = self.access_log.read_text().splitlines()
        return {line.split()[0] for line in lines if "POST /sign-in" in line}


@pytest.fixture
def server(tmp_path: Path, template_db: Path, clock: Clock) -> Iterator[Gunicorn]:
    """Two gunicorn workers on this pass's database, with one staff account in it."""
    app = build_app(tmp_path, template_db, clock)
    with app.app_context():
        make_account(get_session(), username="victim")
        get_session().commit()
        get_session().close()
    port, log = _free_port(), tmp_path / "access.log"
    env = {
        **os.environ,
        "CLASSROOM_INSTANCE": str(tmp_path),
        "CLASSROOM_DATABASE_URL": app.config["DATABASE_URL"],
        "CLASSROOM_ENV": "testing",
        "CLASSROOM_SECRET_KEY": SECRET,
        "CLASSROOM_ARGON2_MEMORY_KIB": "8192",
        "CLASSROOM_LOGIN_MAX_FAILURES_PER_ACCOUNT": str(ACCOUNT_LIMIT),
        "CLASSROOM_LOGIN_MAX_FAILURES_PER_ADDRESS": str(ADDRESS_LIMIT),
    }
    command = [sys.executable, "-m", "gunicorn", "-w", "2", "-b", f"127.0.0.1:{port}"]
    command += ["--access-logfile", str(log), "--access-logformat", "%(p)s %(r)s %(s)s"]
    process = subprocess.Popen(
        [*command, "classroom:create_app()"],
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
        start_new_session=True,
    )
    try:
        _wait_for(port)
        _wait_for_both_workers(port, log)
        yield Gunicorn(port, log)
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(15)


def _wait_for(port: int) -> None:
    # Each worker builds the app (lesson files and their picture checks): seconds on a busy box.
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        try:
            if _get(port, "/health")[0] == 200:
                return
        except OSError:
            time.sleep(0.1)
    raise RuntimeError("gunicorn did not start")


def _wait_for_both_workers(port: int, log: Path) -> None:
    """Both workers answer before the test starts: the first can be up seconds before the
    second has built its app, and guesses all sent to one worker would not test the sharing."""
    deadline = time.monotonic() + 90
    while time.monotonic() < deadline:
        asking = [threading.Thread(target=_get, args=(port, "/health")) for _ in range(4)]
        for thread in asking:
            thread.start()
        for thread in asking:
            thread.join(30)
        answered = {line.split()[0] for line in log.read_text().splitlines() if "/health" in line}
        if len(answered) >= 2:
            return
        time.sleep(0.2)
    raise RuntimeError("the second gunicorn worker did not start")


def _get(port: int, path: str, cookie: str = "") -> tuple[int, str, str]:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        conn.request("GET", path, headers={"Cookie": cookie} if cookie else {})
        response = conn.getresponse()
        set_cookie = (response.getheader("Set-Cookie") or "").split(";", 1)[0]
        return response.status, response.read().decode(), set_cookie
    finally:
        conn.close()


def attempt(port: int, username: str, password: str) -> int:
    """One sign-in as a browser makes it: fetch the form (cookie and CSRF token), post it."""
    _status, page, cookie = _get(port, "/sign-in")
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    assert token is not None
    body = f"username={username}&password={password}&csrf_token={token.group(1)}"
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    try:
        headers = {"Cookie": cookie, "Content-Type": "application/x-www-form-urlencoded"}
        conn.request("POST", "/sign-in", body=body, headers=headers)
        response = conn.getresponse()
        response.read()
        return response.status
    finally:
        conn.close()


def in_parallel(port: int, tries: list[tuple[str, str]], threads: int = 4) -> list[int]:
    """Send the sign-ins from several threads at once; their statuses, in no order."""
    statuses: list[int] = []
    lock, start = threading.Lock(), threading.Barrier(threads)

    def run(mine: list[tuple[str, str]]) -> None:
        start.wait()
        for username, password in mine:
            status = attempt(port, username, password)
            with lock:
                statuses.append(status)

    workers = [threading.Thread(target=run, args=(tries[n::threads],)) for n in range(threads)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join(120)
    assert len(statuses) == len(tries)
    return statuses


def test_wrong_passwords_across_workers_stop_at_the_account_limit(server: Gunicorn) -> None:
    statuses = in_parallel(server.port, [("victim", "wrong password here")] * 16)

    assert statuses.count(401) == ACCOUNT_LIMIT, sorted(statuses)
    assert statuses.count(429) == 16 - ACCOUNT_LIMIT
    assert len(server.worker_pids()) == 2  # both workers took guesses; the limit still held
    # Now even the right password is refused until the window passes.
    assert attempt(server.port, "victim", PASSWORD) == 429


def test_guesses_at_many_accounts_stop_at_the_address_limit(server: Gunicorn) -> None:
    tries = [(f"nobody{n}", "wrong password here") for n in range(20)]

    statuses = in_parallel(server.port, tries)

    assert statuses.count(401) == ADDRESS_LIMIT, sorted(statuses)
    assert statuses.count(429) == 20 - ADDRESS_LIMIT
    assert len(server.worker_pids()) == 2
    assert attempt(server.port, "victim", PASSWORD) == 429  # this address is throttled
