"""``kilowatt css``: registrations at the Central Switching Service.

``kilowatt css send [--limit N] [--url URL]`` posts the queued switch requests,
withdrawals and annulments that are due (default ``CSS_URL``); ``kilowatt css fetch
[--url URL]`` fetches the CSS's messages for us and applies each once (validations, switch
dates, objections, cancellations, losses); ``kilowatt css status`` counts the messages by
direction and state and lists those waiting for a person. The CSS in development is
``python -m kilowatt.simulators.switching_service --port 8027``.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kilowatt.integrations import operations
from kilowatt.platform import clock


class Command(BaseCommand):
    help = "Send messages to the Central Switching Service, fetch its answers, or show status."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        send = actions.add_parser("send", help="post the queued messages that are due")
        send.add_argument("--limit", type=int, default=500)
        send.add_argument("--url", default=None, help="the CSS (CSS_URL)")
        fetch = actions.add_parser("fetch", help="fetch and apply the CSS's messages for us")
        fetch.add_argument("--url", default=None, help="the CSS (CSS_URL)")
        actions.add_parser("status", help="messages by state, and those waiting for a person")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "send":
            if options["limit"] < 1:
                raise CommandError("--limit is at least 1")
            sent = operations.send_switching_messages(
                as_at=clock.now(), limit=options["limit"], url=options["url"]
            )
            self.stdout.write(f"{sent} messages sent to the CSS")
        elif options["action"] == "fetch":
            try:
                applied = operations.fetch_switching_messages(as_at=clock.now(), url=options["url"])
            except operations.SwitchingServiceError as error:
                raise CommandError(str(error)) from None
            self.stdout.write(f"{applied} messages from the CSS applied")
        else:
            status = operations.switching_status()
            if not status.counts:
                self.stdout.write("no messages exchanged with the CSS")
            for (direction, state), count in sorted(status.counts.items()):
                self.stdout.write(f"{direction.lower():8} {state.lower():9} {count}")
            for message_id, message_type, identifier, why in status.needing_attention:
                self.stdout.write(f"  {message_id} {message_type} {identifier}: {why}")
