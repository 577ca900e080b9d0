"""The server is killed (SIGKILL) while worries arrive: every acknowledged report survives,
the iPads' retries create no duplicates, and the database is intact."""

from __future__ import annotations

import http.client
import json
import os
import re
import signal
import socket
import sqlite3
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest

from classroom import create_app
from classroom.db import get_session
from classroom.migrate import upgrade
from classroom.worries import envelope
from tests.app_settings import DAY_ENDED
from tests.factories import make_class, make_device, make_pupil

REPORTS = 60
SECRET = "durability-test-secret-key-0123456789abcdef"


def _port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


class Server:
    def __init__(self, instance: Path) -> None:
        self.instance, self.port = instance, _port()
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        env = {
            **os.environ,
            "CLASSROOM_INSTANCE": str(self.instance),
            "CLASSROOM_ENV": "testing",
            "CLASSROOM_SECRET_KEY": SECRET,
            "CLASSROOM_SCHOOL_DAY_END": DAY_ENDED,
        }
        self.process = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "gunicorn",
                "-w",
                "2",
                "-b",
                f"127.0.0.1:{self.port}",
                "--graceful-timeout",
                "1",
                "classroom:create_app()",
            ],
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            start_new_session=True,
        )
        deadline = time.monotonic() + 30
        while time.monotonic() < deadline:
            try:
                with socket.create_connection(("127.0.0.1", self.port), timeout=0.2):
                    return
            except OSError:
                time.sleep(0.1)
        raise RuntimeError("server did not start")

    def kill(self) -> None:
        assert self.process is not None
        os.killpg(self.process.pid, signal.SIGKILL)  # master and workers, no clean shutdown
        self.process.wait(10)


class Ipad:
    """A class iPad: its device cookie, a session cookie and the page's CSRF token."""

    def __init__(self, server: Server, device_token: str) -> None:
        self.server, self.device_token = server, device_token
        self.cookies: dict[str, str] = {"classroom-ipad": device_token}
        self.csrf = ""

    def _request(self, method: str, path: str, body: str | None = None) -> tuple[int, str]:
        conn = http.client.HTTPConnection("127.0.0.1", self.server.port, timeout=5)
        headers = {
            "Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items()),
            "Content-Type": "application/json",
            "X-CSRFToken": self.csrf,
        }
        try:
            conn.request(method, path, body=body, headers=headers)
            response = conn.getresponse()
            for header in response.headers.get_all("Set-Cookie") or []:
                name, value = header.split(";", 1)[0].split("=", 1)
                self.cookies[name] = value
            return response.status, response.read().decode()
        finally:
            conn.close()

    def refresh_token(self) -> None:
        _status, page = self._request("GET", "/class-ipad")
        found = re.search(r'name="csrf-token" content="([^"]+)"', page)
        if found:
            self.csrf = found.group(1)

    def send(self, sealed: dict[str, str]) -> bool:
        """True once the server has confirmed it (201 new, 200 already had it)."""
        try:
            if not self.csrf:
                self.refresh_token()
            status, _ = self._request(
                "POST", "/class-ipad/worries", json.dumps({"envelope": sealed})
            )
        except (OSError, http.client.HTTPException):
            # No answer, or one cut off when the server died mid-reply (IncompleteRead): not a
            # confirmation. The iPad's outbox (worry-outbox.js) keeps the worry and sends again.
            return False
        if status == 400:
            self.csrf = ""  # the session was lost with the server: fetch a fresh page and token
        return status in (200, 201)


@pytest.fixture
def school(tmp_path: Path) -> tuple[Path, str, list[dict[str, str]], list[str]]:
    upgrade(f"sqlite:///{tmp_path / 'classroom.sqlite3'}")
    app = create_app(
        {
            "ENV": "testing",
            "INSTANCE_PATH": str(tmp_path),
            "SECRET_KEY": SECRET,
            "ARGON2_MEMORY_KIB": 8192,
        }
    )
    with app.app_context():
        session = get_session()
        oak = make_class(session, name="Oak")
        pupil = make_pupil(session, oak)
        _device, token = make_device(session, oak)
        session.commit()
        key_file = tmp_path / "worry_key.pem"
        keys = [str(uuid.uuid4()) for _ in range(REPORTS)]
        sealed = [
            envelope.seal(
                key_file, {"key": k, "pupil_id": pupil.id, "what": "sad", "words": f"report {n}"}
            )
            for n, k in enumerate(keys)
        ]
    return tmp_path, token, sealed, keys


def test_killed_server_loses_no_acknowledged_worry_and_doubles_none(
    school: tuple[Path, str, list[dict[str, str]], list[str]],
) -> None:
    instance, token, sealed, keys = school
    server = Server(instance)
    server.start()
    acked: set[int] = set()
    lock = threading.Lock()

    def ipad_sends(indexes: list[int]) -> None:
        ipad = Ipad(server, token)
        for i in indexes:
            if ipad.send(sealed[i]):
                with lock:
                    acked.add(i)

    threads = [
        threading.Thread(target=ipad_sends, args=(list(range(n, REPORTS, 3)),)) for n in range(3)
    ]
    for thread in threads:
        thread.start()
    while len(acked) < REPORTS // 3:
        time.sleep(0.01)
    server.kill()  # while reports are still arriving
    for thread in threads:
        thread.join(30)
    confirmed_before_crash = set(acked)
    assert len(confirmed_before_crash) < REPORTS  # the crash really came mid-stream
    server.start()
    try:
        # Each iPad keeps what is unconfirmed and sends it again, as worry-outbox.js does.
        retry = Ipad(server, token)
        for _attempt in range(3):
            for i in range(REPORTS):
                if i not in acked and retry.send(sealed[i]):
                    acked.add(i)
        for i in sorted(confirmed_before_crash)[:5]:  # a replay of a confirmed one changes nothing
            assert retry.send(sealed[i])
    finally:
        server.kill()
    assert acked == set(range(REPORTS))
    db = sqlite3.connect(instance / "classroom.sqlite3")
    stored = [row[0] for row in db.execute("SELECT idempotency_key FROM incidents")]
    assert db.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
    db.close()
    assert sorted(stored) == sorted(keys)  # every report once: none lost, none doubled
    assert {keys[i] for i in confirmed_before_crash} <= set(stored)
