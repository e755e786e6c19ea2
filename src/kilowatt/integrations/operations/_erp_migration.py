"""Migrate customers from the legacy ERP through its SOAP service, page by page.

``migrate_from_erp`` reads the ERP's control totals, then its customers a page at a time
(``ListCustomers``), and writes each page in one transaction: the customers that pass
every rule go in through the contexts' bulk loads (customers, sites, meter points with
their meters and registers, accounts and agreements), each account's balance is posted to
the ledger as an opening balance, and its open invoices are recorded by billing; the page's
``MigratedRecord`` rows, its rejects and the run's next page token are written in the same
transaction. So a run killed part-way keeps whole pages only, and the next run resumes
after the last page kept; a record already migrated (its legacy id is in
``MigratedRecord``) is skipped, so nothing is ever taken twice.

A customer moves whole or not at all: one rule broken anywhere under it (a postcode, an
MPAN's check digit, a tariff we do not sell) refuses the customer, reported by the legacy
id of the record, the field and the rule. At the end the reconciliation compares the
ERP's control totals with ours plus the rejects, count by count and balance by balance,
and is printed and kept on the run.

The client is zeep, the same code against the simulator (``kilowatt.simulators.legacy_erp``)
and the real ERP. The migration is a one-off at the cut-over: ids are assigned from the
largest in each table, so nothing else should be creating customers while it runs.
"""

from __future__ import annotations

import dataclasses
import datetime
import functools
import operator
from collections.abc import Iterable, Mapping, Sequence
from typing import Any, Protocol

from django.db import transaction
from django.db.models import Count, F, Sum

from kilowatt.accounts import operations as account_operations
from kilowatt.billing import operations as billing_operations
from kilowatt.billing.domain.legacy import LegacyInvoice
from kilowatt.customers import operations as customer_operations
from kilowatt.customers.domain import customers as customer_rules
from kilowatt.integrations import models
from kilowatt.integrations.domain import erp
from kilowatt.ledger import operations as ledger_operations
from kilowatt.ledger import queries as ledger_queries
from kilowatt.ledger.domain import LineSpec
from kilowatt.metering import operations as metering_operations
from kilowatt.metering import queries as metering_queries
from kilowatt.metering.domain import certification
from kilowatt.platform.errors import KilowattError
from kilowatt.properties import operations as property_operations

DEFAULT_PAGE_SIZE = 100
POSTED_BY = "erp-migration"
Kind = models.MigratedRecord.Kind


class ErpUnavailable(KilowattError):
    """The ERP did not answer, or answered with a fault; what was kept stays kept and the
    next run resumes from there."""


class ErpService(Protocol):
    """What the migration asks of the ERP (``SoapErp`` in production and in the tests)."""

    def list_customers(
        self, *, page_token: str | None, page_size: int
    ) -> tuple[list[Mapping[str, Any]], str | None]: ...

    def control_totals(self) -> Mapping[str, Any]: ...


class SoapErp:
    """The ERP's SOAP 1.1 ``CustomerService`` through zeep; ``url`` is the service's
    address, its WSDL is at ``url?wsdl``."""

    def __init__(self, url: str, *, timeout: float = 60) -> None:
        import zeep  # the SOAP stack loads only when a migration runs
        import zeep.helpers

        self._serialize = zeep.helpers.serialize_object
        self._errors: tuple[type[BaseException], ...] = (zeep.exceptions.Error, OSError)
        try:
            import requests

            self._errors += (requests.RequestException,)
        except ImportError:  # pragma: no cover - zeep depends on requests
            pass
        wsdl = url if url.lower().endswith("?wsdl") else f"{url}?wsdl"
        transport = zeep.Transport(timeout=timeout, operation_timeout=timeout)
        try:
            self._client = zeep.Client(wsdl, transport=transport)
        except self._errors as error:
            raise ErpUnavailable(f"cannot read the ERP's WSDL at {wsdl}: {error}") from None

    def _call(self, name: str, **arguments: Any) -> Any:
        try:
            answer = getattr(self._client.service, name)(**arguments)
        except self._errors as error:
            raise ErpUnavailable(f"the ERP's {name} failed: {error}") from None
        return self._serialize(answer, dict)

    def list_customers(
        self, *, page_token: str | None, page_size: int
    ) -> tuple[list[Mapping[str, Any]], str | None]:
        answer = self._call("ListCustomers", pageToken=page_token, pageSize=page_size)
        return list(answer.get("customer") or []), answer.get("nextPageToken") or None

    def control_totals(self) -> Mapping[str, Any]:
        return self._call("GetControlTotals")


