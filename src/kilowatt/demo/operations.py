"""Load the demo book and its logins, set-based, chunk by chunk.

The pure generator (``domain.book``) yields rows; each context's bulk operation checks
and writes its own tables (PostgreSQL ``COPY``; batched inserts on SQLite). A book of
several chunks is generated in a forked process while this one writes (the machine's
second core).

Transactions: one per chunk, so a chunk that fails leaves nothing of itself behind and
the chunks before it stay. A big load into a smaller book (``SET_ASIDE_FROM``) instead
runs in one transaction that sets the secondary indexes and constraints aside and
rebuilds them once at the end (measured on 2 cores: several times faster than
maintaining them row by row); if anything fails, nothing of the load is kept.
"""

from __future__ import annotations

import contextlib
import dataclasses
import datetime
import gc
import multiprocessing
import time
from collections.abc import Callable, Iterator

from django.db import transaction

from kilowatt.accounts import operations as account_operations
from kilowatt.accounts import queries as account_queries
from kilowatt.billing import operations as billing_operations
from kilowatt.billing import queries as billing_queries
from kilowatt.billing.domain import legacy
from kilowatt.comms import queries as comms_queries
from kilowatt.customers import operations as customer_operations
from kilowatt.customers import queries as customer_queries
from kilowatt.customers.domain import customers as customer_rules
from kilowatt.demo.domain import book, catalogue, logins, readings, rows
from kilowatt.demo.domain import sales as sales_demo
from kilowatt.field import operations as field_operations
from kilowatt.field import queries as field_queries
from kilowatt.field.domain import slots as slot_rules
from kilowatt.identity import operations as identity_operations
from kilowatt.identity import queries as identity_queries
from kilowatt.identity.domain.roles import ANONYMOUS
from kilowatt.ledger import operations as ledger_operations
from kilowatt.ledger.domain import LineSpec
from kilowatt.metering import operations as metering_operations
from kilowatt.metering import queries as metering_queries
from kilowatt.platform import audit, bulk, events, periods
from kilowatt.properties import operations as property_operations
from kilowatt.properties.domain import addresses
from kilowatt.sales import operations as sales_operations
from kilowatt.sales import queries as sales_queries
from kilowatt.sales.domain import orders as sales_orders
from kilowatt.sales.domain import quotes as sales_quotes
from kilowatt.validation.mpan import REGIONS, check_digit
from kilowatt.validation.mprn import check_digits

Progress = Callable[[str], None]
CHUNK_SIZE = 50_000
# From this many customers into a smaller book, indexes are rebuilt once after the load.
SET_ASIDE_FROM = 50_000


@dataclasses.dataclass(frozen=True)
class SeedReport:
    customers: int  # customers written (0 when skipped)
    rows: int  # rows written over every table
    seconds: float
    skipped: bool = False  # --if-empty found customers already


def _check_row_shapes() -> None:
    """Fail loudly if the generator's row shape drifted from a context's bulk columns."""
    expected = {
        "customer": (rows.CUSTOMER, customer_operations.CUSTOMER_COLUMNS),
        "contact": (rows.CONTACT, customer_operations.CONTACT_COLUMNS),
        "consent": (rows.CONSENT, customer_operations.CONSENT_COLUMNS),
        "priority need": (rows.PRIORITY_NEED, customer_operations.PRIORITY_NEED_COLUMNS),
        "site": (rows.SITE, property_operations.SITE_COLUMNS),
        "meter point": (rows.METER_POINT, metering_operations.METER_POINT_COLUMNS),
        "meter": (rows.METER, metering_operations.METER_COLUMNS),
        "register": (rows.REGISTER, metering_operations.REGISTER_COLUMNS),
        "tariff": (rows.TARIFF, account_operations.TARIFF_COLUMNS),
        "tariff rate": (rows.TARIFF_RATE, account_operations.TARIFF_RATE_COLUMNS),
        "price cap": (rows.PRICE_CAP, account_operations.PRICE_CAP_COLUMNS),
        "account": (rows.ACCOUNT, account_operations.ACCOUNT_COLUMNS),
        "agreement": (rows.AGREEMENT, account_operations.AGREEMENT_COLUMNS),
        "user": (rows.USER, identity_operations.USER_COLUMNS),
    }
    for table, (generated, loaded) in expected.items():
        if tuple(generated) != tuple(loaded):
            raise RuntimeError(f"the demo's {table} rows no longer match the bulk load's columns")


