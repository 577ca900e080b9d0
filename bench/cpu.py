"""Where a page's time goes under load: the server's CPU, the client's, and the cores left idle.

    .venv/bin/python bench/cpu.py [--pages "heatmap,pupil home"] [--seconds 5] [--rounds 2]
                                  [--client wrk|python]

The throughput ratios of `bench/run.py` say how much more a page costs than the minimal page, not
why. Here each page is loaded for a few seconds by 30 clients on gunicorn (4 sync workers, as in
run.py) while the CPU time of the server's processes (user and system, from /proc) and of the
client is counted: per request, each is what that side spent; "cores busy" is the share of the
machine's cores the two used together. A page whose cores are not all busy is waiting, not
computing: for the disk (a COMMIT's fsync) or for SQLite's write lock, which more CPU would not
help. Compare the server's CPU per request with the page's in-process time (bench/inprocess.py):
the difference is what serving it among other workers adds. The client is wrk where it is
installed (its CPU counted as this process's children's), else the bench's Python client (this
process's own). Nothing is written.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time
from dataclasses import dataclass
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import load  # noqa: E402 - after the path is set
from bench.run import (  # noqa: E402
    DRIVERS,
    MINIMAL,
    UNLIMITED,
    Drive,
    Scenario,
    build_instance,
    default_client,
    gunicorn,
    scenarios,
)

CLIENTS, WORKERS = 30, 4
HEADER = (
    "| page | req/s | server user ms/req | server system ms/req | client ms/req | cores busy "
    "| errors |\n|---|---:|---:|---:|---:|---:|---:|"
)
TICKS = os.sysconf("SC_CLK_TCK")


@dataclass
class Spent:
    """CPU seconds of the server's processes (user, system) and of the client: this process and
    the children it has waited for (wrk)."""

    user: float
    system: float
    client: float

    @classmethod
    def now(cls, pids: list[int]) -> Spent:
        user = system = 0.0
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            user, system = user + int(fields[11]) / TICKS, system + int(fields[12]) / TICKS
        mine = os.times()
        client = mine.user + mine.system + mine.children_user + mine.children_system
        return cls(user, system, client)


def server_pids(port: int) -> list[int]:
    """gunicorn's master and workers: every process whose command line names the port."""
    found = subprocess.run(["pgrep", "-f", f"127.0.0.1:{port}"], capture_output=True, text=True)
    return [int(pid) for pid in found.stdout.split()]


def measure(port: int, scenario: Scenario, seconds: float, drive: Drive) -> str:
    pids = server_pids(port)
    before, began = Spent.now(pids), time.perf_counter()
    result = drive(scenario.name, port, scenario.make, CLIENTS, UNLIMITED, seconds)
    after, took = Spent.now(pids), time.perf_counter() - began
    n = max(result.requests, 1)
    user, system = after.user - before.user, after.system - before.system
    client = after.client - before.client
    busy = (user + system + client) / took / (os.cpu_count() or 1)
    return (
        f"| {scenario.name} | {result.throughput:.0f} | {1000 * user / n:.2f} | "
        f"{1000 * system / n:.2f} | {1000 * client / n:.2f} | {100 * busy:.0f}% | {result.errors} |"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--pages", default="", help="comma-separated parts of page names")
    parser.add_argument("--seconds", type=float, default=5.0, help="load per page and round")
    parser.add_argument("--rounds", type=int, default=2)
    parser.add_argument("--client", choices=sorted(DRIVERS), help="wrk where installed")
    args = parser.parse_args()
    drive = DRIVERS[args.client or default_client()][0]
    wanted = [part.strip() for part in args.pages.split(",") if part.strip()]
    folder = Path(tempfile.mkdtemp(prefix="classroom-cpu-"))
    try:
        instance = build_instance(folder / "load", 1)
        with gunicorn(instance, WORKERS) as port:
            *reads, _worry_post = scenarios(port, instance, [])
            pages = [s for s in reads if not wanted or any(w in s.name for w in wanted)]
            for scenario in [MINIMAL, *pages]:  # every worker warm before anything is counted
                load.run(scenario.name, port, scenario.make, 8, 40, 10)
            print(HEADER, flush=True)
            for _round in range(args.rounds):
                for scenario in [MINIMAL, *pages]:
                    print(measure(port, scenario, args.seconds, drive), flush=True)
    finally:
        shutil.rmtree(folder, ignore_errors=True)


if __name__ == "__main__":
    main()
