"""Benchmarks for classroom: one command, about five minutes on two cores.

    .venv/bin/python bench/run.py            # everything; writes bench/RESULTS.md
    .venv/bin/python bench/run.py --quick    # shorter runs, to try the bench itself

What it measures, on a temporary SQLite instance holding the demo school plus generated data:
1. Under load (gunicorn, several sync workers, 30 and 300 concurrent clients on loopback):
   pupil pages, the safeguarding queue and the worry endpoint (sealed envelopes, as class iPads
   send them), each as a ratio to a minimal Flask page served by the same gunicorn, measured in
   windows of equal time alternating with the page's own: throughput, p50 and p99. Page reads
   are driven by wrk where it is installed (`bench/wrk.py` says why it matters), else by the
   bench's own Python client (`--client python`); the report names which.
2. A cached speech clip against a static file of the same size, over the same server, in
   alternating windows.
3. Page weight of each pupil page: HTML + CSS + JS + symbols (audio excluded), as served.
4. SQL statements per page at 1x and 10x data (counted in-process with a SQLAlchemy
   before_cursor_execute event), so a query count that grows with the data stands out.
5. In-process symbol and speech timings (bench/bench_symbols_speech.py).
"""

from __future__ import annotations

import argparse
import gzip
import json
import os
import platform
import re
import shutil
import signal
import socket
import sqlite3
import subprocess
import sys
import tempfile
import time
import uuid
from collections.abc import Callable, Iterator
from contextlib import closing, contextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

import pyotp  # noqa: E402 - after the path is set
from flask import Flask  # noqa: E402
from flask.testing import FlaskClient  # noqa: E402
from sqlalchemy import event, select  # noqa: E402
from sqlalchemy.orm import Session  # noqa: E402

from bench import bench_symbols_speech as symbols_speech  # noqa: E402
from bench import data, load, wrk  # noqa: E402
from bench.data import grow  # noqa: E402
from classroom import create_app, demo  # noqa: E402
from classroom.accounts import two_factor  # noqa: E402
from classroom.accounts.models import Account, TwoFactor  # noqa: E402
from classroom.db import get_session, utcnow, writing  # noqa: E402
from classroom.devices.models import Device  # noqa: E402
from classroom.devices.services import new_device  # noqa: E402
from classroom.lessons import maps  # noqa: E402
from classroom.migrate import upgrade  # noqa: E402
from classroom.pupils.models import Pupil, SchoolClass  # noqa: E402
from classroom.speech.services import shared_synthesiser  # noqa: E402
from classroom.symbols.symboliser import symbolise  # noqa: E402
from classroom.worries import envelope  # noqa: E402
from classroom.worries import services as worries  # noqa: E402
from classroom.worries.models import Incident  # noqa: E402

PASSWORD = "bench-demo-password-0123"
SECRET = "bench-secret-key-0123456789abcdef0123456789"
RESULTS = ROOT / "bench" / "RESULTS.md"
# Two-step sign-in: the bench's safeguarding team share one authenticator secret.
TWO_STEP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"
CODE_PAGE = "/sign-in/code"


# --- The instance -------------------------------------------------------------------------------


@dataclass
class Instance:
    folder: Path
    url: str
    device_token: str
    pupil_ids: list[int]
    lesson_id: str
    incident_id: int
    amira_id: int
    class_id: int


def config(folder: Path, url: str) -> dict[str, Any]:
    return {
        "ENV": "production",
        "INSTANCE_PATH": str(folder),
        "DATABASE_URL": url,
        "SECRET_KEY": SECRET,
        "SCHOOL_DAY_END": "23:59",  # pupils can sign in whenever the bench runs
        "PUPIL_IDLE_MINUTES": 60,
    }


def build_instance(folder: Path, factor: int) -> Instance:
    """A migrated SQLite instance with the demo school grown by `factor` units."""
    folder.mkdir(parents=True, exist_ok=True)
    url = f"sqlite:///{folder / 'classroom.sqlite3'}"
    upgrade(url)
    app = create_app(config(folder, url))
    with app.app_context(), writing():
        session = get_session()
        demo.seed(
            session,
            PASSWORD,
            now=utcnow(),
            instance=folder,
            secret_key=str(app.config["SECRET_KEY"]),
        )
        grow(session, factor)
        enrol_two_step(session, folder)
        oak = session.scalars(select(SchoolClass).where(SchoolClass.name == "Oak")).one()
        _device, token = new_device(session, oak.id, "Bench iPad", None, now=utcnow())
        pupils = list(session.scalars(select(Pupil).where(Pupil.class_id == oak.id)))
        amira = next(p for p in pupils if p.first_name == "Amira")
        lessons = maps.catalogue(session, app.extensions["lessons"])
        lesson_id = maps.pupil_map(session, amira, lessons, today=utcnow().date())[0].lesson.id
        incident = session.scalars(select(Incident).order_by(Incident.id)).first()
        assert incident is not None
        session.commit()
        envelope.private_key(folder / "worry_key.pem")
        ids = [p.id for p in pupils if p.picture_password_hash is None]
        instance = Instance(folder, url, token, ids, lesson_id, incident.id, amira.id, oak.id)
    app.extensions["db_engine"].dispose()
    return instance


