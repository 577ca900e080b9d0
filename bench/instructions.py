"""Machine instructions per page fetch, counted by Valgrind: the same count on every run.

    .venv/bin/python bench/instructions.py                           # every page, this checkout
    .venv/bin/python bench/instructions.py --pages "lesson map,pupil home"
    .venv/bin/python bench/instructions.py --pages "lesson map" BEFORE AFTER   # two checkouts

Timings on a shared machine move by a fifth from one minute to the next (bench/ab.py pairs
windows to see through that), while most changes left to make to a page are worth a few
hundredths. Valgrind's callgrind counts the instructions the CPU runs instead, which do not
depend on what else the machine is doing: two runs of the same tree agree within about half a
percent. Each page runs in its own process under callgrind with counting off while the app
starts and signs everyone in (argon2 alone would take minutes counted), then on for `--fetches`
fetches with Flask's test client, as `bench/inprocess.py` makes them. The test client's own
work is in the count; `minimal Flask page` shows how much that is.

An instruction count is not a time (a cache miss costs more than an addition), so a change
that matters should still be confirmed under load with `bench/ab.py`. Needs `valgrind` (Debian:
`apt-get install valgrind`). Nothing is written; every tree's pages run on a copy of one
instance built by this checkout, so both trees must share its database schema.
"""

from __future__ import annotations

import argparse
import concurrent.futures
import json
import os
import re
import shutil
import subprocess
import sys
import tempfile
from dataclasses import asdict
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MINIMAL = "minimal Flask page"
WARM_UP = 20  # fetches before counting: caches filled, first-use imports done


def child(tree: Path, instance_file: Path, label: str, fetches: int) -> None:
    """Runs under Valgrind: start the app, fetch `label` WARM_UP times, then say READY and
    fetch it `fetches` times between two lines from the parent (who turns counting on and off)."""
    sys.path.insert(0, str(tree))
    from flask import Flask  # noqa: PLC0415 - from the tree under test

    from bench import inprocess  # noqa: PLC0415
    from bench.run import Instance  # noqa: PLC0415
    from classroom import create_app  # noqa: PLC0415

    if label == MINIMAL:
        app = Flask("minimal")
        app.get("/")(lambda: "ok")
        client, path = app.test_client(), "/"
    else:
        built = json.loads(instance_file.read_text())
        work = instance_file.parent / f"copy-{os.getpid()}"  # removed with the parent's folder
        shutil.copytree(built["folder"], work)
        built.update(folder=work, url=f"sqlite:///{work / 'classroom.sqlite3'}")
        instance = Instance(**built)
        app = create_app(inprocess.config(instance.folder, instance.url))
        app.config["WTF_CSRF_ENABLED"] = False
        clients, step = inprocess.signed_in(app, instance)
        who, path = next((w, p) for w, name, p in inprocess.pages(instance, step) if name == label)
        client = clients[who]
    for _ in range(WARM_UP):
        client.get(path, **inprocess.HTTPS)
    print("READY", flush=True)
    sys.stdin.readline()
    for _ in range(fetches):
        client.get(path, **inprocess.HTTPS)
    print("DONE", flush=True)
    sys.stdin.readline()


def count(tree: Path, instance_file: Path, label: str, fetches: int) -> int:
    """Instructions per fetch of one page from one tree."""
    command = [
        "valgrind", "--tool=callgrind", "--instr-atstart=no", "--cache-sim=no",
        "--callgrind-out-file=/dev/null", sys.executable, __file__, "--child", str(tree),
        str(instance_file), label, str(fetches),
    ]  # fmt: skip
    # Valgrind's report, and anything the app logs, to a file: a pipe nobody reads until the
    # end would fill up and stop the child.
    with tempfile.TemporaryFile("w+") as log:
        process = subprocess.Popen(
            command, stdin=subprocess.PIPE, stdout=subprocess.PIPE, stderr=log, text=True
        )
        assert process.stdin is not None
        assert process.stdout is not None
        try:
            for line, switch in (("READY", "on"), ("DONE", "off")):
                said = process.stdout.readline().strip()
                if said != line:
                    raise RuntimeError(f"{label}: expected {line}, got {said!r}")
                control = ["callgrind_control", "--instr=" + switch, str(process.pid)]
                subprocess.run(control, check=True, capture_output=True)
                process.stdin.write("\n")
                process.stdin.flush()
            process.communicate(timeout=600)
        finally:
            if process.poll() is None:
                process.kill()
        log.seek(0)
        errors = log.read()
    found = re.search(r"Collected : (\d+)", errors)
    if process.returncode != 0 or found is None:
        raise RuntimeError(f"{label}: valgrind failed\n{errors[-2000:]}")
    return int(found.group(1)) // fetches


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("trees", nargs="*", type=Path, help="checkouts to count (default: this)")
    parser.add_argument("--pages", default="", help="comma-separated parts of page labels")
    parser.add_argument("--fetches", type=int, default=100)
    parser.add_argument("--child", nargs=4, help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        tree, instance_file, label, fetches = args.child
        child(Path(tree), Path(instance_file), label, int(fetches))
        return
    if shutil.which("valgrind") is None or shutil.which("callgrind_control") is None:
        sys.exit("bench/instructions.py needs Valgrind: apt-get install valgrind")
    trees = [tree.resolve() for tree in args.trees] or [ROOT]
    sys.path.insert(0, str(ROOT))
    from bench import inprocess  # noqa: PLC0415 - after the path is set

    with tempfile.TemporaryDirectory(prefix="classroom-instructions-") as folder:
        instance = inprocess.build_instance(Path(folder) / "instance", 1)
        instance_file = Path(folder) / "instance.json"
        instance_file.write_text(json.dumps(asdict(instance), default=str))
        labels = [MINIMAL] + [
            label
            for _who, label, _path in inprocess.pages(instance, "")
            if not args.pages or any(part in label for part in args.pages.split(","))
        ]
        jobs = [(tree, label) for label in labels for tree in trees]
        with concurrent.futures.ThreadPoolExecutor(os.cpu_count() or 1) as pool:
            counts = dict(
                zip(
                    jobs,
                    pool.map(lambda job: count(job[0], instance_file, job[1], args.fetches), jobs),
                    strict=True,
                )
            )
    print(report(trees, labels, counts))


def report(trees: list[Path], labels: list[str], counts: dict[tuple[Path, str], int]) -> str:
    head = "| page | " + " | ".join(f"{tree.name} instructions" for tree in trees)
    head += " | after / before |" if len(trees) == 2 else " |"
    lines = [head, "|---|" + "---:|" * (len(trees) + (len(trees) == 2))]
    for label in labels:
        row = [counts[(tree, label)] for tree in trees]
        cells = " | ".join(f"{value:,}" for value in row)
        change = f" | {row[1] / row[0]:.3f} |" if len(row) == 2 else " |"
        lines.append(f"| {label} | {cells}{change}")
    return "\n".join(lines)


if __name__ == "__main__":
    main()
