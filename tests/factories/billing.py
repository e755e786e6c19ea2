"""A small billed book: a home on dual fuel and a business with two sites, read on the
1st of February and of March 2026, billed by the run of 1 March 2026 (as
``tests/integration/billing/test_bill_runs.py`` builds it), and bills held on demand."""

from __future__ import annotations

import dataclasses
import datetime
from decimal import Decimal

from kilowatt.accounts import models as account_models
from kilowatt.billing import models, operations
from kilowatt.identity.domain.roles import Principal, Role
from kilowatt.metering import models as metering_models
from kilowatt.metering import operations as metering
from kilowatt.platform import audit, events
from tests.factories import book

RUN_DATE = datetime.date(2026, 3, 1)
AS_AT = datetime.datetime(2026, 3, 1, 6, 0, tzinfo=datetime.UTC)
FEB_1 = datetime.datetime(2026, 2, 1, 0, 0, tzinfo=datetime.UTC)
MAR_1 = datetime.datetime(2026, 3, 1, 0, 0, tzinfo=datetime.UTC)


@dataclasses.dataclass(frozen=True)
class BilledBook:
    staff: dict[Role, Principal]
    home: book.Customer
    business: book.Customer


def read(identifier: str, at: datetime.datetime, value: str) -> None:
    """Record an accepted customer read."""
    (outcome,) = metering.record_reads(
        reads=[metering.ReadIn(meter_point=identifier, read_at=at, value=Decimal(value))],
        source="CUSTOMER",
        received_by="test",
        as_at=at + datetime.timedelta(hours=9),
    )
    assert outcome.status == "ACCEPTED", outcome


def billed_book(*, roles: tuple[Role, ...] = (Role.BILLING, Role.SYSADMIN, Role.AGENT)):
    """Build the book and its reads (not billed yet); return it."""
    staff = {
        role: book.principal(role) for role in {*roles, Role.BILLING, Role.SYSADMIN, Role.AGENT}
    }
    book.price_list(by=staff[Role.BILLING], region="13")
    metering_models.CalorificValue.objects.update_or_create(
        valid_from=datetime.date(2026, 1, 1),
        defaults={"megajoules_per_cubic_metre": Decimal("39.2")},
    )
    home = book.home(by=staff[Role.AGENT], setup=staff[Role.SYSADMIN])
    business = book.business(by=staff[Role.AGENT], setup=staff[Role.SYSADMIN])
    account_models.Account.objects.filter(number__in=[home.account, business.account]).update(
        status="ACTIVE", bill_day=1
    )
    (site,) = home.sites
    read(site.mpan, FEB_1, "1000")
    read(site.mprn, FEB_1, "500")
    read(site.mpan, MAR_1, "1300")
    read(site.mprn, MAR_1, "540")
    for at in business.sites:
        read(at.mpan, FEB_1, "20000")
        read(at.mpan, MAR_1, "21500")
    return BilledBook(staff=staff, home=home, business=business)


def bill(run_date: datetime.date = RUN_DATE, chunk_size: int = 1) -> int:
    """Run the bill run of ``run_date`` to completion (not released); return its id."""
    as_at = datetime.datetime.combine(run_date, datetime.time(6), datetime.UTC)
    run_id = operations.start_bill_run(
        run_date=run_date, started_by="test", as_at=as_at, chunk_size=chunk_size
    )
    for chunk_id in operations.pending_chunk_ids(run_id=run_id):
        operations.bill_chunk(chunk_id=chunk_id, as_at=as_at)
    return run_id


def invoice_of(account_number: str) -> models.Invoice:
    """Return the account's one live invoice."""
    return models.Invoice.objects.get(
        account__number=account_number, status__in=["DRAFT", "HELD", "ISSUED"]
    )


def hold(
    invoice_id: int,
    *,
    rule: str = "far_from_usual",
    message: str = "£214.07 for 28 days; the last bill was £20.00 for 28 days",
) -> models.Invoice:
    """Hold a draft as a bill-exception rule would have; return it."""
    models.Invoice.objects.filter(id=invoice_id).update(
        status="HELD", hold_rule=rule, hold_message=message
    )
    return models.Invoice.objects.get(id=invoice_id)


@dataclasses.dataclass(frozen=True)
class RestatedBook:
    """``billed_book`` billed and released, then the home's 1 March electricity read
    corrected from 1300 to 1250: its bill (300 kWh, £224.77) credited and replaced by
    one for 250 kWh (£211.72)."""

    book: BilledBook
    original_id: int
    credit_note_id: int
    replacement_id: int
    business_bill_id: int  # the business's bill: issued, never restated


def restated_book(*, roles: tuple[Role, ...] = (Role.BILLING, Role.SYSADMIN, Role.AGENT)):
    """Build ``billed_book``, bill and release March's run, and restate the home's bill
    (``metering.replace_read`` then ``events.dispatch``, as in production)."""
    built = billed_book(roles=roles)
    run_id = bill()
    operations.release_bill_run(run_id=run_id, released_by="test", as_at=AS_AT)
    events.dispatch(as_at=AS_AT)
    original = invoice_of(built.home.account)
    (site,) = built.home.sites
    wrong = metering_models.Read.objects.get(
        meter_point__identifier=site.mpan, read_at=MAR_1, status="ACCEPTED"
    )
    later = AS_AT + datetime.timedelta(days=3)
    metering.replace_read(
        read_id=wrong.id,
        value=Decimal("1250"),
        reason="misread",
        actor=audit.Actor(id=None, name="billing test"),
        as_at=later,
    )
    events.dispatch(as_at=later)
    credit, replacement = models.Invoice.objects.filter(replaces=original).order_by("kind")
    return RestatedBook(
        book=built,
        original_id=original.id,
        credit_note_id=credit.id,
        replacement_id=replacement.id,
        business_bill_id=invoice_of(built.business.account).id,
    )
