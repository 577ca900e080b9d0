"""Password hashing follows the settings it is given when the app is built (issue 17 item 3)."""

from __future__ import annotations

from flask import Flask

from classroom.accounts import passwords


def test_hashes_use_the_configured_memory_and_the_timing_dummy_does_too(app: Flask) -> None:
    memory = int(app.config["ARGON2_MEMORY_KIB"])
    stored = passwords.hash_password("a long enough passphrase")
    assert f"m={memory}," in stored
    assert passwords.verify_password(stored, "a long enough passphrase")
    assert not passwords.verify_password(stored, "a different passphrase")
    # An unknown username still costs one verification, against a hash of the same cost.
    passwords.burn_time("whatever was typed")
    assert f"m={memory}," in passwords._DUMMY[memory]  # noqa: SLF001


def test_a_hash_made_with_other_settings_still_verifies(app: Flask) -> None:
    memory = int(app.config["ARGON2_MEMORY_KIB"])
    passwords.configure(memory * 2)
    try:
        older = passwords.hash_password("a long enough passphrase")
    finally:
        passwords.configure(memory)
    assert f"m={memory * 2}," in older
    assert passwords.verify_password(older, "a long enough passphrase")