@dataclasses.dataclass(frozen=True)
class ReconciliationLine:
    """One measure, on both sides: the ERP's, and ours plus what was refused."""

    measure: str
    erp: int
    ours: int
    rejected: int

    @property
    def difference(self) -> int:
        return self.erp - self.ours - self.rejected

    @property
    def agrees(self) -> bool:
        return self.difference == 0


@dataclasses.dataclass(frozen=True)
class RejectedCustomer:
    legacy_customer_id: str
    reasons: tuple[erp.Reason, ...]


@dataclasses.dataclass(frozen=True)
class MigrationReport:
    """What a call of ``migrate_from_erp`` did, and (once finished) the reconciliation."""

    run_id: int
    url: str
    finished: bool
    pages: int  # pages read by this call
    imported: int  # customers, by this call
    skipped: int  # customers already migrated
    rejected: int  # customers refused by this call
    lines: tuple[ReconciliationLine, ...] = ()
    rejects: tuple[RejectedCustomer, ...] = ()  # every reject of the run

    @property
    def agrees(self) -> bool:
        return self.finished and all(line.agrees for line in self.lines)

    def as_json(self) -> dict[str, Any]:
        return {
            "lines": [dataclasses.asdict(line) for line in self.lines],
            "agrees": self.agrees,
            "rejects": [
                {
                    "legacy_customer_id": r.legacy_customer_id,
                    "reasons": [dataclasses.asdict(reason) for reason in r.reasons],
                }
                for r in self.rejects
            ],
        }


def migrate_from_erp(
    *,
    url: str,
    as_at: datetime.datetime,
    page_size: int = DEFAULT_PAGE_SIZE,
    max_pages: int | None = None,
    posted_by: str = POSTED_BY,
    service: ErpService | None = None,
) -> MigrationReport:
    """Import the ERP's customers, accounts, sites, meter points, balances and open
    invoices, resuming the unfinished run for ``url`` if there is one; reconcile at the
    end and keep the reconciliation on the run.

    Each page is one transaction. With ``max_pages``, stop after that many pages (the run
    stays open; call again to go on). A resumed run keeps its first page size.

    :raises ErpUnavailable: the ERP did not answer or answered with a fault (the pages
        already written stay; calling again resumes after them).
    """
    url = url.removesuffix("?wsdl").removesuffix("?WSDL")
    erp_service = service or SoapErp(url)
    totals = erp.control_totals_from_erp(erp_service.control_totals())
    run = _open_run(url=url, page_size=page_size, as_at=as_at)
    pages = imported = skipped = rejected = 0
    token = run.next_page_token or None
    done = run.pages > 0 and token is None
    while not done:
        if max_pages is not None and pages >= max_pages:
            return MigrationReport(
                run_id=run.pk, url=url, finished=False, pages=pages, imported=imported,
                skipped=skipped, rejected=rejected, rejects=_rejects(run.pk),
            )  # fmt: skip
        customers, token = erp_service.list_customers(page_token=token, page_size=run.page_size)
        counts = _import_page(
            run_id=run.pk,
            customers=customers,
            next_token=token,
            balance_date=totals.as_at,
            as_at=as_at,
            posted_by=posted_by,
        )
        pages += 1
        imported, skipped, rejected = (
            imported + counts[0], skipped + counts[1], rejected + counts[2]
        )  # fmt: skip
        done = token is None
    final = erp.control_totals_from_erp(erp_service.control_totals())
    report = MigrationReport(
        run_id=run.pk,
        url=url,
        finished=True,
        pages=pages,
        imported=imported,
        skipped=skipped,
        rejected=rejected,
        lines=reconcile(run_id=run.pk, erp_totals=final.tally),
        rejects=_rejects(run.pk),
    )
    models.MigrationRun.objects.filter(pk=run.pk).update(finished_at=as_at, report=report.as_json())
    return report


