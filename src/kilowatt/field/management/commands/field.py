"""``kilowatt field``: engineer capacity and must-read jobs from the command line.

``kilowatt field plan_capacity --region 12 --from 2026-03-02 --days 14 --engineers 4``
plans (or re-plans) the morning and afternoon slots of a region's days;
``kilowatt field raise_must_reads`` raises a must-read job for every meter point with no
actual read for 12 months. A refused input stops with a one-line error, writing nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kilowatt.field import operations
from kilowatt.field.domain import slots as slot_rules
from kilowatt.platform import audit, clock
from kilowatt.platform.errors import InvalidInput


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Plan engineer capacity, or raise must-read jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        plan = actions.add_parser("plan_capacity", help="plan a region's appointment slots")
        plan.add_argument("--region", required=True, help="distributor ID, 10 to 23")
        plan.add_argument("--from", dest="from_date", metavar="DATE", help="default: tomorrow")
        plan.add_argument("--days", type=int, default=14)
        plan.add_argument("--engineers", type=int, required=True, help="appointments a slot")
        plan.add_argument("--slots", default=",".join(slot_rules.SLOTS), help="AM,PM")
        actions.add_parser("raise_must_reads", help="raise must-read jobs where they are due")

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "plan_capacity":
                self._plan(options)
            else:
                self._must_reads()
        except InvalidInput as error:
            raise CommandError(str(error)) from None

    def _plan(self, options: dict[str, Any]) -> None:
        start = (
            _date(options["from_date"])
            if options["from_date"]
            else clock.today() + datetime.timedelta(days=1)
        )
        slots = tuple(s.strip().upper() for s in options["slots"].split(",") if s.strip())
        changed = operations.plan_capacity(
            region=options["region"],
            start=start,
            days=options["days"],
            engineers=options["engineers"],
            slots=slots,
            actor=audit.Actor(id=None, name="kilowatt field plan_capacity"),
            as_at=clock.now(),
        )
        self.stdout.write(
            f"region {options['region']}: {changed} slots planned from {start} for "
            f"{options['days']} days, {options['engineers']} appointments each"
        )

    def _must_reads(self) -> None:
        total = 0
        while raised := operations.raise_must_read_jobs(today=clock.today(), as_at=clock.now()):
            total += raised
        self.stdout.write(f"{total} must-read jobs raised")