@transaction.atomic
def ensure_demo_logins(*, as_at: datetime.datetime) -> dict[str, int]:
    """Create the demo logins that are missing (password ``kilowatt``); return every
    demo login's user id by username."""
    ids: dict[str, int] = {}
    for login in logins.LOGINS:
        user = identity_queries.user_by_username(username=login.username)
        if user is not None:
            ids[login.username] = user.pk
    missing = [login for login in logins.LOGINS if login.username not in ids]
    if not missing:
        return ids
    password = identity_operations.hash_password(logins.PASSWORD)
    next_id = identity_operations.next_user_id()
    new_rows = []
    for login in missing:
        ids[login.username] = next_id
        sysadmin = login.role.value == "SYSADMIN"
        new_rows.append(
            (next_id, login.username, password, login.role.value, login.first_name,
             login.last_name, f"{login.username}@kilowatt.example", sysadmin, sysadmin, True,
             as_at, ids.get(login.reports_to) if login.reports_to else None, login.region)
        )  # fmt: skip
        next_id += 1
    identity_operations.load_users(users=new_rows)
    identity_operations.finish_user_load()
    return ids


def _unlinked(username: str) -> int | None:
    """Return the id of a demo customer login that is nobody's contact yet, else None."""
    user = identity_queries.user_by_username(username=username)
    if user is None:
        return None
    sees_a_customer = customer_queries.visible_customers(
        identity_queries.principal_for(user)
    ).exists()
    return None if sees_a_customer else user.pk


@transaction.atomic
def _ensure_catalogue(today: datetime.date) -> dict[tuple[str, str, str, str, str], int]:
    """Put the demo tariffs and this quarter's price caps on record where missing; return
    every tariff's id by its key."""
    offers = catalogue.tariffs(today)
    recorded = account_operations.tariff_ids_by_code(offer.code for offer in offers)
    first = account_operations.next_account_ids()
    tariff_rows, rate_rows, cap_rows = [], [], []
    tariff_id, rate_id = first["tariff"], first["tariff_rate"]
    for offer in offers:
        if offer.code in recorded:
            continue
        tariff_rows.append(
            (tariff_id, offer.code, offer.name, offer.fuel, offer.region, offer.customer_kind,
             offer.payment_method, offer.kind, offer.term_months, offer.exit_fee_pence,
             offer.standing_charge_pence_per_day, offer.valid_from, None)
        )  # fmt: skip
        for band, rate in offer.unit_rates:
            rate_rows.append((rate_id, tariff_id, band, rate))
            rate_id += 1
        recorded[offer.code] = tariff_id
        tariff_id += 1
    caps = catalogue.price_caps(today)
    capped = account_operations.recorded_price_caps(valid_from=caps[0].valid_from)
    cap_id = first["price_cap"]
    for cap in caps:
        if (cap.region, cap.fuel, cap.payment_method) in capped:
            continue
        cap_rows.append(
            (cap_id, cap.region, cap.fuel, cap.payment_method, cap.standing_charge_pence_per_day,
             cap.unit_rate_pence_per_kwh, cap.valid_from, cap.valid_to)
        )  # fmt: skip
        cap_id += 1
    account_operations.load_tariffs(tariffs=tariff_rows, rates=rate_rows, price_caps=cap_rows)
    account_operations.finish_account_load()
    return {offer.key: recorded[offer.code] for offer in offers}


def book_plan(
    *,
    customers: int,
    seed: int,
    today: datetime.date,
    as_at: datetime.datetime,
    first_ids: book.FirstIds,
) -> book.BookPlan:
    """Return the plan of the book ``seed_book`` loads, putting the tariff catalogue, this
    quarter's price caps and the demo logins on record first where they are missing.

    The home and business logins are linked to the book's first customers only if they
    are nobody's contact yet.
    """
    _check_row_shapes()
    login_ids = ensure_demo_logins(as_at=as_at)
    return book.BookPlan(
        customers=customers,
        seed=seed,
        today=today,
        tariff_ids=_ensure_catalogue(today),
        customer_number=customer_operations.customer_number,
        account_number=account_operations.account_number,
        first_ids=first_ids,
        agent_id=login_ids["agent"],
        home_user_id=_unlinked("home"),
        business_user_id=_unlinked("business"),
    )


