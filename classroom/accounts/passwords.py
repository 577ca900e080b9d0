"""Password hashing (argon2id) and the password rules for staff and carers."""

from __future__ import annotations

from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError

MIN_LENGTH = 12
MAX_LENGTH = 128
# Passwords people reach for first; a full breached-password list would need a download.
OBVIOUS = frozenset(
    {
        "password1234",
        "passwordpassword",
        "123456789012",
        "qwertyuiopas",
        "letmein12345",
        "baginton1234",
        "bagintonfields",
        "classroom123",
        "welcome12345",
        "iloveyou1234",
        "abcdefghijkl",
        "changeme1234",
        "teacher12345",
        "school123456",
        "football1234",
    }
)


# RFC 9106 low-memory profile (argon2-cffi defaults) until the app's settings say otherwise.
DEFAULT_MEMORY_KIB = 65536


class _Hashing:
    """The one hasher of this process, built from the settings when the app is (see `configure`)."""

    hasher = PasswordHasher(memory_cost=DEFAULT_MEMORY_KIB)


def configure(memory_kib: int) -> None:
    """Hash with this much memory (ARGON2_MEMORY_KIB; tests lower it for speed).

    Called once by the request layer when the app is built, so hashing reads no settings.
    A stored hash names its own parameters, so a change never stops a password verifying.
    """
    if _Hashing.hasher.memory_cost != memory_kib:
        _Hashing.hasher = PasswordHasher(memory_cost=memory_kib)


def _hasher() -> PasswordHasher:
    return _Hashing.hasher


def hash_password(password: str) -> str:
    return _hasher().hash(password)


def verify_password(stored_hash: str, password: str) -> bool:
    try:
        return _hasher().verify(stored_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# A hash to verify against when the username does not exist, so both paths take as long.
_DUMMY: dict[int, str] = {}


def burn_time(password: str) -> None:
    hasher = _hasher()
    key = hasher.memory_cost
    if key not in _DUMMY:
        _DUMMY[key] = hasher.hash("not-a-real-account-password")
    verify_password(_DUMMY[key], password)


def password_problems(password: str, username: str) -> list[str]:
    """Plain-language reasons a new password is not acceptable (empty when it is)."""
    problems = []
    if len(password) < MIN_LENGTH:
        problems.append(f"Use at least {MIN_LENGTH} characters; a few words together work well.")
    if len(password) > MAX_LENGTH:
        problems.append(f"Use at most {MAX_LENGTH} characters.")
    lowered = password.lower()
    if username and username.lower() in lowered:
        problems.append("Do not include your username.")
    if lowered in OBVIOUS or len(set(password)) < 4:
        problems.append("This password is too easy to guess.")
    return problems
