"""``kilowatt demo_serve``: the demo's web server with the outside world around it.

In production Celery beat and workers deliver events, send email and talk to the
industry; the embedded demo has neither, so this runs, beside the web server:

- the Central Switching Service simulator on 127.0.0.1:8027 (``CSS_URL``'s default) and
  the credit reference agency's on 127.0.0.1:8028 (``CREDIT_AGENCY_URL``'s);
- an SMTP server on 127.0.0.1:1025 (``EMAIL_PORT``'s default) that prints each email's
  recipient, subject and links (a signing code is in its subject);
- every few seconds, what beat would run every minute: events dispatched, switching
  messages sent and fetched, credit checks retried, queued emails sent.

The helpers are child processes (the simulator stands for another party and imports
nothing of ours), stopped with the server.
"""

from __future__ import annotations

import contextlib
import signal
import subprocess
import sys
import threading
import time
from typing import Any

from django.core.management import call_command
from django.core.management.base import BaseCommand

from kilowatt.comms import operations as comms
from kilowatt.integrations import operations as integrations
from kilowatt.platform import clock, events

TICK_SECONDS = 3


def _tick() -> None:
    as_at = clock.now()
    events.dispatch(as_at=as_at)
    integrations.send_switching_messages(as_at=as_at)
    with contextlib.suppress(integrations.SwitchingServiceError):  # still starting
        integrations.fetch_switching_messages(as_at=as_at)
    integrations.retry_pending_credit_checks(as_at=clock.now())
    events.dispatch(as_at=clock.now())
    comms.send_queued_emails(as_at=clock.now())


def _loop(write: Any) -> None:
    while True:
        time.sleep(TICK_SECONDS)
        try:
            _tick()
        except Exception as error:  # a demo keeps going; the next tick tries again
            write(f"[demo clock] {type(error).__name__}: {error}")


class Command(BaseCommand):
    help = "Serve the demo with the switching simulator, a printing SMTP server and a beat."

    def add_arguments(self, parser: Any) -> None:
        parser.add_argument("address", nargs="?", default="127.0.0.1:8000")

    def handle(self, *args: object, **options: Any) -> None:
        children = [
            # Their request logs (a fetch every few seconds) would drown the demo's mail.
            subprocess.Popen(
                [sys.executable, "-m", "kilowatt.simulators.switching_service", "--port", "8027"],
                stderr=subprocess.DEVNULL,
            ),
            subprocess.Popen(
                [sys.executable, "-m", "kilowatt.simulators.credit_agency"],
                stderr=subprocess.DEVNULL,
            ),
            subprocess.Popen([sys.executable, "-m", "kilowatt.config.cli", "demo_mail"]),
        ]
        threading.Thread(target=_loop, args=(self.stderr.write,), daemon=True).start()
        # Stopped by a signal rather than Ctrl-C (which reaches the children too), end the
        # children as well: left running, they hold their ports and the next demo fails.
        signal.signal(signal.SIGTERM, lambda *_: sys.exit(0))
        try:
            call_command("runserver", options["address"], use_reloader=False)
        finally:
            for child in children:
                child.terminate()
