"""``kilowatt demo_field``: engineers' slots in every region over the booking window, so
the demo's customers and staff can book a visit (run again any day: it plans only the
days that have no slots yet, leaving the others as they are)."""

from __future__ import annotations

from django.core.management.base import BaseCommand

from kilowatt.demo import operations
from kilowatt.platform import clock


class Command(BaseCommand):
    help = "Plan engineers' appointment slots in every region for the booking window."

    def handle(self, *args: object, **options: object) -> None:
        planned = operations.plan_demo_capacity(as_at=clock.now())
        self.stdout.write(
            self.style.SUCCESS(
                f"{planned} engineer slots planned: book a visit from a customer's meter "
                "readings page, or /field/jobs/ (admin)."
            )
        )