def enrol_two_step(session: Session, instance: Path) -> None:
    """Give every account that needs two-step sign-in an authenticator app the bench knows."""
    enrolled = select(TwoFactor.account_id)
    for account in session.scalars(select(Account).where(Account.id.not_in(enrolled))):
        if two_factor.is_required(account):
            now = datetime.now(UTC)
            sealed = two_factor.seal_secret(instance, account.id, TWO_STEP_SECRET)
            session.add(
                TwoFactor(
                    account_id=account.id, sealed_secret=sealed, created_at=now, confirmed_at=now
                )
            )


def two_step_code(database: Path) -> str:
    """The code the authenticator shows now; its last use is forgotten first, since a code is
    accepted once and the bench signs the team in more than once in 30 seconds."""
    with closing(sqlite3.connect(database)) as db, db:
        db.execute("UPDATE two_factor SET last_step = NULL")
    return str(pyotp.TOTP(TWO_STEP_SECRET).now())


# --- The server ---------------------------------------------------------------------------------


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@contextmanager
def gunicorn(instance: Instance, workers: int, root: Path = ROOT) -> Iterator[int]:
    """gunicorn serving bench.wsgi (the app and the minimal page) on a free loopback port, from
    the checkout at `root` (bench/ab.py serves two)."""
    port = free_port()
    env = {
        **os.environ,
        "CLASSROOM_INSTANCE": str(instance.folder),
        "CLASSROOM_DATABASE_URL": instance.url,
        "CLASSROOM_SECRET_KEY": SECRET,
        "CLASSROOM_ENV": "production",
        "CLASSROOM_SCHOOL_DAY_END": "23:59",
        "CLASSROOM_PUPIL_IDLE_MINUTES": "60",
        "CLASSROOM_LOGIN_MAX_FAILURES_PER_ADDRESS": "1000",
    }
    command = [sys.executable, "-m", "gunicorn", "-w", str(workers), "-b", f"127.0.0.1:{port}"]
    command += ["--backlog", "2048", "--timeout", "120", "--pythonpath", str(root)]
    process = subprocess.Popen(
        [*command, "bench.wsgi:application"],
        cwd=root,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=(instance.folder / "gunicorn.log").open("wb"),
        start_new_session=True,
    )
    try:
        deadline = time.monotonic() + 180  # a busy shared machine starts workers slowly
        while True:
            try:
                if load.send(port, load.Request("GET", "/__minimal/"), 5)[0] == 200:
                    break
            except OSError:
                if time.monotonic() > deadline:
                    raise RuntimeError("gunicorn did not start") from None
                time.sleep(0.2)
        yield port
    finally:
        os.killpg(process.pid, signal.SIGTERM)
        process.wait(30)


# --- Browsers -----------------------------------------------------------------------------------

CSRF = re.compile(r'name="csrf-token" content="([^"]+)"')


@dataclass
class Browser:
    """Cookies and a CSRF token, kept by hand (the bench speaks plain http.client)."""

    port: int
    cookies: dict[str, str] = field(default_factory=dict)
    csrf: str = ""

    def headers(self, **extra: str) -> dict[str, str]:
        cookie = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        return {"Cookie": cookie, "X-CSRFToken": self.csrf, **extra}

    def request(self, method: str, path: str, body: bytes | None = None, **extra: str) -> Any:
        status, data, response = load.send(
            self.port, load.Request(method, path, self.headers(**extra), body)
        )
        for header in response.headers.get_all("Set-Cookie") or []:
            name, value = header.split(";", 1)[0].split("=", 1)
            self.cookies[name] = value
        page = data.decode(errors="replace")
        found = CSRF.search(page)
        if found:
            self.csrf = found.group(1)
        return status, page, response.headers.get("Location", "")

    def form(self, path: str, **fields: str) -> Any:
        body = urlencode({"csrf_token": self.csrf, **fields}).encode()
        return self.request(
            "POST", path, body, **{"Content-Type": "application/x-www-form-urlencoded"}
        )


