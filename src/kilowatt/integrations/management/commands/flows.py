"""``kilowatt flows``: industry flow files in and out.

``kilowatt flows import FILE [FILE ...]`` imports D0010 (meter readings) and D0150 (meter
technical details) files, each as its ZHV header names it, all or none, and prints one
line per record and a summary per file; ``kilowatt flows export --from DATE --to DATE
--out FILE`` writes the accepted reads taken on those UK days (both included) as a D0010
file; ``kilowatt flows outbound --out DIR`` writes every queued outbound flow (a meter
exchange's D0150 and D0010, a gas exchange's ONUPD) as a file in DIR and marks it sent.
A bad file stops with a one-line error and a non-zero exit, having written nothing.
"""

from __future__ import annotations

import datetime
import pathlib
import zoneinfo
from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kilowatt.integrations import operations
from kilowatt.platform import clock
from kilowatt.platform.errors import InvalidInput

LONDON = zoneinfo.ZoneInfo("Europe/London")


def _date(text: str) -> datetime.date:
    try:
        return datetime.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD)") from None


def _start_of(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=LONDON)


class Command(BaseCommand):
    help = (
        "Import D0010 and D0150 files, export accepted reads as a D0010 file, or send queued flows."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        importing = actions.add_parser("import", help="import D0010 and D0150 files, all or none")
        importing.add_argument("files", nargs="+", metavar="FILE")
        exporting = actions.add_parser("export", help="write accepted reads as a D0010 file")
        exporting.add_argument("--from", dest="from_date", required=True, metavar="DATE")
        exporting.add_argument("--to", dest="to_date", required=True, metavar="DATE")
        exporting.add_argument("--out", required=True, metavar="FILE")
        outbound = actions.add_parser(
            "outbound", help="write queued outbound flows to a directory and mark them sent"
        )
        outbound.add_argument("--out", required=True, metavar="DIR")
        outbound.add_argument("--limit", type=int, default=500, help="at most this many")

    def handle(self, *args: Any, **options: Any) -> None:
        if options["action"] == "import":
            self._import(options["files"])
        elif options["action"] == "outbound":
            self._outbound(options["out"], options["limit"])
        else:
            self._export(options["from_date"], options["to_date"], options["out"])

    def _import(self, paths: list[str]) -> None:
        files = []
        for path in paths:
            try:
                files.append((pathlib.Path(path).name, pathlib.Path(path).read_bytes()))
            except OSError as error:
                raise CommandError(f"{path}: cannot read ({error.strerror})") from None
        try:
            reports = operations.import_flow_files(files=files, as_at=clock.now())
        except InvalidInput as error:
            raise CommandError(str(error)) from None
        for report in reports:
            if isinstance(report, operations.MeterDetailsReport):
                self._meter_details(report)
            else:
                self._readings(report)
            counts = ", ".join(f"{n} {status.lower()}" for status, n in report.counts.items())
            repeat = " (already imported: nothing changed)" if report.repeat else ""
            self.stdout.write(
                f"{report.filename}: {report.flow} file {report.file_id}, "
                f"{len(report.records)} records: {counts}{repeat}"
            )

    def _readings(self, report: operations.ImportReport) -> None:
        for record in report.records:
            reason = f" {record.rule}: {record.message}" if record.rule else ""
            self.stdout.write(
                f"{report.filename} line {record.line} {record.mpan_core} "
                f"{record.meter_serial} {record.register} {record.read_at:%Y-%m-%dT%H:%MZ} "
                f"{record.value} {record.status}{reason}"
            )

    def _meter_details(self, report: operations.MeterDetailsReport) -> None:
        for detail in report.records:
            registers = f" [{detail.registers}]" if detail.registers else ""
            reason = f" {detail.rule}: {detail.message}" if detail.rule else ""
            self.stdout.write(
                f"{report.filename} line {detail.line} {detail.mpan_core} {detail.action} "
                f"{detail.meter_serial}{registers} {detail.status}{reason}"
            )

    def _export(self, from_text: str, to_text: str, out: str) -> None:
        since = _start_of(_date(from_text))
        until = _start_of(_date(to_text) + datetime.timedelta(days=1))
        try:
            content = operations.export_d0010(since=since, until=until, as_at=clock.now())
        except InvalidInput as error:
            raise CommandError(str(error)) from None
        try:
            pathlib.Path(out).write_bytes(content)
        except OSError as error:
            raise CommandError(f"{out}: cannot write ({error.strerror})") from None
        readings = sum(1 for line in content.splitlines() if line.startswith(b"030|"))
        self.stdout.write(f"{out}: D0010 file with {readings} readings")

    def _outbound(self, out: str, limit: int) -> None:
        directory = pathlib.Path(out)
        try:
            directory.mkdir(parents=True, exist_ok=True)
        except OSError as error:
            raise CommandError(f"{out}: cannot make the directory ({error.strerror})") from None

        def write(flow: operations.PendingFlow) -> None:
            try:
                (directory / flow.filename).write_bytes(flow.content.encode("ascii"))
            except OSError as error:  # nothing of this run is marked sent
                raise CommandError(
                    f"{directory / flow.filename}: cannot write ({error.strerror})"
                ) from None

        try:
            sent = operations.send_pending_flows(deliver=write, as_at=clock.now(), limit=limit)
        except InvalidInput as error:
            raise CommandError(str(error)) from None
        for flow in sent:
            self.stdout.write(f"{directory / flow.filename}: {flow.flow} to {flow.recipient}")
        self.stdout.write(f"{len(sent)} outbound flows written to {directory} and marked sent")
