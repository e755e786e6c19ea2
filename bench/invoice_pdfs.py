"""Invoice documents benchmark: up to 300 issued invoices rendered to PDF and kept through
``billing.operations.render_invoice_pdfs`` (load from the database, build the document,
lay it out, store it), in one process and in two processes side by side (goal: 60 PDFs/s
on 2 cores), each beside a floor measured in the same run with as many processes: the
same number of one-page PDFs holding only each invoice's text, a line each, with no
layout, no database and no storing (``invoice_pdf.render_text_only_pdf``) - what making
a PDF at all costs with this engine, so the ratio is what the bill's layout, its reads
and its writes add.

On a database with no issued invoices (a throwaway one, when run alone), it builds its
own: a home dual-fuel and a business account repeated (customers, sites, meter points,
agreements) and one issued invoice with lines for each.

    python bench/invoice_pdfs.py --scale 300 [--keep] [--database NAME]
"""

from __future__ import annotations

import datetime
import multiprocessing
import time
from decimal import Decimal

import _harness

MOST_INVOICES = 300
AS_AT = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
START = datetime.date(2026, 2, 1)
END = datetime.date(2026, 3, 1)
PROCESSES = 2


def _book(count: int) -> list[int]:
    """Build ``count`` issued invoices on accounts of a small book made for the purpose;
    return their ids."""
    import itertools

    from kilowatt.accounts import operations as account_operations
    from kilowatt.accounts.domain.tariffs import TariffDetails
    from kilowatt.billing import models
    from kilowatt.customers import operations as customer_operations
    from kilowatt.customers.domain.customers import ContactDetails, CustomerDetails
    from kilowatt.identity import operations as identity_operations
    from kilowatt.identity import queries as identity_queries
    from kilowatt.identity.domain.roles import Role
    from kilowatt.metering import queries as metering_queries
    from kilowatt.metering.domain.supply import MeterDetails, MeterPointDetails, RegisterDetails
    from kilowatt.properties.domain.addresses import Address
    from kilowatt.validation.mpan import check_digit
    from kilowatt.validation.mprn import check_digits

    serial = itertools.count(1)
    setup = identity_queries.principal_for(
        identity_operations.create_user(
            username=f"bench-pdf-{time.time_ns()}", password="bench-pdf-pass", role=Role.SYSADMIN
        )
    )
    on_sale = datetime.date(2025, 10, 1)
    codes = {}
    for kind in ("RESIDENTIAL", "BUSINESS"):
        for fuel in ("ELECTRICITY", "GAS"):
            code = f"BENCH-PDF-{kind[:3]}-{fuel[:4]}-{time.time_ns()}"
            account_operations.create_tariff(
                by=setup,
                details=TariffDetails(
                    code=code,
                    name=f"Kilowatt Flexible {kind.title()} {fuel.title()}",
                    fuel=fuel,
                    region="13",
                    customer_kind=kind,
                    payment_method="DIRECT_DEBIT",
                    kind="VARIABLE",
                    standing_charge_pence_per_day=Decimal("51.37"),
                    unit_rates=(("ANYTIME", Decimal("24.86")),),
                    valid_from=on_sale,
                ),
                as_at=AS_AT,
            )
            codes[kind, fuel] = code

    def point(site_id: int, fuel: str) -> str:
        while True:  # the seeded book may hold the identifier already: take the next
            number = next(serial)
            if fuel == "ELECTRICITY":
                body = f"139{number:09d}"
                identifier = body + str(check_digit(body))
            else:
                body = f"8{number:07d}"
                identifier = body + check_digits(body)
            if not metering_queries.meter_point_ids_for_identifier(identifier=identifier).exists():
                break
        account_operations.register_meter_point(
            by=setup,
            site_id=site_id,
            details=MeterPointDetails(
                fuel=fuel,
                identifier=identifier,
                profile_class="01" if fuel == "ELECTRICITY" else "",
                region="13",
            ),
            meters=(
                MeterDetails(
                    serial_number=f"B{number:08d}",
                    type="CREDIT",
                    digits=6,
                    units="KWH" if fuel == "ELECTRICITY" else "METRIC",
                    installed_date=datetime.date(2021, 5, 1),
                    registers=(RegisterDetails("1", "ANYTIME"),),
                ),
            ),
            as_at=AS_AT,
        )
        return identifier

    invoices = []
    for number in range(count):
        business = number % 4 == 3
        kind = "BUSINESS" if business else "RESIDENTIAL"
        customer = customer_operations.create_customer(
            by=setup,
            details=CustomerDetails(
                kind=kind,
                title="" if business else "Ms",
                first_name="" if business else "Ada",
                last_name="" if business else f"Lovelace{number}",
                company_name=f"Babbage Engines {number} Ltd" if business else "",
                company_number="01234567" if business else "",
                sector="MANUFACTURING" if business else "",
                email=f"bills{number}@example.org",
                contacts=(ContactDetails(role="PRIMARY", name="Ada"),) if not business else (),
            ),
            as_at=AS_AT,
        )
        account = account_operations.create_account(
            by=setup,
            customer_number=customer.number,
            payment_method="DIRECT_DEBIT",
            bill_delivery="EMAIL" if business else "PAPER",
            as_at=AS_AT,
        )
        site = account_operations.create_site(
            by=setup,
            address=Address(
                address_line_1=f"{number + 1} Volta Street", town="Liverpool", postcode="L1 8JQ"
            ),
            as_at=AS_AT,
        )
        fuels = ("ELECTRICITY",) if business else ("ELECTRICITY", "GAS")
        lines = []
        for fuel in fuels:
            identifier = point(site.id, fuel)
            account_operations.add_agreement(
                by=setup,
                account_number=account.number,
                meter_point_identifier=identifier,
                tariff_code=codes[kind, fuel],
                valid_from=datetime.date(2025, 11, 1),
                as_at=AS_AT,
            )
            lines += [
                ("STANDING_CHARGE", identifier, "", Decimal(28), "DAY", Decimal("51.37"), 1438),
                ("ENERGY", identifier, "ANYTIME", Decimal("412.5"), "KWH", Decimal("24.86"), 10255),
            ]
            if business:
                lines.append(
                    ("CCL", identifier, "", Decimal("412.5"), "KWH", Decimal("0.801"), 330)
                )
        rate = 20 if business else 5
        net = sum(amount for kind_, *_, amount in lines if kind_ != "CCL")
        ccl = sum(amount for kind_, *_, amount in lines if kind_ == "CCL")
        vat = (net + ccl) * rate // 100
        invoice = models.Invoice.objects.create(
            number=f"{'KWB' if business else 'KWE'}9{number:08d}",
            series="KWB" if business else "KWE",
            account_id=account.id,
            kind="INVOICE",
            status="ISSUED",
            period_start=START,
            period_end=END,
            bill_date=END,
            net_pence=net,
            ccl_pence=ccl,
            vat_pence=vat,
            total_pence=net + ccl + vat,
            delivery="EMAIL" if business else "PAPER",
            created_at=AS_AT,
            issued_at=AS_AT,
        )
        models.InvoiceLine.objects.bulk_create(
            [
                models.InvoiceLine(
                    invoice=invoice,
                    position=position,
                    kind=kind_,
                    meter_point=identifier,
                    band=band,
                    start_date=START,
                    end_date=END,
                    quantity=quantity,
                    unit=unit,
                    rate_pence=price,
                    amount_pence=amount,
                    vat_rate=rate,
                )
                for position, (kind_, identifier, band, quantity, unit, price, amount) in enumerate(
                    lines, start=1
                )
            ]
            + [
                models.InvoiceLine(
                    invoice=invoice,
                    position=len(lines) + 1,
                    kind="VAT",
                    quantity=Decimal(rate),
                    unit="PCT",
                    amount_pence=vat,
                    vat_rate=rate,
                )
            ]
        )
        invoices.append(invoice.id)
    return invoices