def staff(port: int, username: str, database: Path | None = None) -> Browser:
    """A signed-in member of staff; the safeguarding team types their authenticator code too."""
    browser = Browser(port)
    browser.request("GET", "/sign-in")
    status, _page, location = browser.form("/sign-in", username=username, password=PASSWORD)
    assert status == 302, f"{username} could not sign in ({status})"
    if location.endswith(CODE_PAGE):
        assert database is not None, f"{username} needs the database to sign in"
        browser.request("GET", CODE_PAGE)  # the form's token: sign-in began a fresh session
        status, _page, location = browser.form(CODE_PAGE, code=two_step_code(database))
        assert status == 302, f"{username}: code step answered {status}"
        assert not location.endswith(CODE_PAGE), f"{username}: code refused"
    browser.request("GET", "/about")
    return browser


def pupil(port: int, instance: Instance, pupil_id: int) -> tuple[Browser, str]:
    """A pupil on the class iPad, and the URL of the first step of a lesson they started."""
    browser = Browser(port, {"__Host-classroom-ipad": instance.device_token})
    browser.request("GET", "/class-ipad")
    status, _page, location = browser.form(f"/class-ipad/pupils/{pupil_id}")
    assert location.endswith("/pupil/"), (status, location)
    browser.request("GET", "/pupil/")
    status, _page, step = browser.form(f"/pupil/lessons/{instance.lesson_id}/start")
    assert status == 302, status
    return browser, step


# --- 1. Pages under load ------------------------------------------------------------------------


@dataclass
class Scenario:
    name: str
    make: Callable[[int], load.Request]


MINIMAL = Scenario("minimal Flask page", lambda _n: load.Request("GET", "/__minimal/"))
UNLIMITED = 10**9  # a window ends on time, not on a number of requests
WORRIES = {30: 1500, 300: 3000}  # the most worries sent at each level (each one is sealed first)
# load.run or wrk.run: (name, port, make, clients, most requests, most seconds) -> Result
Drive = Callable[[str, int, Callable[[int], load.Request], int, int, float], load.Result]
DRIVERS: dict[str, tuple[Drive, str]] = {
    "wrk": (wrk.run, "wrk (a load generator in C)"),
    "python": (load.run, "the bench's own Python client (bench/load.py)"),
}


def default_client() -> str:
    if wrk.available():
        return "wrk"
    print("wrk is not installed (apt-get install wrk): pages are read by the Python client, "
          "whose own cost raises every ratio to the minimal page", flush=True)  # fmt: skip
    return "python"


@dataclass
class Measured:
    """A page measured in windows of equal time, each between two windows of a baseline."""

    page: load.Result  # the page's windows, pooled
    base: load.Result  # the baseline's windows, pooled
    ratios: list[float]  # each window's throughput over the mean of the baseline's either side

    @property
    def ratio(self) -> float:
        return self.page.throughput / self.base.throughput


def against(
    port: int,
    page: Scenario,
    base: Scenario,
    clients: int,
    timing: tuple[int, float],
    most: int = UNLIMITED,
    drive: Drive = load.run,
) -> Measured:
    """`page` in `rounds` windows of `seconds`, each between two windows of `base`.

    Side by side in time, a change in the shared machine's load (another process, a busier
    minute) moves the page and its baseline alike, so the ratio is what the page costs and not
    when it ran. Windows are of equal time, not of equal requests: a fast baseline measured over
    a fixed number of requests lasted a fraction of a second, and its ratios swung by a third
    from one run to the next. `most` caps the page's own requests (the worries it can send).
    """
    rounds, seconds = timing

    def window(scenario: Scenario, cap: int) -> load.Result:
        return drive(scenario.name, port, scenario.make, clients, cap, seconds)

    bases, pages = [window(base, UNLIMITED)], []
    for _ in range(rounds):
        pages.append(window(page, most))
        bases.append(window(base, UNLIMITED))
    ratios = [
        p.throughput / ((before.throughput + after.throughput) / 2)
        for p, before, after in zip(pages, bases, bases[1:], strict=False)
    ]
    return Measured(load.merged(pages), load.merged(bases), ratios)