def _open_run(*, url: str, page_size: int, as_at: datetime.datetime) -> models.MigrationRun:
    if page_size < 1:
        raise ValueError("a page holds at least one customer")
    with transaction.atomic():
        run = (
            models.MigrationRun.objects.select_for_update()
            .filter(url=url, finished_at__isnull=True)
            .first()
        )
        if run is None:
            run = models.MigrationRun.objects.create(url=url, page_size=page_size, started_at=as_at)
        return run


def _rejects(run_id: int) -> tuple[RejectedCustomer, ...]:
    rows = models.MigrationReject.objects.filter(run_id=run_id).order_by("legacy_customer_id")
    return tuple(
        RejectedCustomer(
            legacy_customer_id=row.legacy_customer_id,
            reasons=tuple(erp.Reason(**reason) for reason in row.reasons),
        )
        for row in rows
    )


def _identifiers_on_record(identifiers: Iterable[str]) -> set[str]:
    """Return which of these MPAN cores and MPRNs are meter points we already hold."""
    wanted = sorted(set(identifiers))
    found: set[str] = set()
    for start in range(0, len(wanted), 200):
        subqueries = [
            metering_queries.meter_point_ids_for_identifier(identifier=identifier)
            for identifier in wanted[start : start + 200]
        ]
        ids = list(functools.reduce(operator.or_, subqueries).values_list("id", flat=True))
        found.update(p.identifier for p in metering_queries.meter_points_by_ids(ids=ids))
    return found


def _screen(
    customers: Sequence[erp.ErpCustomer], *, today: datetime.date
) -> tuple[dict[str, list[erp.Reason]], dict[str, int]]:
    """Return every customer's reasons to refuse it (by legacy id; empty: it moves) and
    the ids of the tariffs of ours that carry the accepted ones on, by code."""
    reasons = {c.legacy_id: erp.problems(c, today=today) for c in customers}
    wanted: dict[str, set[str]] = {}  # our tariff code -> the customers who need it
    for customer in customers:
        for account in customer.accounts:
            for site in account.sites:
                for point in site.meter_points:
                    code = erp.tariff_code(
                        fuel=point.fuel,
                        erp_tariff=point.tariff_code,
                        customer_kind=customer.details.kind,
                        payment_method=account.payment_method,
                        region=point.region,
                    )
                    if code is None:
                        reasons[customer.legacy_id].append(_no_tariff(point, None))
                    else:
                        wanted.setdefault(code, set()).add(customer.legacy_id)
    tariff_ids = account_operations.tariff_ids_by_code(wanted)
    for customer in customers:
        for point in customer.meter_points:
            code = erp.tariff_code(
                fuel=point.fuel,
                erp_tariff=point.tariff_code,
                customer_kind=customer.details.kind,
                payment_method=_account_of(customer, point).payment_method,
                region=point.region,
            )
            if code is not None and code not in tariff_ids:
                reasons[customer.legacy_id].append(_no_tariff(point, code))
    # A meter point we hold already, or one two customers of the ERP both claim.
    valid = [c for c in customers if not reasons[c.legacy_id]]
    held = _identifiers_on_record(p.identifier for c in valid for p in c.meter_points)
    seen: set[str] = set()
    for customer in valid:
        for point in customer.meter_points:
            if point.identifier in held or point.identifier in seen:
                reasons[customer.legacy_id].append(
                    erp.Reason(point.legacy_id, "meter_point.identifier", "already_supplied",
                               f"{point.identifier} is a meter point we hold already")
                )  # fmt: skip
            seen.add(point.identifier)
    return reasons, tariff_ids


