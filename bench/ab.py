"""Two checkouts under the same load, window by window: is a change faster beyond the noise?

    .venv/bin/python bench/ab.py BEFORE AFTER                  # every page read, 8 rounds
    .venv/bin/python bench/ab.py BEFORE AFTER --pages "heatmap,pupil home" --rounds 12
    .venv/bin/python bench/ab.py HERE HERE                     # the same tree twice: the noise

BEFORE and AFTER are folders holding a checkout (`git worktree add ../before <commit>`, say).
Each is served by its own gunicorn (the same number of workers), on its own copy of one instance
built by this checkout, so both trees must share its database schema (the same migrations).

On a shared machine the speed of the host moves by a third from one minute to the next, more than
most changes move a page. So both servers stay up, and each page is loaded in short windows on
one, then at once on the other (the order swapping every round): a slow minute falls on both.
Each pair of windows gives one ratio, AFTER's throughput over BEFORE's; the report gives their
median and interquartile range per page, beside each tree's throughput as a ratio to its own
minimal page. Run the same tree against itself first to see how wide the band is on the machine,
and include a page the change does not touch: two servers of one run can differ by a tenth for
reasons of their own (where their workers landed), and that page shows it.
Nothing is written; `bench/run.py` keeps RESULTS.md.
"""

from __future__ import annotations

import argparse
import dataclasses
import shutil
import statistics
import sys
import tempfile
from contextlib import ExitStack
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from bench import load  # noqa: E402 - after the path is set
from bench.run import (  # noqa: E402
    DRIVERS,
    MINIMAL,
    UNLIMITED,
    Drive,
    Instance,
    Scenario,
    build_instance,
    default_client,
    gunicorn,
    scenarios,
)

CLIENTS = 30


@dataclasses.dataclass
class Pairs:
    """Throughput of each window, per tree, for one page."""

    before: list[float] = dataclasses.field(default_factory=list)
    after: list[float] = dataclasses.field(default_factory=list)

    def ratios(self) -> list[float]:
        return sorted(a / b for b, a in zip(self.before, self.after, strict=True) if b)


def quartiles(values: list[float]) -> tuple[float, float, float]:
    """(first quartile, median, third quartile); at least two values."""
    first, middle, third = statistics.quantiles(values, n=4, method="inclusive")
    return first, middle, third


def copy_instance(instance: Instance, folder: Path) -> Instance:
    """The same instance in another folder: its database, keys and files, nothing shared."""
    shutil.copytree(instance.folder, folder)
    return dataclasses.replace(
        instance, folder=folder, url=f"sqlite:///{folder / 'classroom.sqlite3'}"
    )


def same_schema(before: Path, after: Path) -> bool:
    def versions(root: Path) -> set[str]:
        return {p.name for p in (root / "classroom" / "migrations" / "versions").glob("*.py")}

    return versions(before) == versions(after)


def measure(
    trees: dict[str, tuple[int, list[Scenario]]],
    wanted: list[str],
    rounds: int,
    seconds: float,
    drive: Drive,
) -> dict[str, Pairs]:
    """Every wanted page (and the minimal page) in `rounds` pairs of windows."""
    names = [MINIMAL.name] + [
        s.name for s in trees["before"][1] if any(w in s.name for w in wanted)
    ]
    found = {name: Pairs() for name in names}
    for round_ in range(rounds):
        order = ("before", "after") if round_ % 2 == 0 else ("after", "before")
        for name in names:
            for tree in order:
                port, plan = trees[tree]
                scenario = next(s for s in plan if s.name == name)
                result = drive(name, port, scenario.make, CLIENTS, UNLIMITED, seconds)
                getattr(found[name], tree).append(result.throughput)
        print(f"  round {round_ + 1} of {rounds}", flush=True)
    return found


def report(found: dict[str, Pairs]) -> list[str]:
    minimal = found[MINIMAL.name]
    lines = [
        "| page | before, of minimal | after, of minimal | after / before: median | IQR |",
        "|---|---:|---:|---:|---|",
    ]
    for name, pairs in found.items():
        low, middle, high = quartiles(pairs.ratios())
        before = statistics.median(pairs.before) / statistics.median(minimal.before)
        after = statistics.median(pairs.after) / statistics.median(minimal.after)
        lines.append(
            f"| {name} | {before:.3f} | {after:.3f} | {middle:.3f} | {low:.3f}–{high:.3f} |"
        )
    return lines


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("before", type=Path, help="a checkout: the baseline")
    parser.add_argument("after", type=Path, help="a checkout: the change")
    parser.add_argument("--pages", default="", help="comma-separated parts of page names")
    parser.add_argument("--rounds", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=3.0, help="length of one window")
    parser.add_argument("--workers", type=int, default=4)
    parser.add_argument("--client", choices=sorted(DRIVERS), help="wrk where installed")
    args = parser.parse_args()
    client = args.client or default_client()
    before, after = args.before.resolve(), args.after.resolve()
    if args.rounds < 2:
        parser.error("--rounds must be at least 2")
    if not same_schema(before, after):
        parser.error("the two checkouts have different migrations; compare trees that share one")
    folder = Path(tempfile.mkdtemp(prefix="classroom-ab-"))
    try:
        print("Building the instance (demo school + 1 unit of generated data) ...", flush=True)
        instance = build_instance(folder / "before", 1)
        copies = {"before": instance, "after": copy_instance(instance, folder / "after")}
        with ExitStack() as servers:
            trees = {}
            for tree, root in (("before", before), ("after", after)):
                port = servers.enter_context(gunicorn(copies[tree], args.workers, root))
                *reads, _worry = scenarios(port, copies[tree], [])
                for scenario in [MINIMAL, *reads]:  # warm every worker
                    load.run(scenario.name, port, scenario.make, 8, 60, 10)
                trees[tree] = (port, [MINIMAL, *reads])
            wanted = [part.strip() for part in args.pages.split(",")]
            found = measure(trees, wanted, args.rounds, args.seconds, DRIVERS[client][0])
    finally:
        shutil.rmtree(folder, ignore_errors=True)
    print(f"\nbefore: {before}\nafter:  {after}\n{args.workers} workers, {CLIENTS} clients "
          f"from {DRIVERS[client][1]}, "
          f"{args.rounds} pairs of {args.seconds:g} s windows per page\n")  # fmt: skip
    print("\n".join(report(found)))


if __name__ == "__main__":
    main()