def scenarios(port: int, instance: Instance, envelopes: list[bytes]) -> list[Scenario]:
    pupils = [pupil(port, instance, pid) for pid in instance.pupil_ids]
    dsl = staff(port, "dsl", instance.folder / "classroom.sqlite3")
    teacher = staff(port, "teacher")

    def pupil_get(path_of: Callable[[int], str]) -> Callable[[int], load.Request]:
        def make(n: int) -> load.Request:
            browser, step = pupils[n % len(pupils)]
            return load.Request("GET", path_of(n) or step, browser.headers())

        return make

    def worry(n: int) -> load.Request:
        browser, _step = pupils[n % len(pupils)]
        headers = browser.headers(**{"Content-Type": "application/json"})
        return load.Request("POST", "/class-ipad/worries", headers, envelopes[n])

    return [
        Scenario("pupil home /pupil/", pupil_get(lambda _n: "/pupil/")),
        Scenario("pupil lesson step", pupil_get(lambda _n: "")),
        Scenario("pupil worry flow /pupil/worry", pupil_get(lambda _n: "/pupil/worry")),
        Scenario(
            "DSL queue /safeguarding/",
            lambda _n: load.Request("GET", "/safeguarding/", dsl.headers()),
        ),
        Scenario(
            "teacher: class heatmap",
            lambda _n: load.Request(
                "GET", f"/assessment/classes/{instance.class_id}", teacher.headers()
            ),
        ),
        Scenario(
            "teacher: pupils /pupils/",
            lambda _n: load.Request("GET", "/pupils/", teacher.headers()),
        ),
        Scenario(
            "teacher: lesson map",
            lambda _n: load.Request(
                "GET", f"/pupils/{instance.amira_id}/lessons", teacher.headers()
            ),
        ),
        Scenario("worry POST /class-ipad/worries", worry),
    ]


def seal_envelopes(instance: Instance, count: int) -> list[bytes]:
    """Worries as class iPads send them: each sealed to the server's key, each its own key."""
    key_file = instance.folder / "worry_key.pem"
    pupil_ids = instance.pupil_ids
    return [
        json.dumps(
            {
                "envelope": envelope.seal(
                    key_file,
                    {
                        "key": str(uuid.uuid4()),
                        "pupil_id": pupil_ids[n % len(pupil_ids)],
                        "what": "sad",
                        "words": f"bench worry {n}",
                    },
                )
            }
        ).encode()
        for n in range(count)
    ]


def under_load(
    port: int,
    instance: Instance,
    levels: list[int],
    timing: dict[int, tuple[int, float]],
    drive: Drive,
) -> list[Measured]:
    """Each page at each level of concurrency, against the minimal page measured around it; the
    worries are sent last, since every one adds an open incident to the queue the DSL page lists
    (measured again, full, at the end). `drive` reads the pages; the worries, each its own
    sealed envelope and as many as were sealed, are sent by the Python client, and so is the
    minimal page around them."""
    plan = scenarios(port, instance, seal_envelopes(instance, sum(WORRIES.values()) + 100))
    for scenario in [MINIMAL, *plan]:  # warm every worker: imports, templates, the catalogue
        load.run(scenario.name, port, scenario.make, 8, 40, 10)
    *reads, worry = plan
    results = []
    for level in levels:
        for scenario in reads:
            print(f"  {scenario.name}, {level} clients ...", flush=True)
            results.append(against(port, scenario, MINIMAL, level, timing[level], drive=drive))
    offset = 40  # envelopes the warm-up used
    for level in levels:

        def make(n: int, first: int = offset) -> load.Request:
            return worry.make(first + n)

        print(f"  {worry.name}, {level} clients ...", flush=True)
        sending = Scenario(worry.name, make)
        results.append(against(port, sending, MINIMAL, level, (1, 10.0), WORRIES[level]))
        offset += WORRIES[level]
    queue = next(s for s in reads if s.name.startswith("DSL"))
    top_up(instance, 4000)
    full = Scenario(f"DSL queue with {open_incidents(instance)} open worries", queue.make)
    print(f"  {full.name}, 30 clients ...", flush=True)
    results.append(against(port, full, MINIMAL, 30, timing[30], drive=drive))
    return results


def server_errors(instance: Instance) -> list[str]:
    """The distinct exceptions the app logged during the run, with how often each came."""
    log = instance.folder / "gunicorn.log"
    text = log.read_text(errors="replace") if log.exists() else ""
    found = re.findall(r"^(\w+(?:\.\w+)*(?:Error|Exception)\b[^\n]*)$", text, re.MULTILINE)
    return [f"{found.count(line)}× {line[:160]}" for line in sorted(set(found))]


def top_up(instance: Instance, wanted: int) -> None:
    """Raise pupils' worries in-process until `wanted` are open (the queue's backlog)."""

    missing = wanted - open_incidents(instance)
    if missing <= 0:
        return
    app = create_app(config(instance.folder, instance.url))
    with app.app_context(), writing():
        session = get_session()
        device = session.scalars(select(Device)).first()
        pupils = list(session.scalars(select(Pupil).where(Pupil.id.in_(instance.pupil_ids))))
        for n in range(missing):
            choices = worries.WorryChoices(what="sad")
            pupil = pupils[n % len(pupils)]
            key, now, base_url = str(uuid.uuid4()), utcnow(), str(app.config["BASE_URL"])
            worries.raise_worry(session, pupil, device, key, choices, now=now, base_url=base_url)
            if n % 200 == 199:
                session.commit()
        session.commit()
    app.extensions["db_engine"].dispose()


