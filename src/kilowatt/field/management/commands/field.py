"""``kilowatt field``: engineer capacity, must-read and recertification jobs from the
command line.

``kilowatt field plan_capacity --region 12 --from 2026-03-02 --days 14 --engineers 4``
plans (or re-plans) the morning and afternoon slots of a region's days;
``kilowatt field raise_must_reads`` raises a must-read job for every meter point with no
actual read for 12 months; ``kilowatt field raise_recertifications [--lead-days 90]``
raises a recertification job for every meter in service whose certification ends within
the lead time. A refused input stops with a one-line error, writing nothing.
"""

from __future__ import annotations

import datetime
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kilowatt.field import operations
from kilowatt.field.domain import slots as slot_rules
from kilowatt.metering.domain import certification
from kilowatt.platform import audit, clock
from kilowatt.platform.errors import InvalidInput


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD)") from None


class Command(BaseCommand):
    help = "Plan engineer capacity, or raise must-read or recertification jobs."

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        plan = actions.add_parser("plan_capacity", help="plan a region's appointment slots")
        plan.add_argument("--region", required=True, help="distributor ID, 10 to 23")
        plan.add_argument("--from", dest="from_date", metavar="DATE", help="default: tomorrow")
        plan.add_argument("--days", type=int, default=14)
        plan.add_argument("--engineers", type=int, required=True, help="appointments a slot")
        plan.add_argument("--slots", default=",".join(slot_rules.SLOTS), help="AM,PM")
        actions.add_parser("raise_must_reads", help="raise must-read jobs where they are due")
        recertify = actions.add_parser(
            "raise_recertifications",
            help="raise recertification jobs for meters whose certification ends soon",
        )
        recertify.add_argument(
            "--lead-days",
            type=int,
            default=certification.DEFAULT_LEAD_DAYS,
            help=f"how far ahead to look (default {certification.DEFAULT_LEAD_DAYS} days)",
        )
        recertify.add_argument(
            "--today", metavar="DATE", help="the day to look from (default today)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        try:
            if options["action"] == "plan_capacity":
                self._plan(options)
            elif options["action"] == "raise_recertifications":
                self._recertifications(
                    options["lead_days"], _date(options["today"]) if options["today"] else None
                )
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

    def _recertifications(self, lead_days: int, today: datetime.date | None) -> None:
        total = 0
        actor = audit.Actor(id=None, name="kilowatt field raise_recertifications")
        while (
            run := operations.raise_recertification_jobs(
                today=today or clock.today(), lead_days=lead_days, as_at=clock.now(),
                actor=actor,
            )
        ).count:  # fmt: skip
            total += run.count
        self.stdout.write(
            f"{total} recertification jobs raised (certification ending by {run.due_by})"
        )