def _account_of(customer: erp.ErpCustomer, point: erp.ErpMeterPoint) -> erp.ErpAccount:
    return next(a for a in customer.accounts for s in a.sites if point in s.meter_points)


def _no_tariff(point: erp.ErpMeterPoint, code: str | None) -> erp.Reason:
    ours = f" (ours would be {code}, not on record)" if code else ""
    return erp.Reason(
        point.legacy_id,
        "meter_point.tariff_code",
        "tariff_unknown",
        f"the ERP's tariff {point.tariff_code!r} has no tariff of ours to carry it on{ours}",
    )


def _midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), datetime.UTC)


@dataclasses.dataclass
class _Rows:
    """A page's rows for each context's bulk load, and what became of each legacy id."""

    customers: list[tuple] = dataclasses.field(default_factory=list)
    sites: list[tuple] = dataclasses.field(default_factory=list)
    meter_points: list[tuple] = dataclasses.field(default_factory=list)
    meters: list[tuple] = dataclasses.field(default_factory=list)
    registers: list[tuple] = dataclasses.field(default_factory=list)
    accounts: list[tuple] = dataclasses.field(default_factory=list)
    agreements: list[tuple] = dataclasses.field(default_factory=list)
    records: list[tuple[str, str, int, int | None]] = dataclasses.field(default_factory=list)
    balances: list[tuple[str, int, int]] = dataclasses.field(default_factory=list)
    invoices: list[LegacyInvoice] = dataclasses.field(default_factory=list)


def _rows(
    customers: Sequence[erp.ErpCustomer], *, tariff_ids: Mapping[str, int], as_at: datetime.datetime
) -> _Rows:
    rows = _Rows()
    first = {
        **customer_operations.next_customer_ids(),
        **metering_operations.next_meter_point_ids(),
        **account_operations.next_account_ids(),
        "site": property_operations.next_site_id(),
    }
    next_id = dict(first)

    def take(table: str) -> int:
        next_id[table] += 1
        return next_id[table] - 1

    for customer in customers:
        details = customer.details
        customer_id = take("customer")
        rows.customers.append(
            (customer_id, customer_operations.customer_number(customer_id), details.kind,
             details.title, details.first_name, details.last_name, details.date_of_birth,
             details.company_name, details.company_number, details.sector,
             details.is_micro_business, details.email, details.phone,
             customer_rules.search_name(details), None, _midnight(customer.created_date))
        )  # fmt: skip
        rows.records.append((Kind.CUSTOMER, customer.legacy_id, customer_id, None))
        for account in customer.accounts:
            account_id = take("account")
            rows.accounts.append(
                (account_id, account_operations.account_number(account_id), customer_id,
                 "ACTIVE", account.payment_method, account.bill_delivery,
                 _midnight(account.opened_date))
            )  # fmt: skip
            rows.records.append((Kind.ACCOUNT, account.legacy_id, account_id, None))
            if account.balance_pence:
                rows.balances.append((account.legacy_id, account_id, account.balance_pence))
            for site in account.sites:
                site_id = take("site")
                rows.sites.append(
                    (site_id, site.address_line_1, site.address_line_2, site.town, site.county,
                     site.postcode, as_at)
                )  # fmt: skip
                rows.records.append((Kind.SITE, site.legacy_id, site_id, None))
                for point in site.meter_points:
                    point_id = take("meter_point")
                    rows.meter_points.append(
                        (point_id, point.identifier, point.fuel, site_id, point.region,
                         point.profile_class, point.meter_timeswitch_code,
                         point.line_loss_factor_class, as_at, point.supply_start_date)
                    )  # fmt: skip
                    rows.records.append((Kind.METER_POINT, point.legacy_id, point_id, None))
                    code = erp.tariff_code(
                        fuel=point.fuel, erp_tariff=point.tariff_code,
                        customer_kind=details.kind, payment_method=account.payment_method,
                        region=point.region,
                    )  # fmt: skip
                    rows.agreements.append(
                        (take("agreement"), account_id, point_id, tariff_ids[code or ""],
                         point.tariff_start_date, None)
                    )  # fmt: skip
                    for meter in point.meters:
                        meter_id = take("meter")
                        rows.meters.append(
                            (meter_id, point_id, meter.serial_number, meter.type, meter.units,
                             meter.digits, meter.installed_date, None,
                             certification.certified_until(fuel=point.fuel,
                                 meter_type=meter.type, certified_on=meter.installed_date))
                        )  # fmt: skip
                        for register in meter.registers:
                            rows.registers.append(
                                (take("register"), meter_id, register.identifier,
                                 register.band, register.estimated_annual_kwh)
                            )  # fmt: skip
            for invoice in account.invoices:
                rows.invoices.append(
                    LegacyInvoice(
                        legacy_number=invoice.number,
                        account_id=account_id,
                        bill_date=invoice.bill_date,
                        period_start=invoice.period_start,
                        period_end=invoice.period_end,
                        net_pence=invoice.net_pence,
                        vat_pence=invoice.vat_pence,
                        delivery=account.bill_delivery,
                    )
                )
                rows.records.append(
                    (Kind.INVOICE, invoice.number, account_id, invoice.outstanding_pence)
                )
    return rows