def first_ids() -> book.FirstIds:
    """Return the first free id of every table the book writes to."""
    customers = customer_operations.next_customer_ids()
    points = metering_operations.next_meter_point_ids()
    accounts = account_operations.next_account_ids()
    return book.FirstIds(
        customer=customers["customer"],
        contact=customers["contact"],
        consent=customers["consent"],
        priority_need=customers["priority_need"],
        site=property_operations.next_site_id(),
        meter_point=points["meter_point"],
        meter=points["meter"],
        register=points["register"],
        account=accounts["account"],
        agreement=accounts["agreement"],
    )


@transaction.atomic
def _load_chunk(chunk: book.Chunk) -> int:
    """Write one chunk's rows, every table, in one transaction; return the rows written."""
    return (
        customer_operations.load_customers(
            customers=chunk.customers,
            contacts=chunk.contacts,
            consents=chunk.consents,
            priority_needs=chunk.priority_needs,
        )
        + property_operations.load_sites(sites=chunk.sites)
        + metering_operations.load_meter_points(
            meter_points=chunk.meter_points, meters=chunk.meters, registers=chunk.registers
        )
        + account_operations.load_accounts(accounts=chunk.accounts, agreements=chunk.agreements)
    )


def _finish() -> None:
    with transaction.atomic():
        customer_operations.finish_customer_load()
        property_operations.finish_site_load()
        metering_operations.finish_meter_point_load()
        account_operations.finish_account_load()


def seed_book(
    *,
    customers: int,
    seed: int,
    today: datetime.date,
    as_at: datetime.datetime,
    if_empty: bool = False,
    chunk_size: int = CHUNK_SIZE,
    progress: Progress | None = None,
) -> SeedReport:
    """Load a deterministic demo book of ``customers`` customers (same size, seed and day:
    same book), with the tariff catalogue, this quarter's price caps and the demo logins.

    Ids continue after the rows already there, so seeding a non-empty database adds a
    book beside what is there. With ``if_empty``, does nothing if any customer exists.

    :raises InvalidInput: a generated row broke a rule at a context's door (a bug in the
        generator; the field is named and the chunk is not kept).
    """
    say = progress or (lambda _message: None)
    started = time.perf_counter()
    first = first_ids()
    if if_empty and first.customer > 1:
        say("customers exist already: not seeding (--if-empty)")
        return SeedReport(customers=0, rows=0, seconds=0.0, skipped=True)
    plan = book_plan(customers=customers, seed=seed, today=today, as_at=as_at, first_ids=first)
    if customers >= SET_ASIDE_FROM and first.customer <= customers:
        # A big load into a smaller book: drop the secondary indexes and constraints, load,
        # build them once, all in one transaction (nothing is kept if any of it fails).
        with transaction.atomic(), contextlib.ExitStack() as set_aside:
            set_aside.enter_context(customer_operations.set_aside_customer_indexes())
            set_aside.enter_context(property_operations.set_aside_site_indexes())
            set_aside.enter_context(metering_operations.set_aside_meter_point_indexes())
            set_aside.enter_context(account_operations.set_aside_account_indexes())
            written, done = _load_chunks(plan, chunk_size, say, started)
            say("building the indexes and checking the references ...")
            set_aside.close()
            _finish()
        bulk.vacuum_after_load()
    else:
        written, done = _load_chunks(plan, chunk_size, say, started)
        _finish()
    return SeedReport(customers=done, rows=written, seconds=time.perf_counter() - started)


def _produce(plan: book.BookPlan, chunk_size: int, queue: multiprocessing.Queue) -> None:
    """Generate the book into ``queue`` (runs in a forked process; touches no database)."""
    gc.disable()  # millions of small tuples, no cycles: collection passes are pure cost
    try:
        for chunk in book.generate(plan, chunk_size=chunk_size):
            queue.put(chunk)
        queue.put(None)
    except BaseException as error:  # tell the loader rather than leave it waiting
        queue.put(RuntimeError(f"the demo book generator failed: {error!r}"))


