"""Debian's Chromium for the browser tests (Playwright's own browser download cannot work
here): where it is, how it is launched, where screenshots go, and the marks that skip a
test module when it is not installed."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

CHROMIUM = Path("/usr/bin/chromium")
SCREENS = Path(os.environ.get("KILOWATT_SCREENS", "/tmp/screens"))
LAUNCH_ARGS = [
    "--no-sandbox",
    "--disable-background-networking",
    "--disable-gpu",
    "--disable-component-update",
    "--disable-sync",
    "--no-first-run",
    "--lang=en-GB",  # date inputs as a UK browser shows them
]
MARKS = [
    pytest.mark.browser,
    pytest.mark.skipif(
        not CHROMIUM.exists(),
        reason="Debian's Chromium is not installed (apt-get install -y chromium)",
    ),
]