@transaction.atomic
def _import_page(
    *,
    run_id: int,
    customers: Sequence[Mapping[str, Any]],
    next_token: str | None,
    balance_date: datetime.date,
    as_at: datetime.datetime,
    posted_by: str,
) -> tuple[int, int, int]:
    """Write one page of the ERP's customers; return (imported, skipped, rejected)."""
    run = models.MigrationRun.objects.select_for_update().get(pk=run_id)
    mapped: list[erp.ErpCustomer] = []
    refused: dict[str, tuple[list[erp.Reason], erp.Tally]] = {}
    for data in customers:
        legacy_id = str(data.get("customerId") or "")
        try:
            mapped.append(erp.customer_from_erp(data))
        except (ValueError, KeyError, TypeError) as error:
            reason = erp.Reason(legacy_id, "customer", "unreadable", f"cannot read: {error}")
            refused[legacy_id] = ([reason], erp.Tally(customers=1))
    migrated = set(
        models.MigratedRecord.objects.filter(
            kind=Kind.CUSTOMER, legacy_id__in=[c.legacy_id for c in mapped]
        ).values_list("legacy_id", flat=True)
    )
    fresh = [c for c in mapped if c.legacy_id not in migrated]
    reasons, tariff_ids = _screen(fresh, today=as_at.date())
    accepted = [c for c in fresh if not reasons[c.legacy_id]]
    for customer in fresh:
        if reasons[customer.legacy_id]:
            refused[customer.legacy_id] = (reasons[customer.legacy_id], erp.tally(customer))
    rows = _rows(accepted, tariff_ids=tariff_ids, as_at=as_at)
    customer_operations.load_customers(customers=rows.customers)
    property_operations.load_sites(sites=rows.sites)
    metering_operations.load_meter_points(
        meter_points=rows.meter_points, meters=rows.meters, registers=rows.registers
    )
    account_operations.load_accounts(accounts=rows.accounts, agreements=rows.agreements)
    customer_operations.finish_customer_load()
    property_operations.finish_site_load()
    metering_operations.finish_meter_point_load()
    account_operations.finish_account_load()
    for legacy_account_id, account_id, amount in rows.balances:
        transaction_id = ledger_operations.post_transaction(
            kind="OPENING_BALANCE",
            reference=f"erp:balance:{legacy_account_id}",
            description=f"Opening balance brought from the legacy ERP, account {legacy_account_id}",
            effective_date=balance_date,
            lines=[
                LineSpec("RECEIVABLE", amount, holder=account_id),
                LineSpec("MIGRATION", -amount),
            ],
            posted_at=as_at,
            posted_by=posted_by,
        )
        rows.records.append((Kind.BALANCE, legacy_account_id, transaction_id, amount))
    # The open invoices' amounts are already in the opening balances just posted: they
    # are recorded for the customer to see and for debt work, never posted again.
    billing_operations.import_legacy_invoices(invoices=rows.invoices, imported_at=as_at)
    models.MigratedRecord.objects.bulk_create(
        models.MigratedRecord(
            kind=kind, legacy_id=legacy_id, our_id=our_id, amount_pence=amount, run_id=run_id
        )
        for kind, legacy_id, our_id, amount in rows.records
    )
    models.MigrationReject.objects.bulk_create(
        models.MigrationReject(
            run_id=run_id,
            legacy_customer_id=legacy_id,
            reasons=[dataclasses.asdict(reason) for reason in found],
            accounts=counted.accounts,
            meter_points=counted.meter_points,
            open_invoices=counted.open_invoices,
            debit_pence=counted.debit_pence,
            credit_pence=counted.credit_pence,
            outstanding_pence=counted.outstanding_pence,
        )
        for legacy_id, (found, counted) in refused.items()
    )
    skipped = len(mapped) - len(fresh)
    models.MigrationRun.objects.filter(pk=run.pk).update(
        pages=F("pages") + 1,
        next_page_token=next_token or "",
        customers_imported=F("customers_imported") + len(accepted),
        customers_rejected=F("customers_rejected") + len(refused),
        customers_skipped=F("customers_skipped") + skipped,
    )
    return len(accepted), skipped, len(refused)


