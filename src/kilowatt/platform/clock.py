"""The one place the system clock is read.

Only interfaces (pages, API, tasks, commands) may import this module; operations and
queries take ``as_at`` / ``today`` from their caller (import-linter enforces it), so tests
of awkward days need no patching.
"""

from __future__ import annotations

import datetime

from xocto import localtime


def now() -> datetime.datetime:
    """Return the current time, timezone-aware."""
    return localtime.now()


def today() -> datetime.date:
    """Return today's business date in Europe/London."""
    return localtime.today()