def open_incidents(instance: Instance) -> int:
    with closing(sqlite3.connect(instance.folder / "classroom.sqlite3")) as db:
        row = db.execute("SELECT count(*) FROM incidents WHERE status != 'closed'").fetchone()
    return int(row[0])


# --- 2. Cached audio against a static file ------------------------------------------------------


def audio_against_static(
    port: int, instance: Instance, timing: tuple[int, float], drive: Drive
) -> Measured:
    """The app's cached-clip route against gunicorn-served static bytes of the same size, in
    alternating windows at 30 clients."""
    browser = staff(port, "teacher")
    clip = clip_key(browser, instance)
    size = (instance.folder / "audio" / clip[:2] / f"{clip}.mp3").stat().st_size
    static = ROOT / "static" / f".bench-{uuid.uuid4().hex}.mp3"
    shutil.copy(instance.folder / "audio" / clip[:2] / f"{clip}.mp3", static)
    try:
        audio = load.Request("GET", f"/speech/audio/{clip}.mp3", browser.headers())
        same = load.Request("GET", f"/static/{static.name}")
        return against(
            port,
            Scenario(f"cached clip MP3 ({size} B)", lambda _n: audio),
            Scenario("static file, same size", lambda _n: same),
            30,
            timing,
            drive=drive,
        )
    finally:
        static.unlink(missing_ok=True)


def clip_key(browser: Browser, instance: Instance) -> str:
    """Ask the server for a clip (espeak-ng); without speech, place a cached clip by hand."""
    body = json.dumps({"text": "Tell a trusted adult."}).encode()
    status, page, _location = browser.request(
        "POST", "/speech/clip", body, **{"Content-Type": "application/json"}
    )
    if status == 200:
        key: str = json.loads(page)["key"]
        return key
    key = uuid.uuid4().hex * 2
    folder = instance.folder / "audio" / key[:2]
    folder.mkdir(parents=True, exist_ok=True)
    (folder / f"{key}.mp3").write_bytes(os.urandom(24_000))  # about 3 s of 64 kbit/s audio
    (folder / f"{key}.json").write_text("[]")
    print("  (no server speech here: a 24 KB stand-in clip is served instead)")
    return key


# --- 3. Page weight -----------------------------------------------------------------------------

ASSET = re.compile(r'(?:href|src)="(/(?:static|symbols)/[^"]+)"')


def page_weights(port: int, instance: Instance) -> list[tuple[str, int, int, int]]:
    """(page, requests, bytes, gzip bytes) for each pupil page, assets included once."""
    browser, step = pupil(port, instance, instance.pupil_ids[0])
    pages = {
        "pupil home": "/pupil/",
        "lesson intro": f"/pupil/lessons/{instance.lesson_id}",
        "lesson step": step,
        "worry flow": "/pupil/worry",
        "school rules": "/pupil/rules",
    }
    rows = []
    for name, path in pages.items():
        status, html, _location = browser.request("GET", path)
        if status != 200:
            continue
        assets = sorted(set(ASSET.findall(html)))
        total, packed = len(html.encode()), len(gzip.compress(html.encode()))
        for asset in assets:
            if asset.endswith(".mp3"):
                continue
            code, body, _response = load.send(
                port, load.Request("GET", asset.replace("&amp;", "&"), browser.headers())
            )
            if code == 200:
                total, packed = total + len(body), packed + len(gzip.compress(body))
        rows.append((name, 1 + len(assets), total, packed))
    return rows


# --- 4. SQL statements per page -----------------------------------------------------------------


def sql_per_page(folder: Path, factors: tuple[int, ...]) -> list[tuple[str, list[int]]]:
    """Statements each page runs, with the school at each size in `factors`."""
    counts: dict[str, list[int]] = {}
    for factor in factors:
        instance = build_instance(folder / f"x{factor}", factor)
        app = create_app(config(instance.folder, instance.url))
        app.config["WTF_CSRF_ENABLED"] = False
        for page, number in count_statements(app, instance).items():
            counts.setdefault(page, []).append(number)
        app.extensions["db_engine"].dispose()
    return list(counts.items())


def sign_in_staff(browser: FlaskClient, username: str, database: Path) -> None:
    """Sign a test client in, with the two-step code where the role has one (the DSL)."""
    https = {"base_url": "https://localhost"}
    signed = browser.post("/sign-in", data={"username": username, "password": PASSWORD}, **https)
    if signed.headers.get("Location", "").endswith(CODE_PAGE):
        signed = browser.post(CODE_PAGE, data={"code": two_step_code(database)}, **https)
    assert signed.status_code == 302, (username, signed.status_code)
    assert not signed.headers["Location"].endswith(CODE_PAGE), (username, "code refused")


