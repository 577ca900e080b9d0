"""QR codes drawn on the server as one SVG path: no external service ever sees what they hold
(a carer's join link, a two-step sign-in secret)."""

from __future__ import annotations

from dataclasses import dataclass

import qrcode  # type: ignore[import-untyped]


@dataclass(frozen=True)
class QrCode:
    """A QR code as one SVG path in a size x size grid (rendered by the template)."""

    size: int
    path: str


def qr_code(text: str) -> QrCode:
    """The QR code for a text, drawn server-side: no external service ever sees the code."""
    qr = qrcode.QRCode(error_correction=qrcode.constants.ERROR_CORRECT_M, border=4)
    qr.add_data(text)
    qr.make(fit=True)
    matrix: list[list[bool]] = qr.get_matrix()
    runs = []
    for y, row in enumerate(matrix):
        for x, dark in enumerate(row):
            if dark and (x == 0 or not row[x - 1]):
                length = next((n for n in range(x, len(row)) if not row[n]), len(row)) - x
                runs.append(f"M{x},{y}h{length}v1h-{length}z")
    return QrCode(len(matrix), "".join(runs))
