"""Worries saved on a shared iPad are encrypted to the server's key before they touch storage.

The iPad keeps an unsent report in IndexedDB until the server confirms it (iPad Safari has no
background sync). Sealed with RSA-OAEP + AES-GCM using only the public key, the next pupil on
that iPad cannot read it back; only this server can open it.
"""

from __future__ import annotations

import base64
import json
import os
from functools import cache
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import padding, rsa
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from classroom.errors import Invalid

MAX_ENVELOPE = 16_000


def _b64url(number: int) -> str:
    raw = number.to_bytes((number.bit_length() + 7) // 8, "big")
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode()


@cache
def private_key(path: Path) -> rsa.RSAPrivateKey:
    """The server's key pair, made once and kept (0600) in the instance folder."""
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        loaded = serialization.load_pem_private_key(path.read_bytes(), password=None)
        if not isinstance(loaded, rsa.RSAPrivateKey):
            raise ValueError(f"{path} does not hold an RSA key") from None
        return loaded
    key = rsa.generate_private_key(public_exponent=65537, key_size=3072)
    with os.fdopen(fd, "wb") as handle:
        handle.write(
            key.private_bytes(
                serialization.Encoding.PEM,
                serialization.PrivateFormat.PKCS8,
                serialization.NoEncryption(),
            )
        )
    return key


def public_jwk(path: Path) -> str:
    """The public half as a JSON Web Key for WebCrypto's importKey."""
    numbers = private_key(path).public_key().public_numbers()
    return json.dumps(
        {
            "kty": "RSA",
            "alg": "RSA-OAEP-256",
            "ext": True,
            "n": _b64url(numbers.n),
            "e": _b64url(numbers.e),
        }
    )


def seal(path: Path, payload: dict[str, Any]) -> dict[str, str]:
    """Encrypt as the iPad does (used by tests and tools)."""
    aes_key, iv = AESGCM.generate_key(bit_length=256), os.urandom(12)
    wrapped = private_key(path).public_key().encrypt(aes_key, _oaep())
    data = AESGCM(aes_key).encrypt(iv, json.dumps(payload).encode(), None)
    return {"v": "1", "k": _b64(wrapped), "iv": _b64(iv), "c": _b64(data)}


def open_envelope(path: Path, envelope: Any) -> dict[str, Any]:
    """Decrypt an envelope from an iPad; anything malformed is Invalid (a 400), never a 500."""
    if not isinstance(envelope, dict) or envelope.get("v") != "1":
        raise Invalid("Not a saved worry.")
    try:
        wrapped, iv, data = (base64.b64decode(envelope[f], validate=True) for f in ("k", "iv", "c"))
        aes_key = private_key(path).decrypt(wrapped, _oaep())
        payload = json.loads(AESGCM(aes_key).decrypt(iv, data, None))
    except (KeyError, TypeError, ValueError, InvalidTag) as bad:
        raise Invalid("The saved worry could not be read.") from bad
    if not isinstance(payload, dict):
        raise Invalid("The saved worry could not be read.")
    return payload


def _oaep() -> padding.OAEP:
    return padding.OAEP(
        mgf=padding.MGF1(algorithm=hashes.SHA256()), algorithm=hashes.SHA256(), label=None
    )


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode()
