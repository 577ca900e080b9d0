"""Evidence files are sealed under the instance's key (`classroom.sealing`), bound to their row.

A copy of the database alone (a stolen dump, a misplaced PostgreSQL backup) then holds no
readable screenshot or letter.
"""

from __future__ import annotations

from pathlib import Path

from classroom import sealing
from classroom.sealing import SealBrokenError

__all__ = ["SealBrokenError", "seal", "unseal"]

CONTEXT = b"classroom-evidence-v1:"


def seal(instance: Path, token: str, data: bytes) -> bytes:
    """nonce || ciphertext+tag, bound to the row's token."""
    return sealing.seal(instance, CONTEXT + token.encode(), data)


def unseal(instance: Path, token: str, sealed: bytes) -> bytes:
    """The plain bytes, or SealBrokenError if anything (key, token, a byte) is not as sealed."""
    return sealing.unseal(instance, CONTEXT + token.encode(), sealed, what="The stored file")
