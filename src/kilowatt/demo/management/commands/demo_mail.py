"""``kilowatt demo_mail``: an SMTP server on 127.0.0.1 for the demo that keeps nothing
but prints one line per email it is given (to, subject), so whoever runs ``make demo``
sees the signing codes and links a customer would get."""

from __future__ import annotations

import email
import time
from email import policy
from typing import Any

from aiosmtpd.controller import Controller
from django.core.management.base import BaseCommand


class _Printer:
    def __init__(self, write: Any) -> None:
        self.write = write

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:
        message = email.message_from_bytes(envelope.content, policy=policy.default)
        body = message.get_body(preferencelist=("plain",))
        links = [
            word for word in (body.get_content() if body else "").split() if word.startswith("http")
        ]
        line = f"[demo mail] to {', '.join(envelope.rcpt_tos)}: {message['subject']}"
        self.write(line + "".join(f"\n            {link}" for link in links[:2]))
        return "250 OK"


class Command(BaseCommand):
    help = "Run a demo SMTP server that prints each email's recipient, subject and links."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("--port", type=int, default=1025)

    def handle(self, *args: object, **options: Any) -> None:
        controller = Controller(
            _Printer(lambda text: self.stdout.write(text)),
            hostname="127.0.0.1",
            port=options["port"],
        )
        controller.start()
        try:
            while True:
                time.sleep(3600)
        finally:
            controller.stop()
