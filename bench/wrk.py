"""wrk, a load generator written in C, as the client for page reads.

The bench's own client (`bench/load.py`) is Python threads on the same two cores as the
server. Its cost per request is large and the same for every page, so it takes a bigger share
of the minimal page's time than of a page's, and every ratio to the minimal page comes out
higher than the server's work alone would make it. With wrk the client's share is small,
which is how the goals' ratios are meant: measured this way, the minimal page serves about
twice the requests a second, and the pages' ratios are about a third lower (RESULTS.md).

`run` takes the same arguments as `load.run` and gives a `load.Result`; wrk reports
percentiles, not each latency. It cycles through the first requests `make` builds (each pupil's
cookies in turn, say), sent as they are. Needs `wrk` (Debian: `apt-get install wrk`).
"""

from __future__ import annotations

import os
import re
import shutil
import subprocess
import tempfile
from collections.abc import Callable
from pathlib import Path

from bench import load

DISTINCT = 60  # requests built from `make` and cycled through: more than any rotation's length
DONE = re.compile(r"^BENCH (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+) (\d+)$", re.M)

# Each wrk thread runs this; `done` prints one line the parser below reads.
SCRIPT = """
local requests = {%(requests)s}
local at = 0
request = function()
  at = at %% #requests + 1
  return requests[at]
end
done = function(summary, latency, _rates)
  local e = summary.errors
  io.write(string.format("BENCH %%d %%d %%d %%d %%d %%d %%d %%d %%d\\n",
    summary.requests, summary.duration, e.connect, e.read, e.write, e.status, e.timeout,
    latency:percentile(50), latency:percentile(99)))
end
"""


def available() -> bool:
    return shutil.which("wrk") is not None


def raw(port: int, request: load.Request) -> str:
    """The request as it goes on the wire: HTTP/1.1, the host, its headers, its body."""
    body = (request.body or b"").decode()
    headers = {"Host": f"{load.HOST}:{port}", **request.headers}
    if body:
        headers["Content-Length"] = str(len(body.encode()))
    lines = [f"{request.method} {request.path} HTTP/1.1"]
    lines += [f"{name}: {value}" for name, value in headers.items()]
    return "\r\n".join(lines) + "\r\n\r\n" + body


def lua_string(text: str) -> str:
    """A quoted Lua string holding `text` exactly, every byte but plain ASCII as `\\ddd`.

    Not a long string (`[[...]]`): Lua turns each CR LF in one into LF, and the server refuses
    a request whose lines end so.
    """
    return '"' + "".join(
        chr(b) if 32 <= b < 127 and b not in (34, 92) else f"\\{b:03d}" for b in text.encode()
    ) + '"'


def run(
    name: str,
    port: int,
    make: Callable[[int], load.Request],
    clients: int,
    max_requests: int,
    max_seconds: float,
    ok: frozenset[int] = frozenset({200, 201}),
) -> load.Result:
    """`clients` connections from wrk for `max_seconds` (whole seconds at least one)."""
    if max_requests < 10**9:
        raise ValueError("wrk runs for a time, not a number of requests: use load.run")
    distinct = [make(n) for n in range(DISTINCT)]
    for request in {raw(port, r): r for r in distinct}.values():  # each answers as it should
        status = load.send(port, request)[0]
        if status not in ok:
            raise RuntimeError(f"{name}: {request.method} {request.path} answered {status}")
    requests = ",\n".join(lua_string(raw(port, r)) for r in distinct)
    with tempfile.TemporaryDirectory(prefix="bench-wrk-") as folder:
        script = Path(folder) / "requests.lua"
        script.write_text(SCRIPT % {"requests": requests})
        seconds = max(1, round(max_seconds))
        threads = min(os.cpu_count() or 1, clients)  # a thread per core, at most one per connection
        command = ["wrk", "-t", str(threads), "-c", str(clients), "-d", f"{seconds}s"]
        command += ["--timeout", "30s", "-s", str(script), f"http://{load.HOST}:{port}/"]
        out = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    found = DONE.search(out)
    if found is None:
        raise RuntimeError(f"wrk gave no summary for {name}:\n{out}")
    done, micros, connect, read, write, status, timeout, p50, p99 = map(int, found.groups())
    errors = connect + read + write + status + timeout
    return load.Result(
        name,
        clients,
        done - status,
        micros / 1e6,
        [],
        {200: done - status, **({0: status} if status else {})},
        errors,
        quantiles={50: p50 / 1000, 99: p99 / 1000},
    )
