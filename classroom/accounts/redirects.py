"""Where a `next` or `back` value may send a browser: only a plain path on this site.

Browsers forgive a lot in a Location header: they drop tabs and newlines anywhere
(`/\t/evil.example` becomes `//evil.example`, another site), treat a backslash as a slash, and
trim spaces and control characters at the ends. A newline would also break the header itself
(a 500). So anything beyond a printable, same-site path falls back to a safe default.
"""

from __future__ import annotations

from urllib.parse import urlsplit

MAX_LENGTH = 2000


def safe_path(target: object, default: str) -> str:
    """`target` if it is a plain path on this site, otherwise `default`."""
    if not isinstance(target, str) or not target or len(target) > MAX_LENGTH:
        return default
    if not target.isprintable() or any(c.isspace() or c == "\\" for c in target):
        return default  # control characters, tabs, CR/LF and Unicode spaces alike
    if not target.startswith("/") or target.startswith("//"):
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return default
    return target
