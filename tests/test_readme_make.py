"""The README's two commands on a machine without the system packages, as a user who is not root.

README: "Run as root, they apt-get install the system packages (espeak-ng for speech, chromium for
the browser tests, postgresql for the PostgreSQL pass); otherwise they stop and name the packages
to install." `make run` needs only speech; `make test` must name postgresql before it runs
anything, not after the whole SQLite pass.
"""

from __future__ import annotations

import os
import shlex
import subprocess
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
SCRIPT = ROOT / "scripts" / "system-deps.sh"


def _executable(path: Path, text: str = "#!/bin/sh\nexit 0\n") -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text)
    path.chmod(0o755)


def _deps(
    tmp_path: Path, purpose: str, *, have: tuple[str, ...] = ()
) -> subprocess.CompletedProcess[str]:
    """system-deps.sh as user 1000 on a machine holding only the packages in `have`."""
    bin_dir = tmp_path / "bin"
    _executable(bin_dir / "id", "#!/bin/sh\necho 1000\n")  # not root
    if "espeak-ng" in have:
        _executable(bin_dir / "espeak-ng")
    chromium = tmp_path / "usr-bin" / "chromium"
    if "chromium" in have:
        _executable(chromium)
    postgresql = tmp_path / "postgresql"
    if "postgresql" in have:
        _executable(postgresql / "15" / "bin" / "initdb")
        _executable(postgresql / "15" / "bin" / "pg_ctl")
    env = {
        "PATH": str(bin_dir),
        "SYSTEM_DEPS_CHROMIUM": str(chromium),
        "SYSTEM_DEPS_POSTGRESQL": str(postgresql),
    }
    return subprocess.run(
        ["/bin/sh", str(SCRIPT), purpose], capture_output=True, text=True, env=env, check=False
    )


def _install_line(stderr: str) -> list[str]:
    line = next(x for x in stderr.splitlines() if "apt-get install" in x)
    return shlex.split(line.split(":", 1)[1])[3:]  # after "apt-get install -y"


def test_make_run_asks_only_for_speech(tmp_path: Path) -> None:
    """`make run` serves the app: it needs espeak-ng, not a browser or a database server."""
    result = _deps(tmp_path, "run")
    assert result.returncode == 1
    assert _install_line(result.stderr) == ["espeak-ng", "libespeak-ng1"]
    assert "chromium" not in result.stderr
    assert _deps(tmp_path, "run", have=("espeak-ng",)).returncode == 0


def test_make_test_names_every_missing_package_before_it_starts(tmp_path: Path) -> None:
    result = _deps(tmp_path, "test")
    assert result.returncode == 1
    assert _install_line(result.stderr) == [
        "espeak-ng",
        "libespeak-ng1",
        "chromium",
        "postgresql",
    ]
    # Only what is missing is named, and the install line says the same as the first line.
    some = _deps(tmp_path / "some", "test", have=("espeak-ng", "chromium"))
    assert some.returncode == 1
    assert _install_line(some.stderr) == ["postgresql"]
    assert "chromium" not in some.stderr
    everything = _deps(tmp_path / "all", "test", have=("espeak-ng", "chromium", "postgresql"))
    assert (everything.returncode, everything.stdout, everything.stderr) == (0, "", "")


def test_the_makefile_checks_each_commands_own_packages_first() -> None:
    def commands(target: str) -> list[str]:
        result = subprocess.run(
            ["make", "-n", "-C", str(ROOT), target],
            capture_output=True,
            text=True,
            check=True,
            env={**os.environ, "MAKEFLAGS": ""},
        )
        return [x for x in result.stdout.splitlines() if x and not x.startswith("make")]

    assert commands("run")[0] == "sh scripts/system-deps.sh run"
    assert commands("test")[0] == "sh scripts/system-deps.sh test"