def count_statements(app: Flask, instance: Instance) -> dict[str, int]:
    statements = 0

    def count(*_args: Any) -> None:
        nonlocal statements
        statements += 1

    event.listen(app.extensions["db_engine"], "before_cursor_execute", count)
    with app.app_context():
        session = get_session()
        oak_incident = instance.incident_id
        teacher = session.scalars(select(Account).where(Account.username == "teacher")).one()
        get_session().close()
    pages = [
        ("pupil", "pupil home", "/pupil/"),
        ("pupil", "lesson intro", f"/pupil/lessons/{instance.lesson_id}"),
        ("pupil", "lesson step", "STEP"),
        ("pupil", "worry flow", "/pupil/worry"),
        ("dsl", "DSL queue", "/safeguarding/"),
        ("dsl", "incident record", f"/safeguarding/{oak_incident}"),
        ("teacher", "teacher: pupils", "/pupils/"),
        ("teacher", "teacher: a pupil", f"/pupils/{instance.amira_id}"),
        ("teacher", "teacher: lesson map", f"/pupils/{instance.amira_id}/lessons"),
        ("teacher", "teacher: class heatmap", f"/assessment/classes/{instance.class_id}"),
        ("parent", "parent: child's feed", f"/family/children/{instance.amira_id}"),
    ]
    browsers = {
        "pupil": app.test_client(),
        "dsl": app.test_client(),
        "teacher": app.test_client(),
        "parent": app.test_client(),
    }
    https = {"base_url": "https://localhost"}
    browsers["pupil"].set_cookie("__Host-classroom-ipad", instance.device_token, domain="localhost")
    browsers["pupil"].post(f"/class-ipad/pupils/{instance.pupil_ids[0]}", **https)
    step = browsers["pupil"].post(f"/pupil/lessons/{instance.lesson_id}/start", **https)
    step_path = step.headers["Location"]
    database = instance.folder / "classroom.sqlite3"
    for name in ("dsl", "teacher", "parent"):
        username = {"dsl": "dsl", "teacher": teacher.username, "parent": "parent"}[name]
        sign_in_staff(browsers[name], username, database)
    found = {}
    for who, label, path in pages:
        browsers[who].get(path if path != "STEP" else step_path, **https)  # warm any caches
        statements = 0
        response = browsers[who].get(path if path != "STEP" else step_path, **https)
        found[label] = statements if response.status_code == 200 else -response.status_code
    return found


# --- Report -------------------------------------------------------------------------------------


def machine() -> dict[str, str]:
    cpu = "unknown"
    cpuinfo = Path("/proc/cpuinfo")
    if cpuinfo.exists():
        names = re.findall(r"model name\s*:\s*(.+)", cpuinfo.read_text())
        cpu = names[0].strip() if names else cpu
    memory = "unknown"
    meminfo = Path("/proc/meminfo")
    if meminfo.exists():
        kib = int(re.search(r"MemTotal:\s+(\d+)", meminfo.read_text()).group(1))  # type: ignore[union-attr]
        memory = f"{kib / 1024 / 1024:.1f} GiB"
    return {
        "nproc": str(os.cpu_count()),
        "memory": memory,
        "CPU": cpu,
        "Python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()}",
    }


