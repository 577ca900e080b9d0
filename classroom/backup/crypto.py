"""The backup file: a small header, then the archive encrypted with AES-256-GCM.

Layout (all integers big-endian):

    magic      16 bytes  b"CLASSROOM-BACKUP"
    version     1 byte   1
    kind        1 byte   1 = SQLite, 2 = PostgreSQL
    log2 N      1 byte   scrypt cost (N = 2 ** log2 N)
    r, p        2 bytes  scrypt block size and parallelism
    salt       16 bytes  random, for scrypt
    nonce      12 bytes  random, for AES-GCM
    check       8 bytes  scrypt output bytes 32-39: says "wrong passphrase" before decrypting
    ciphertext  ...      AES-256-GCM, key = scrypt output bytes 0-31, header as associated data
    tag        16 bytes  GCM tag: any changed byte, header included, fails the restore

Encryption and decryption stream in chunks, so a large database never has to fit in memory; a
restore writes what it decrypts to a private temporary file and uses it only once the tag holds.
"""

from __future__ import annotations

import hmac
import os
import struct
import unicodedata
from dataclasses import dataclass
from typing import BinaryIO

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers import Cipher, algorithms, modes
from cryptography.hazmat.primitives.kdf.scrypt import Scrypt

MAGIC = b"CLASSROOM-BACKUP"
VERSION = 1
KINDS = {"sqlite": 1, "postgresql": 2}
HEADER = struct.Struct(">16sBBBBB16s12s8s")
TAG_BYTES = 16
CHUNK = 1 << 20
# scrypt N = 2**17, r = 8: 128 MiB and about half a second per try, which is what makes a
# guessed passphrase expensive. Tests may lower it; a header may not ask for more than 2**20.
LOG2_N, R, P = 17, 8, 1
MIN_PASSPHRASE = 12


class BackupError(Exception):
    """Something a person can understand and act on; the CLI shows it without a traceback."""


@dataclass(frozen=True)
class Header:
    kind: str
    log2_n: int
    r: int
    p: int
    salt: bytes
    nonce: bytes
    check: bytes

    def pack(self) -> bytes:
        return HEADER.pack(
            MAGIC,
            VERSION,
            KINDS[self.kind],
            self.log2_n,
            self.r,
            self.p,
            self.salt,
            self.nonce,
            self.check,
        )


def _derive(passphrase: str, salt: bytes, log2_n: int, r: int, p: int) -> tuple[bytes, bytes]:
    """(AES key, passphrase check) from the passphrase, the same way on every machine."""
    normalised = unicodedata.normalize("NFC", passphrase).encode()
    out = Scrypt(salt=salt, length=40, n=2**log2_n, r=r, p=p).derive(normalised)
    return out[:32], out[32:]


class EncryptingWriter:
    """A write-only file object: what is written goes out encrypted, the tag on close()."""

    def __init__(self, out: BinaryIO, passphrase: str, kind: str, log2_n: int = LOG2_N) -> None:
        salt, nonce = os.urandom(16), os.urandom(12)
        key, check = _derive(passphrase, salt, log2_n, R, P)
        header = Header(kind, log2_n, R, P, salt, nonce, check).pack()
        self._out = out
        self._encryptor = Cipher(algorithms.AES(key), modes.GCM(nonce)).encryptor()
        self._encryptor.authenticate_additional_data(header)
        out.write(header)
        self.closed = False

    def write(self, data: bytes) -> int:
        self._out.write(self._encryptor.update(data))
        return len(data)

    def flush(self) -> None:
        self._out.flush()

    def close(self) -> None:
        if not self.closed:
            self._out.write(self._encryptor.finalize())
            self._out.write(self._encryptor.tag)
            self.closed = True


def read_header(source: BinaryIO) -> tuple[Header, bytes]:
    """The header of a backup file, checked for shape (not yet for integrity)."""
    raw = source.read(HEADER.size)
    if len(raw) < HEADER.size or not raw.startswith(MAGIC):
        raise BackupError("This is not a classroom backup file.")
    _magic, version, kind, log2_n, r, p, salt, nonce, check = HEADER.unpack(raw)
    if version != VERSION:
        raise BackupError(f"This backup uses format version {version}; this app reads {VERSION}.")
    names = {number: name for name, number in KINDS.items()}
    # Bounds before any work: a changed header must not make scrypt eat the server's memory.
    if kind not in names or not (10 <= log2_n <= 20 and 1 <= r <= 16 and 1 <= p <= 4):
        raise BackupError("The backup file is damaged or has been changed (bad header).")
    return Header(names[kind], log2_n, r, p, salt, nonce, check), raw


def decrypt(source: BinaryIO, out: BinaryIO, passphrase: str) -> Header:
    """Decrypt a backup into `out`; BackupError unless the passphrase and every byte are right.

    `out` holds unauthenticated data until this returns: callers must discard it on error.
    """
    header, raw = read_header(source)
    key, check = _derive(passphrase, header.salt, header.log2_n, header.r, header.p)
    if not hmac.compare_digest(check, header.check):
        raise BackupError("Wrong passphrase for this backup (or its header has been changed).")
    start = source.tell()
    end = source.seek(0, os.SEEK_END)
    if end - start < TAG_BYTES:
        raise BackupError("The backup file is incomplete (it ends too early).")
    source.seek(end - TAG_BYTES)
    tag = source.read(TAG_BYTES)
    source.seek(start)
    decryptor = Cipher(algorithms.AES(key), modes.GCM(header.nonce, tag)).decryptor()
    decryptor.authenticate_additional_data(raw)
    remaining = end - TAG_BYTES - start
    while remaining:
        chunk = source.read(min(CHUNK, remaining))
        if not chunk:
            raise BackupError("The backup file is incomplete (it ends too early).")
        remaining -= len(chunk)
        out.write(decryptor.update(chunk))
    try:
        out.write(decryptor.finalize())
    except InvalidTag:
        raise BackupError(
            "The backup file is damaged or has been changed since it was made; nothing was "
            "restored."
        ) from None
    return header