def _chunks(plan: book.BookPlan, chunk_size: int) -> Iterator[book.Chunk]:
    """Yield the book's chunks. A book of several chunks is generated in a forked process
    while this one checks and writes the previous chunk (the machine's other core)."""
    if plan.customers <= chunk_size or "fork" not in multiprocessing.get_all_start_methods():
        yield from book.generate(plan, chunk_size=chunk_size)
        return
    context = multiprocessing.get_context("fork")
    queue = context.Queue(maxsize=2)
    producer = context.Process(target=_produce, args=(plan, chunk_size, queue), daemon=True)
    producer.start()
    try:
        while (item := queue.get()) is not None:
            if isinstance(item, BaseException):
                raise item
            yield item
    finally:
        if producer.is_alive():
            producer.terminate()
        producer.join()


def _load_chunks(
    plan: book.BookPlan, chunk_size: int, say: Progress, started: float
) -> tuple[int, int]:
    """Generate and write the book chunk by chunk; return the rows and customers written."""
    written = done = 0
    collecting = gc.isenabled()
    gc.disable()  # millions of small tuples, no cycles: collection passes are pure cost
    try:
        for chunk in _chunks(plan, chunk_size):
            written += _load_chunk(chunk)
            done += len(chunk.customers)
            elapsed = time.perf_counter() - started
            say(
                f"{done:,} of {plan.customers:,} customers, {written:,} rows, {elapsed:.1f} s "
                f"({done / elapsed:,.0f} customers/s)"
            )
    finally:
        if collecting:
            gc.enable()
    return written, done


@dataclasses.dataclass(frozen=True)
class ReadsReport:
    reads: int
    held: int
    skipped: bool = False


def reading_days(*, today: datetime.date, months: int) -> list[datetime.date]:
    """The days of the demo's monthly readings: the first of each of the last ``months``
    months, this month's included (so the latest bill run has its closing reads)."""
    next_month = (today.replace(day=1) + datetime.timedelta(days=32)).replace(day=1)
    return readings.month_starts(today=next_month, months=months)


def seed_reads(
    *, today: datetime.date, months: int, as_at: datetime.datetime, if_empty: bool
) -> ReadsReport:
    """Record a monthly reading history for every supplied register, through metering's
    one validation path (so advances, EACs and the held queue are real).

    With ``if_empty``, do nothing if any read exists.
    """
    if if_empty and metering_queries.any_reads():
        return ReadsReport(reads=0, held=0, skipped=True)
    registers = metering_queries.registers_in_supply_frame()
    days = reading_days(today=today, months=months)
    total = held = 0
    for batch in readings.monthly_readings(registers, days=days):
        outcome = metering_operations.record_read_frame(
            batch=batch, source="CUSTOMER", received_by="demo", reference="demo", as_at=as_at
        )
        total += outcome.height
        held += outcome.filter(outcome["status"] == "HELD").height
    return ReadsReport(reads=total, held=held)


@dataclasses.dataclass(frozen=True)
class BillsReport:
    runs: int
    bills: int
    held_now: int
    skipped: bool = False