def report(
    results: list[Measured],
    audio: Measured,
    weights: list[tuple[str, int, int, int]],
    sql: list[tuple[str, list[int]]],
    pages: list[Any],
    speech: list[tuple[str, float, str]],
    logged: list[str],
    workers: int,
    factors: tuple[int, ...],
    took: float,
    client: str,
) -> str:
    lines = ["# Benchmark results", ""]
    lines += [
        f"Run {datetime.now(UTC):%Y-%m-%d %H:%M} UTC with `.venv/bin/python bench/run.py` "
        f"in {took:.0f} s."
    ]
    lines += ["", "| machine | |", "|---|---|"]
    lines += [f"| {k} | {v} |" for k, v in machine().items()]
    lines += ["", f"## 1. Under load: gunicorn, {workers} sync workers, SQLite (WAL), loopback", ""]
    lines += [
        "Each page is measured in windows of equal time, each between two windows of the "
        "minimal Flask page served by the same gunicorn at the same concurrency; its ratios are "
        "to those minimal windows (throughput: higher is better for the page; latency: how many "
        "times slower). *Each window* gives every window's own throughput ratio, so the "
        "machine's noise shows. The instance holds the demo school plus one unit of generated "
        "data (section 4); the worries are sent after the pages are measured, and the last row "
        "is the DSL queue again with every worry the run sent still open. Client and server "
        "share the machine's cores; every request opens its own connection.",
        "",
        f"Pages (and the minimal page around them) were read by {DRIVERS[client][1]}. The worry "
        "POSTs, each a sealed envelope of its own, were sent by the bench's Python client, and "
        "so was the minimal page around them.",
        "",
    ]
    lines += table_of(results)
    for level in sorted({r.page.clients for r in results}):
        speeds = [b.throughput for r in results if r.page.clients == level for b in [r.base]]
        lines += [
            "",
            f"The minimal page at {level} clients, pooled per page measured: "
            f"{min(speeds):.0f}–{max(speeds):.0f} requests a second.",
        ]
    queue = next(r for r in results if r.page.name.startswith("DSL queue /"))
    full = results[-1]
    lines += [
        "",
        f"{full.page.name}: {full.ratio / queue.ratio:.2f} of the queue with the run's own "
        f"backlog ({full.ratio:.3f} against {queue.ratio:.3f} of the minimal page).",
    ]
    lines += ["", "Exceptions the app logged during the run: " + ("; ".join(logged) or "none.")]
    lines += ["", "## 2. Cached speech clip against a static file (same gunicorn, same client)", ""]
    lines += ["| file | clients | req/s | p50 ms | p99 ms |", "|---|---:|---:|---:|---:|"]
    lines += [
        f"| {r.name} | {r.clients} | {r.throughput:.1f} | {r.p50:.1f} | {r.p99:.1f} |"
        for r in (audio.page, audio.base)
    ]
    lines += [
        "",
        f"Cached clip / static: throughput {audio.ratio:.2f}x (each window: "
        f"{each(audio.ratios)}), p50 {audio.page.p50 / audio.base.p50:.2f}x.",
    ]
    lines += ["", "## 3. Page weight of pupil pages (HTML + CSS + JS + symbols; no audio)", ""]
    lines += ["| page | requests | bytes | gzip bytes |", "|---|---:|---:|---:|"]
    lines += [f"| {name} | {n} | {size:,} | {packed:,} |" for name, n, size, packed in weights]
    lines += ["", "## 4. SQL statements per page", ""]
    header = " | ".join(f"{f}x data" for f in factors)
    lines += [f"| page | {header} | grows? |", "|---|" + "---:|" * len(factors) + "---|"]
    for page, numbers in sql:
        grows = "**yes**" if len(set(numbers)) > 1 else "no"
        shown = " | ".join(str(n) if n >= 0 else f"HTTP {-n}" for n in numbers)
        lines.append(f"| {page} | {shown} | {grows} |")
    lines += ["", f"1x data = demo school + {describe_unit()}; 10x = ten such units.", ""]
    lines += ["## 4b. Each page in-process (bench/inprocess.py, Flask test client, 1x data)", ""]
    from bench.inprocess import table  # noqa: PLC0415 - inprocess imports this module

    lines += [*table(pages), ""]
    if speech:
        lines += ["## 5. Symbols and speech in-process (bench/bench_symbols_speech.py)", ""]
        lines += ["| measure | median |", "|---|---:|"]
        lines += [f"| {name} | {value:.3f} {unit} |" for name, value, unit in speech]
    return "\n".join(lines) + "\n"


def table_of(results: list[Measured]) -> list[str]:
    lines = [
        "| page | clients | requests | req/s | p50 ms | p99 ms | req/s ratio | each window "
        "| p50 ratio | p99 ratio | errors |",
        "|---|---:|---:|---:|---:|---:|---:|---|---:|---:|---:|",
    ]
    for measured in results:
        r, base = measured.page, measured.base
        lines.append(
            f"| {r.name} | {r.clients} | {r.requests} | {r.throughput:.1f} | {r.p50:.1f} "
            f"| {r.p99:.1f} | {measured.ratio:.3f} | {each(measured.ratios)} "
            f"| {r.p50 / base.p50:.1f} | {r.p99 / base.p99:.1f} | {failures(r)} |"
        )
    return lines


def each(ratios: list[float]) -> str:
    return " · ".join(f"{ratio:.2f}" for ratio in ratios)


def failures(result: load.Result) -> str:
    """How many requests failed, and how: HTTP statuses, or "net" for a dropped connection."""
    if not result.errors:
        return "0"
    bad = {k: v for k, v in result.statuses.items() if k not in (200, 201)}
    dropped = result.errors - sum(bad.values())
    parts = [f"{v}× {k or 'non-2xx'}" for k, v in sorted(bad.items())]  # 0: wrk's, code untold
    parts += [f"{dropped}× net"] if dropped else []
    return f"{result.errors} ({', '.join(parts)})"


