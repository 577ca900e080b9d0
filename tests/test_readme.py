"""What README.md and docs/*.md tell a newcomer to type or open must be true."""

from __future__ import annotations

import re
import shlex
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
README = (ROOT / "README.md").read_text(encoding="utf-8")
DOCS = [ROOT / "README.md", *sorted((ROOT / "docs").glob("*.md"))]
TOP = "bench|classroom|docs|lessons|scripts|static|symbols|templates|tests"
A_PATH = re.compile(rf"`((?:{TOP})/[\w./-]+)`")


def test_the_oathtool_example_works_with_the_key_as_the_page_shows_it() -> None:
    """The set-up page shows the key in groups of four (`templates/accounts/enrol.html`);
    typed into the README's command as it is shown, it must still be one argument."""
    command = re.search(r"`(oathtool [^`]*KEY[^`]*)`", README)
    assert command is not None
    shown = "V4BA CDBI 7RHQ Z7RK QJJG E2YM T5PA TYNB"
    assert shlex.split(command.group(1).replace("KEY", shown)) == [
        "oathtool",
        "--totp",
        "-b",
        shown,
    ]


def test_the_backup_example_makes_its_folder_first() -> None:
    """`backup create --out` writes into an existing folder; on a fresh machine /srv/backups
    is not there, so the README's commands make it first."""
    block = README.split("## Backups", 1)[1].split("```", 2)[1]
    lines = [x.split("#")[0].strip() for x in block.splitlines()]
    create = next(i for i, x in enumerate(lines) if "backup create" in x)
    out = re.search(r"--out (\S+)/", lines[create])
    assert out is not None
    folder = out.group(1)
    assert f"mkdir -p {folder}" in lines[:create]


@pytest.mark.parametrize("doc", DOCS, ids=lambda p: p.name)
def test_every_file_the_docs_name_is_in_the_repository(doc: Path) -> None:
    named = set(A_PATH.findall(doc.read_text(encoding="utf-8")))
    # ARCHITECTURE.md names templates and modules from inside templates/ and classroom/ too.
    bases = (ROOT, ROOT / "classroom", ROOT / "templates")
    missing = sorted(p for p in named if not any((b / p.rstrip("/")).exists() for b in bases))
    assert not missing, f"{doc.name} names files that are not there: {missing}"