def seed_bills(
    *, today: datetime.date, months: int, as_at: datetime.datetime, if_empty: bool
) -> BillsReport:
    """Give the demo book a billing history on the days of its readings: every account
    supplied before the first reading brings its last bill from the previous system (an
    ``ERP`` invoice up to that day, its amount the opening balance on the ledger, as the
    migration leaves it); then a bill run on each later reading day, its held bills
    released and the run released, except the latest, left complete for the billing
    team to work its held bills and release.

    With ``if_empty``, do nothing if any invoice exists.
    """
    if if_empty and billing_queries.any_invoices():
        return BillsReport(runs=0, bills=0, held_now=0, skipped=True)
    days = reading_days(today=today, months=months)
    cutover = days[0]
    brought = [
        legacy.LegacyInvoice(
            legacy_number=f"D{account_id:07d}",
            account_id=account_id,
            bill_date=cutover,
            period_start=first_supply,
            period_end=cutover,
            net_pence=2_000 + (account_id * 7_919) % 9_000,
            vat_pence=100 + (account_id * 7_919) % 9_000 // 20,
        )
        for account_id, first_supply in account_queries.first_supplies(before=cutover)
    ]
    with transaction.atomic():
        billing_operations.import_legacy_invoices(invoices=brought, imported_at=as_at)
        for invoice in brought:
            ledger_operations.post_transaction(
                kind="OPENING_BALANCE",
                reference=f"demo:balance:{invoice.account_id}",
                description="Balance brought from the previous billing system",
                effective_date=cutover,
                lines=[
                    LineSpec("RECEIVABLE", invoice.total_pence, holder=invoice.account_id),
                    LineSpec("MIGRATION", -invoice.total_pence),
                ],
                posted_at=as_at,
                posted_by="demo",
            )
    bills = held_now = 0
    runs = [day for day in days[1:] if day <= today]
    for number, day in enumerate(runs, start=1):
        run_id = billing_operations.start_bill_run(run_date=day, started_by="demo", as_at=as_at)
        for chunk_id in billing_operations.pending_chunk_ids(run_id=run_id):
            bills += billing_operations.bill_chunk(chunk_id=chunk_id, as_at=as_at)
        if number == len(runs):
            held_now = len(billing_queries.held_invoice_ids(run_id=run_id))
            break  # the latest run waits for the billing team
        for invoice_id in billing_queries.held_invoice_ids(run_id=run_id):
            billing_operations.release_held_invoice(
                invoice_id=invoice_id, decided_by="demo", as_at=as_at
            )
        billing_operations.release_bill_run(run_id=run_id, released_by="demo", as_at=as_at)
    # The history's events (runs released, reads restated) are history: delivering them
    # now would render and email months of old bills.
    events.close_history(as_at=as_at)
    return BillsReport(runs=len(runs), bills=bills, held_now=held_now)


@dataclasses.dataclass(frozen=True)
class SalesReport:
    orders: int
    skipped: bool


def _demo_order(
    number: int, *, kind: str, fuels: tuple[str, ...], region: str, gas_warning: bool = False
) -> sales_orders.OrderRequest:
    """Return the ``number``-th demo sign-up: new meter points (numbers no demo supply
    uses: their serial starts 8) at an address in the sales region."""
    people = sales_demo.PEOPLE[number % len(sales_demo.PEOPLE)]
    supplies = []
    for fuel in fuels:
        if fuel == "ELECTRICITY":
            first_twelve = f"{region}8{number:09d}"
            identifier = first_twelve + str(check_digit(first_twelve))
        else:
            body = f"8{number:07d}"
            digits = int(check_digits(body))
            # A warned MPRN: its check digits one off, for a person to confirm.
            identifier = body + f"{(digits + 1) % 100 if gas_warning else digits:02d}"
        code = catalogue.tariff_code(
            region=region,
            fuel=fuel,
            customer_kind=kind,
            payment_method="DIRECT_DEBIT",
            product=catalogue.VARIABLE,
        )
        supplies.append(
            sales_orders.SupplyRequest(
                site=0,
                fuel=fuel,
                identifier=identifier,
                tariff_code=code,
                annual_kwh=sales_quotes.typical_kwh(
                    customer_kind=kind, fuel=fuel, meter_type="STANDARD", level="MEDIUM"
                ),
            )
        )
    first, last = people
    business = kind == "BUSINESS"
    return sales_orders.OrderRequest(
        customer=customer_rules.CustomerDetails(
            kind=kind,
            first_name="" if business else first,
            last_name="" if business else last,
            company_name=f"{last} & Co Ltd" if business else "",
            sector="RETAIL" if business else "",
            email=f"{first.lower()}.{last.lower()}{number}@example.com",
            phone="07700900" + f"{number % 1000:03d}",
        ),
        sites=(
            addresses.Address(
                address_line_1=f"{10 + number} Ohm Road", town="London", postcode="SW9 8AA"
            ),
        ),
        supplies=tuple(supplies),
        payment_method="DIRECT_DEBIT",
        bank=sales_orders.BankDetails(f"{first} {last}", "089999", "66374958"),
        consents=sales_orders.Consents(
            terms=True, direct_debit_mandate=True, credit_check=business
        ),
        signer_name=f"{first} {last}" if business else "",
    )


