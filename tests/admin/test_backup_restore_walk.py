"""The school's server died and the admin restores last night's backup on a new machine.

Walked for real: a new server with too little room for the decrypted copy of the backup, or a
mistyped path, stopped `backup restore` with a Python traceback ("OSError: [Errno 28] No space
left on device") instead of a plain message saying what to do and that nothing was restored.
"""

from __future__ import annotations

import errno
from pathlib import Path
from typing import BinaryIO

import pytest
from flask import Flask

from classroom.backup import services
from tests.admin.test_backup import (  # noqa: F401 - fixtures used by name
    ENV,
    assert_clean_failure,
    backup_file,
    empty,
    invoke,
    nothing_restored,
    school,
)


def test_a_new_server_without_room_for_the_backup_says_so_and_restores_nothing(
    backup_file: Path,  # noqa: F811
    empty: Flask,  # noqa: F811
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    real = services.decrypt

    def disk_full(source: BinaryIO, out: BinaryIO, passphrase: str) -> object:
        real(source, out, passphrase)  # the right passphrase: it is the disk that fails
        raise OSError(errno.ENOSPC, "No space left on device")

    monkeypatch.setattr(services, "decrypt", disk_full)
    result = invoke(empty, "restore", "--in", str(backup_file), env=ENV)
    assert_clean_failure(result, "No space left on device while reading the backup")
    assert "Nothing was restored." in result.output
    assert str(Path(empty.instance_path)) in result.output  # where room is needed
    assert nothing_restored(empty)


def test_a_backup_path_that_cannot_be_opened_says_so_and_restores_nothing(
    backup_file: Path,  # noqa: F811
    empty: Flask,  # noqa: F811
) -> None:
    """A path through a file (a typo in a long path): plain words, not a traceback."""
    result = invoke(empty, "restore", "--in", str(backup_file / "school.backup"), env=ENV)
    assert_clean_failure(result, "Not a directory")
    assert "Nothing was restored." in result.output
    assert nothing_restored(empty)