def _render(ids: list[int]) -> int:
    from django.db import connections

    from kilowatt.billing import operations

    try:
        return operations.render_invoice_pdfs(invoice_ids=ids, as_at=AS_AT)
    finally:
        connections.close_all()


def _text_only(ids: list[int]) -> int:
    from django.db import connections

    from kilowatt.billing.domain import invoice_pdf

    try:
        return sum(
            1
            for document in _documents[ids[0] : ids[1]]
            if invoice_pdf.render_text_only_pdf(document, as_at=AS_AT)
        )
    finally:
        connections.close_all()


_documents: list = []  # built before forking, so the floor reads no database


def _in_processes(function, parts: list, processes: int) -> tuple[float, int]:
    """Run ``function`` on each part in its own forked process; return seconds and sum."""
    from django.db import connections

    connections.close_all()
    context = multiprocessing.get_context("fork")
    started = time.perf_counter()
    with context.Pool(processes) as pool:
        done = sum(pool.map(function, parts))
    return time.perf_counter() - started, done


def run(scale: int) -> list[_harness.Figure]:
    """Render ``min(scale, 300)`` issued invoices in 1 and 2 processes, and the floor."""
    from kilowatt.billing import models, operations

    count = min(scale, MOST_INVOICES)
    ids = list(
        models.Invoice.objects.filter(status="ISSUED")
        .order_by("id")
        .values_list("id", flat=True)[:count]
    )
    if len(ids) < count:
        print(f"invoice_pdfs: building {count - len(ids)} issued invoices ...")
        ids += _book(count - len(ids))
    count = len(ids)
    _documents[:] = [operations.invoice_document(invoice_id=invoice_id) for invoice_id in ids]

    figures = []
    for processes in (1, PROCESSES):
        models.InvoicePdf.objects.filter(invoice_id__in=ids).delete()
        parts = [ids[index::processes] for index in range(processes)]
        seconds, rendered = _in_processes(_render, parts, processes)
        if rendered != count:
            raise SystemExit(f"invoice_pdfs: rendered {rendered} of {count}")
        bounds = [
            [index * count // processes, (index + 1) * count // processes]
            for index in range(processes)
        ]
        floor_seconds, made = _in_processes(_text_only, bounds, processes)
        assert made == count
        print(
            f"invoice_pdfs: {count} PDFs in {processes} process(es): {seconds:.2f} s "
            f"({count / seconds:.1f}/s); text-only floor {floor_seconds:.2f} s"
        )
        figures.append(
            _harness.Figure(
                f"invoice_pdfs_{processes}p",
                count / seconds,
                "PDFs/s",
                count / floor_seconds,
                count,
                True,
            )
        )
    sizes = [
        len(bytes(content))
        for content in models.InvoicePdf.objects.filter(invoice_id__in=ids).values_list(
            "content", flat=True
        )
    ]
    print(f"invoice_pdfs: {sum(sizes) / len(sizes) / 1024:.1f} kB a PDF on average")
    return figures


def main() -> None:
    args = _harness.arguments(__doc__.splitlines()[0])
    with _harness.throwaway_database(keep=args.keep, name=args.database) as url:
        _harness.set_up_django(url)
        _harness.report(run(args.scale))


if __name__ == "__main__":
    main()