def seed_sales(*, as_at: datetime.datetime, if_empty: bool) -> SalesReport:
    """Give the demo's sales team a pipeline: the sales manager's commission rules and
    the agent's target; the agent's and telesales' sign-ups of the last weeks, some
    signed and supplied, some waiting for a signature (a few long enough to be stuck),
    one stopped for a person (a gas check-digit warning)."""
    if if_empty and sales_queries.visible_orders(sales_operations.SIGN_UP).exists():
        return SalesReport(0, skipped=True)
    ids = ensure_demo_logins(as_at=as_at)
    manager = identity_queries.principal_by_id(user_id=ids["sales-manager"])
    agent = identity_queries.principal_by_id(user_id=ids["agent"])
    telesales = identity_queries.principal_by_id(user_id=ids["telesales"])
    assert manager and agent and telesales
    today = periods.london_date(as_at)
    # The rules were set a month ago, before the pipeline's first sign-up.
    rules_from = today - datetime.timedelta(days=30)
    for product, pence in sales_demo.COMMISSION.items():
        sales_operations.set_commission_rule(
            by=manager,
            product=product,
            amount_pence=pence,
            valid_from=rules_from,
            as_at=as_at - datetime.timedelta(days=30),
        )
    sales_operations.set_target(
        by=manager, agent_id=ids["agent"], month=today.replace(day=1), sign_ups=40, as_at=as_at
    )
    count = 0
    for number, (who, channel, days_ago, fuels, outcome) in enumerate(sales_demo.PIPELINE, 1):
        by = {"agent": agent, "telesales": telesales, "web": ANONYMOUS}[who]
        at = as_at - datetime.timedelta(days=days_ago, hours=number)
        order = sales_operations.submit_order(
            by=by,
            channel=channel,
            request=_demo_order(
                number,
                kind="RESIDENTIAL",
                fuels=fuels,
                region=logins.SALES_REGION,
                gas_warning=outcome == "warning",
            ),
            idempotency_key=f"demo-{number}",
            as_at=at,
        ).order
        count += 1
        if outcome in ("signed", "live"):
            # The customer signs on the agent's tablet with the code from their email.
            contract_id = sales_queries.order_for(
                sales_operations.SIGN_UP, reference=order.reference
            ).contract.id
            sales_operations.send_signing_code(contract_id=contract_id, as_at=at)
            email = comms_queries.email_for_key(
                key=sales_operations.signing_code_key(contract_id=contract_id, as_at=at)
            )
            assert email is not None
            sales_operations.sign_contract(
                contract_id=contract_id,
                code=sales_demo.code_in(email.subject),
                ip_address="192.0.2.10",
                user_agent="Kilowatt demo (agent tablet)",
                as_at=at + datetime.timedelta(minutes=3),
            )
        if outcome == "live":
            start = at.date() + datetime.timedelta(days=1)
            for row in sales_queries.registrations_for_order(order_id=order.id):
                sales_operations.record_registration_outcome(
                    supply_id=row.supply_id, outcome="ACCEPTED", supply_start_date=start, as_at=at
                )
    return SalesReport(count, skipped=False)


DEMO_ENGINEERS = 3  # appointments a slot, in every region


@transaction.atomic
def plan_demo_capacity(*, as_at: datetime.datetime) -> int:
    """Give every region's engineers slots on each day of the booking window from
    ``as_at``'s day that has none yet (so a demo started any day has free slots to book);
    days already planned are left as the field team set them. Returns how many slots were
    planned."""
    first, end = slot_rules.booking_window(periods.london_date(as_at))
    planned = field_queries.planned_days(start=first, end=end)
    days = [first + datetime.timedelta(days=n) for n in range((end - first).days)]
    return sum(
        field_operations.plan_capacity(
            region=region,
            start=day,
            days=1,
            engineers=DEMO_ENGINEERS,
            actor=audit.Actor(id=None, name="kilowatt demo_field"),
            as_at=as_at,
        )
        for region in sorted(REGIONS)
        for day in days
        if (region, day) not in planned
    )
