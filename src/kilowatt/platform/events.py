"""The outbox: a lower context announces an event in its own transaction.

Higher contexts react in their ``interfaces/handlers.py``; nothing imports upward.
"""

from __future__ import annotations

import datetime
from collections.abc import Mapping
from typing import Any

from kilowatt.platform import models


def publish(*, name: str, payload: Mapping[str, Any], at: datetime.datetime) -> None:
    """Write an event row; call inside the transaction of the change it announces."""
    models.OutboxEvent.objects.create(name=name, payload=dict(payload), occurred_at=at)