def describe_unit() -> str:

    return (
        f"{data.CLASSES_PER_UNIT} classes of {data.PUPILS_PER_CLASS} pupils, "
        f"{data.WORRIES_PER_UNIT} worries, {data.ATTEMPTS_PER_UNIT} lesson attempts and "
        f"{data.MOMENTS_PER_UNIT} learning moments shared with a carer"
    )


def speech_in_process(quick: bool) -> list[tuple[str, float, str]]:
    """The existing symbols-and-speech bench, fewer repeats (skipped without espeak-ng)."""

    one, _all = symbols_speech.lesson_texts()
    rows = [("symbolise one lesson", symbols_speech.timed(lambda: symbolise(one), 50), "ms")]
    if not shared_synthesiser().available():
        return rows
    folder = Path(tempfile.mkdtemp(prefix="bench-speech-"))
    try:
        args = argparse.Namespace(clips=3 if quick else 8, repeat=50 if quick else 200)
        rows += symbols_speech.speech_rows(symbols_speech.make_app(folder), folder, one, args)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    return rows


def pages_only(workers: int, drive: Drive) -> None:
    """The page reads at 30 clients, each against the minimal page measured around it: a quick
    before/after comparison of two versions of the code on a shared machine."""
    folder = Path(tempfile.mkdtemp(prefix="classroom-bench-"))
    try:
        instance = build_instance(folder / "load", 1)
        with gunicorn(instance, workers) as port:
            *reads, _worry = scenarios(port, instance, [])
            for scenario in [MINIMAL, *reads]:
                load.run(scenario.name, port, scenario.make, 8, 40, 10)
            # The minimal page against itself first: the method's own error, at about 1.00.
            control = Scenario(f"{MINIMAL.name} (control)", MINIMAL.make)
            results = [
                against(port, s, MINIMAL, 30, (3, 2.0), drive=drive) for s in [control, *reads]
            ]
        for line in table_of(results):
            print(line)
        print("Exceptions the app logged:", server_errors(instance) or "none")
    finally:
        shutil.rmtree(folder, ignore_errors=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--quick", action="store_true", help="short runs (about a minute)")
    parser.add_argument("--workers", type=int, default=max(2, 2 * (os.cpu_count() or 1)))
    parser.add_argument("--no-write", action="store_true", help="print only; keep RESULTS.md")
    parser.add_argument(
        "--client",
        choices=sorted(DRIVERS),
        help="what reads the pages: wrk (the default where installed) or the Python client",
    )
    parser.add_argument(
        "--pages-only",
        action="store_true",
        help="only the page reads at 30 clients, as ratios to the minimal page; writes nothing",
    )
    args = parser.parse_args()
    client = args.client or default_client()
    drive = DRIVERS[client][0]
    if args.pages_only:
        pages_only(args.workers, drive)
        return
    began = time.perf_counter()
    levels = [30, 300]
    # (windows of each page, seconds a window): at 300 clients the question is whether
    # anything fails, so one window is enough.
    timing = {30: (1, 1.0), 300: (1, 2.0)} if args.quick else {30: (3, 2.0), 300: (1, 3.0)}
    folder = Path(tempfile.mkdtemp(prefix="classroom-bench-"))
    try:
        print("Building the instance (demo school + 1 unit of generated data) ...", flush=True)
        instance = build_instance(folder / "load", 1)
        with gunicorn(instance, args.workers) as port:
            print(f"gunicorn on 127.0.0.1:{port} with {args.workers} workers", flush=True)
            results = under_load(port, instance, levels, timing, drive)
            print("  cached audio against a static file ...", flush=True)
            audio = audio_against_static(port, instance, timing[30], drive)
            weights = page_weights(port, instance)
        logged = server_errors(instance)
        print("Counting SQL statements per page at 1x and 10x data ...", flush=True)
        factors = (1, 10)
        sql = sql_per_page(folder, factors)
        print("Per-page time in-process ...", flush=True)
        from bench import inprocess  # noqa: PLC0415 - inprocess imports this module

        pages = inprocess.run(1, 10 if args.quick else 30)
        print("Symbols and speech in-process ...", flush=True)
        speech = speech_in_process(args.quick)
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    text = report(
        results,
        audio,
        weights,
        sql,
        pages,
        speech,
        logged,
        args.workers,
        factors,
        time.perf_counter() - began,
        client,
    )
    print()
    print(text)
    if not args.no_write:
        RESULTS.write_text(text)
        print(f"Written to {RESULTS.relative_to(ROOT)}")


if __name__ == "__main__":
    main()