def reconcile(*, run_id: int, erp_totals: erp.Tally) -> tuple[ReconciliationLine, ...]:
    """Compare the ERP's control totals with what we hold from it and what ``run_id``
    refused: counts of customers, accounts, meter points and open invoices; the debit and
    credit balances in our ledger of the accounts we took; the open invoices' outstanding."""
    counts = dict(
        models.MigratedRecord.objects.values("kind")
        .annotate(n=Count("id"))
        .order_by()
        .values_list("kind", "n")
    )
    account_ids = list(
        models.MigratedRecord.objects.filter(kind=Kind.ACCOUNT).values_list("our_id", flat=True)
    )
    balances = ledger_queries.balances_for_accounts(holders=account_ids).values()
    outstanding = models.MigratedRecord.objects.filter(kind=Kind.INVOICE).aggregate(
        total=Sum("amount_pence")
    )["total"]
    ours = erp.Tally(
        customers=counts.get(Kind.CUSTOMER, 0),
        accounts=counts.get(Kind.ACCOUNT, 0),
        meter_points=counts.get(Kind.METER_POINT, 0),
        open_invoices=counts.get(Kind.INVOICE, 0),
        debit_pence=sum(b for b in balances if b > 0),
        credit_pence=-sum(b for b in balances if b < 0),
        outstanding_pence=outstanding or 0,
    )
    refused = models.MigrationReject.objects.filter(run_id=run_id).aggregate(
        customers=Count("id"),
        accounts=Sum("accounts"),
        meter_points=Sum("meter_points"),
        open_invoices=Sum("open_invoices"),
        debit_pence=Sum("debit_pence"),
        credit_pence=Sum("credit_pence"),
        outstanding_pence=Sum("outstanding_pence"),
    )
    rejected = erp.Tally(**{key: value or 0 for key, value in refused.items()})
    names = {
        "customers": "customers",
        "accounts": "accounts",
        "meter_points": "meter points",
        "open_invoices": "open invoices",
        "debit_pence": "debit balances (pence)",
        "credit_pence": "credit balances (pence)",
        "outstanding_pence": "open invoices outstanding (pence)",
    }
    return tuple(
        ReconciliationLine(
            measure=label,
            erp=getattr(erp_totals, field),
            ours=getattr(ours, field),
            rejected=getattr(rejected, field),
        )
        for field, label in names.items()
    )
