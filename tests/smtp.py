"""A real local SMTP server (aiosmtpd) for email tests: an inbox, a free port, start and stop.

tests/conftest.py loads this as a plugin, so every test can ask for these fixtures by name.
"""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes
from email.message import Message
from typing import Any

import pytest
from aiosmtpd.controller import Controller
from flask import Flask


class Inbox:
    """Collects what the SMTP server receives."""

    def __init__(self) -> None:
        self.messages: list[Message] = []

    async def handle_DATA(self, _server: Any, _session: Any, envelope: Any) -> str:  # noqa: N802
        self.messages.append(message_from_bytes(envelope.content))
        return "250 OK"

    def to(self, address: str | None) -> list[Message]:
        return [m for m in self.messages if m["To"] == address]


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@pytest.fixture
def smtp_port(app: Flask) -> int:
    """A free local port, and the app configured to send to it (nothing listens yet).

    The app's own timeout (10 s) is kept: a busy two-core CI machine once took more than 2 s
    over one conversation, the email then waited for its retry, and a test found no email.
    Nothing listening is refused at once; a test of a server that hangs sets its own."""
    port = free_port()
    app.config.update(SMTP_HOST="127.0.0.1", SMTP_PORT=port)
    return port


@pytest.fixture
def inbox() -> Inbox:
    return Inbox()


@pytest.fixture
def mail_server(smtp_port: int, inbox: Inbox) -> Iterator[Controller]:
    """The SMTP server, up for the whole test."""
    controller = Controller(inbox, hostname="127.0.0.1", port=smtp_port)
    controller.start()
    yield controller
    controller.stop()
