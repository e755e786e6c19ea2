"""A real SMTP server on 127.0.0.1 (aiosmtpd) for tests of sending email: it keeps what
it is given, or refuses every recipient with 550 when told to."""

from __future__ import annotations

import contextlib
import dataclasses
import email
import socket
from collections.abc import Iterator
from email import policy
from email.message import EmailMessage
from typing import Any

from aiosmtpd.controller import Controller


def free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@dataclasses.dataclass
class Collector:
    """An aiosmtpd handler keeping each message, or refusing recipients."""

    messages: list[EmailMessage] = dataclasses.field(default_factory=list)
    envelopes: list[tuple[str, list[str]]] = dataclasses.field(default_factory=list)
    refuse: bool = False

    async def handle_RCPT(
        self, server: Any, session: Any, envelope: Any, address: str, rcpt_options: Any
    ) -> str:
        if self.refuse:
            return "550 5.1.1 mailbox unavailable"
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        parsed = email.message_from_bytes(envelope.content, policy=policy.default)
        assert isinstance(parsed, EmailMessage)
        self.messages.append(parsed)
        self.envelopes.append((envelope.mail_from, list(envelope.rcpt_tos)))
        return "250 Message accepted for delivery"


@dataclasses.dataclass
class SmtpServer:
    controller: Controller
    handler: Collector

    @property
    def port(self) -> int:
        return int(self.controller.port)

    @property
    def messages(self) -> list[EmailMessage]:
        return self.handler.messages

    def stop(self) -> None:
        self.controller.stop()


def serve(settings: Any) -> Iterator[SmtpServer]:
    """Start a server on a free port and point Django's SMTP backend at it (a fixture's
    body: ``smtp_server = pytest.fixture(smtp.serve)``)."""
    handler = Collector()
    controller = Controller(handler, hostname="127.0.0.1", port=free_port())
    controller.start()
    settings.EMAIL_BACKEND = "django.core.mail.backends.smtp.EmailBackend"
    settings.EMAIL_HOST = "127.0.0.1"
    settings.EMAIL_PORT = controller.port
    settings.EMAIL_TIMEOUT = 5
    server = SmtpServer(controller=controller, handler=handler)
    try:
        yield server
    finally:
        with contextlib.suppress(AssertionError):  # stopped by the test already
            controller.stop()
