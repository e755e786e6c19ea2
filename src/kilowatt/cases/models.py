"""Service cases: something about a meter point that a person has to look into."""

from __future__ import annotations

from django.db import models

from kilowatt.cases.domain import cases


class Case(models.Model):
    class Kind(models.TextChoices):
        SMART_METER_SILENT = cases.SMART_METER_SILENT, "Smart meter silent"

    class Status(models.TextChoices):
        OPEN = cases.OPEN, "Open"
        CLOSED = cases.CLOSED, "Closed"

    kind = models.CharField(max_length=30, choices=Kind.choices)
    status = models.CharField(max_length=10, choices=Status.choices)
    meter_point = models.ForeignKey(
        "metering.MeterPoint", on_delete=models.PROTECT, related_name="+"
    )
    summary = models.CharField(max_length=cases.SUMMARY_MAX)
    opened_at = models.DateTimeField()
    opened_by = models.CharField(max_length=150)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.CharField(max_length=150, blank=True)
    resolution = models.TextField(blank=True)

    class Meta:
        constraints = [
            # One open case of a kind per meter point: raising a case again is harmless.
            models.UniqueConstraint(
                fields=["kind", "meter_point"],
                condition=models.Q(status=cases.OPEN),
                name="case_open_once_per_kind_meter_point",
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=list(cases.KINDS)), name="case_kind_known"
            ),
            # Open: nothing of a closing. Closed: when, by whom and how it was resolved.
            models.CheckConstraint(
                condition=models.Q(
                    status=cases.OPEN, closed_at__isnull=True, closed_by="", resolution=""
                )
                | (
                    models.Q(status=cases.CLOSED, closed_at__isnull=False)
                    & ~models.Q(closed_by="")
                    & ~models.Q(resolution="")
                ),
                name="case_closed_has_resolution",
            ),
        ]
        indexes = [
            # The open cases, newest first: a backward scan.
            models.Index(fields=["status", "id"], name="case_status_idx"),
        ]
