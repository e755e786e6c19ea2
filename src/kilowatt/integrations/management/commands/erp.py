"""``kilowatt erp``: bring the book over from the legacy ERP.

``kilowatt erp migrate --url URL [--page-size 100] [--max-pages N]`` imports the ERP's
customers, accounts, sites, meter points, balances and open invoices through its SOAP
service (the WSDL at ``URL?wsdl``), page by page, resuming an unfinished run for the same
URL; it prints a line per page and, at the end, the reconciliation (the ERP's control
totals against ours plus the rejects) and every reject by legacy id, field and rule. The
reconciliation is kept on the run. It exits non-zero when the two sides do not agree.

Named ``erp migrate`` rather than ``migrate erp``: ``kilowatt migrate`` is Django's own
command (it would read ``erp`` as an app label).
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser

from kilowatt.integrations import operations
from kilowatt.platform import clock
from kilowatt.platform.errors import InvalidInput


def _pounds(pence: int) -> str:
    return f"{pence / 100:,.2f}"


class Command(BaseCommand):
    help = (
        "Migrate customers, accounts, meter points, balances and open invoices from the legacy ERP."
    )

    def add_arguments(self, parser: CommandParser) -> None:
        actions = parser.add_subparsers(dest="action", required=True)
        migrate = actions.add_parser("migrate", help="import from the ERP's SOAP service")
        migrate.add_argument("--url", required=True, help="the ERP's CustomerService address")
        migrate.add_argument("--page-size", type=int, default=100, metavar="N")
        migrate.add_argument(
            "--max-pages", type=int, metavar="N", help="stop after N pages (run again to go on)"
        )

    def handle(self, *args: Any, **options: Any) -> None:
        if options["page_size"] < 1:
            raise CommandError("--page-size must be at least 1")
        try:
            report = operations.migrate_from_erp(
                url=options["url"],
                page_size=options["page_size"],
                max_pages=options["max_pages"],
                as_at=clock.now(),
            )
        except operations.ErpUnavailable as error:
            raise CommandError(
                f"{error} (what was imported is kept: run again to resume)"
            ) from None
        except InvalidInput as error:
            raise CommandError(str(error)) from None
        self.stdout.write(
            f"run {report.run_id}: {report.pages} pages read, {report.imported} customers "
            f"imported, {report.skipped} already migrated, {report.rejected} refused"
        )
        if not report.finished:
            self.stdout.write("stopped before the end: run again to go on")
            return
        self._reconciliation(report)
        if not report.agrees:
            raise CommandError("the reconciliation does not agree")

    def _reconciliation(self, report: operations.MigrationReport) -> None:
        write = self.stdout.write
        write("")
        write(f"Reconciliation with {report.url}")
        write(f"{'measure':<36}{'ERP':>14}{'ours':>14}{'refused':>12}{'difference':>12}")
        for line in report.lines:
            money = "pence" in line.measure
            show = _pounds if money else str
            measure = line.measure.replace(" (pence)", " (GBP)")
            write(
                f"{measure:<36}{show(line.erp):>14}{show(line.ours):>14}"
                f"{show(line.rejected):>12}{show(line.difference):>12}"
            )
        write(
            "agrees: the ERP's totals are ours plus the refused"
            if report.agrees
            else "DOES NOT AGREE"
        )
        write("")
        write(f"Refused customers ({len(report.rejects)}):")
        for reject in report.rejects:
            for reason in reject.reasons:
                write(
                    f"  {reject.legacy_customer_id} {reason.legacy_id} {reason.field} "
                    f"{reason.rule}: {reason.message}"
                )
