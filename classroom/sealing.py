"""Small things sealed with AES-256-GCM under the instance's key, so a copy of the database
alone (a stolen dump, a misplaced PostgreSQL backup) holds none of them readably.

The key (`instance/evidence_key`, 32 random bytes, owner-only) is made on first use and is
carried in backups, so whatever it seals opens again after a restore. Each use binds its own
context (what the bytes are, and the row they belong to) into the seal, so sealed bytes moved to
another row, or read as another kind of thing, do not open.
"""

from __future__ import annotations

import contextlib
import os
import secrets
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

KEY_FILE = "evidence_key"  # its first use; the name is kept so backups and restores still find it
KEY_BYTES = 32
NONCE_BYTES = 12


class SealBrokenError(Exception):
    """The sealed bytes do not open with this instance's key (changed, or another key)."""


def key_path(instance: Path) -> Path:
    return instance / KEY_FILE


def load_key(instance: Path) -> bytes:
    """This instance's key, made (atomically, 0600) the first time it is needed."""
    path = key_path(instance)
    if not path.exists():
        _create_key(path)
    key = path.read_bytes()
    if len(key) != KEY_BYTES:
        raise ValueError(f"{path} is not a {KEY_BYTES}-byte key")
    return key


def _create_key(path: Path) -> None:
    # Written whole to a private temporary file and linked into place: two workers starting at
    # once both end up reading the one key that won, never a half-written file.
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_name(f".{KEY_FILE}.{secrets.token_hex(8)}")
    fd = os.open(temporary, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        with os.fdopen(fd, "wb") as handle:
            handle.write(secrets.token_bytes(KEY_BYTES))
            handle.flush()
            os.fsync(handle.fileno())
        with contextlib.suppress(FileExistsError):  # another worker made it first: use theirs
            os.link(temporary, path)
    finally:
        temporary.unlink(missing_ok=True)


def seal(instance: Path, context: bytes, data: bytes) -> bytes:
    """nonce || ciphertext+tag, bound to `context`."""
    nonce = secrets.token_bytes(NONCE_BYTES)
    return nonce + AESGCM(load_key(instance)).encrypt(nonce, data, context)


def unseal(instance: Path, context: bytes, sealed: bytes, *, what: str) -> bytes:
    """The plain bytes, or SealBrokenError (naming `what`) if anything is not as sealed."""
    nonce, body = sealed[:NONCE_BYTES], sealed[NONCE_BYTES:]
    try:
        return AESGCM(load_key(instance)).decrypt(nonce, body, context)
    except (InvalidTag, ValueError) as error:
        raise SealBrokenError(f"{what} could not be opened with this server's key.") from error
