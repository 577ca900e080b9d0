"""Files a person downloads: spreadsheet cells that never run, CSV inside an AES-256 zip."""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable

import pyzipper

from classroom.errors import Invalid

# A cell starting with one of these runs as a formula in Excel or LibreOffice (CSV injection).
FORMULA_START = ("=", "+", "-", "@", "\t", "\r")
MIN_PASSPHRASE = 12


def safe_cell(value: object) -> str:
    """Text for a spreadsheet cell that can never run as a formula."""
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(FORMULA_START) else text


def check_passphrase(passphrase: str) -> None:
    """Refuse a passphrase too short to protect safeguarding records."""
    if len(passphrase) < MIN_PASSPHRASE:
        raise Invalid(f"Use a passphrase of at least {MIN_PASSPHRASE} characters.", "passphrase")


def encrypted_csv(rows: Iterable[list[str]], filename: str, passphrase: str) -> bytes:
    """Rows as one CSV file inside an AES-256 encrypted zip (7-Zip and WinZip open it)."""
    check_passphrase(passphrase)
    text = io.StringIO()
    csv.writer(text).writerows(rows)
    buffer = io.BytesIO()
    with pyzipper.AESZipFile(
        buffer, "w", compression=pyzipper.ZIP_DEFLATED, encryption=pyzipper.WZ_AES
    ) as archive:
        archive.setpassword(passphrase.encode())
        archive.setencryption(pyzipper.WZ_AES, nbits=256)
        archive.writestr(filename, text.getvalue().encode("utf-8-sig"))
    return buffer.getvalue()
