"""Sign-ups benchmark: whole sign-ups a second, end to end, on the seeded book: a web
sign-up submitted (validated, duplicate-checked, contract PDF rendered, emailed), a
one-time code sent, the contract signed (re-rendered with its audit page, sealed with
PAdES, the customer, account, site and two meter points recorded, the signed event and
emails queued). Beside it, in the same run, the floor: the documents alone (the contract
rendered twice and sealed, no database), the part no sign-up can skip.

    python bench/signups.py --scale 100000 [--keep] [--database NAME]
"""

from __future__ import annotations

import io
import time
from decimal import Decimal

import _harness

SIGN_UPS = 200
WARM_UP = 20
REGION = "12"  # London: the demo catalogue sells there, postcodes SW...


def _ensure_book(scale: int) -> None:
    from django.core.management import call_command

    from kilowatt.demo import operations

    existing = operations.first_ids().customer - 1
    if existing < scale:
        print(f"signups: seeding {scale - existing:,} customers first (not timed)")
        call_command("seed", customers=scale - existing, seed=1, stdout=io.StringIO())


def _requests(count: int):
    """Return ``count`` dual-fuel home sign-ups on new meter points (serials from 7)."""
    from kilowatt.customers.domain.customers import CustomerDetails
    from kilowatt.demo.domain import catalogue
    from kilowatt.properties.domain.addresses import Address
    from kilowatt.sales.domain import orders
    from kilowatt.validation.mpan import check_digit
    from kilowatt.validation.mprn import check_digits

    base = int(time.time()) % 1_000_000 * 1_000  # a fresh block of numbers each run
    made = []
    for n in range(count):
        serial = base + n
        mpan = f"{REGION}7{serial:09d}"
        # A 9-digit MPRN: the seeded book's are all 10 digits, so none is taken.
        mprn_body = f"{1_000_000 + serial % 9_000_000}"
        made.append(
            orders.OrderRequest(
                customer=CustomerDetails(
                    kind="RESIDENTIAL",
                    first_name="Bench",
                    last_name=f"Signup{n}",
                    email=f"bench{serial}@example.com",
                ),
                sites=(
                    Address(address_line_1=f"{n} Volt Street", town="London", postcode="SW9 8AA"),
                ),
                supplies=tuple(
                    orders.SupplyRequest(
                        site=0,
                        fuel=fuel,
                        identifier=identifier,
                        tariff_code=catalogue.tariff_code(
                            region=REGION,
                            fuel=fuel,
                            customer_kind="RESIDENTIAL",
                            payment_method="DIRECT_DEBIT",
                            product=catalogue.FIXED_12,
                        ),
                        annual_kwh=Decimal(kwh),
                    )
                    for fuel, identifier, kwh in (
                        ("ELECTRICITY", mpan + str(check_digit(mpan)), "2700"),
                        ("GAS", mprn_body + check_digits(mprn_body), "11500"),
                    )
                ),
                payment_method="DIRECT_DEBIT",
                bank=orders.BankDetails(f"Bench Signup{n}", "089999", "66374958"),
                consents=orders.Consents(terms=True, direct_debit_mandate=True),
            )
        )
    return made


def _not_taken(requests):
    """Return the sign-ups whose meter points the seeded book does not hold already."""
    from kilowatt.metering import queries as metering_queries
    from kilowatt.platform.errors import NotFound

    free = []
    for request in requests:
        try:
            metering_queries.meter_point_by_identifier(identifier=request.supplies[0].identifier)
        except NotFound:
            free.append(request)
    return free


def _sign_up(request, as_at) -> None:
    import datetime
    import re

    from kilowatt.comms import queries as comms_queries
    from kilowatt.identity.domain.roles import ANONYMOUS
    from kilowatt.sales import operations

    order = operations.submit_order(
        by=ANONYMOUS, channel="WEB", request=request, idempotency_key=None, as_at=as_at
    ).order
    contract_id = order.contract.id
    operations.send_signing_code(contract_id=contract_id, as_at=as_at)
    email = comms_queries.email_for_key(
        key=operations.signing_code_key(contract_id=contract_id, as_at=as_at)
    )
    code = re.search(r"\b(\d{6})\b", email.subject).group(1)  # type: ignore[union-attr]
    operations.sign_contract(
        contract_id=contract_id,
        code=code,
        ip_address="192.0.2.1",
        user_agent="bench",
        as_at=as_at + datetime.timedelta(minutes=1),
    )


def _documents(request, today) -> None:
    """The floor's unit: the contract rendered for signing, then with its audit page,
    and sealed, as a sign-up does, without the database."""
    import datetime
    import hashlib

    from kilowatt.sales.domain import contract_document as document
    from kilowatt.sales.domain import seal
    from kilowatt.sales.operations import company_seal
    from kilowatt.sales.operations._contracts import contract_terms

    terms = contract_terms(reference="S99999999", channel="WEB", request=request, made_on=today)
    unsigned = document.render_contract(terms)
    record = document.SignatureRecord(
        signer_name="Bench",
        identified_by="one-time code",
        signed_at=datetime.datetime.now(datetime.UTC),
        ip_address="192.0.2.1",
        user_agent="bench",
        document_sha256=hashlib.sha256(unsigned).hexdigest(),
    )
    seal.seal(
        document.render_signed_contract(terms, record),
        identity=company_seal(),
        reason="bench",
        location="bench",
    )


def run(scale: int) -> list[_harness.Figure]:
    """Measure sign-ups a second end to end beside the documents-only floor."""
    from kilowatt.platform import clock

    _ensure_book(scale)
    requests = _not_taken(_requests(SIGN_UPS + WARM_UP + 10))[: SIGN_UPS + WARM_UP]
    today = clock.today()
    for request in requests[:WARM_UP]:
        _documents(request, today)
    started = time.perf_counter()
    for request in requests[WARM_UP:]:
        _documents(request, today)
    floor = SIGN_UPS / (time.perf_counter() - started)

    for request in requests[:WARM_UP]:
        _sign_up(request, clock.now())
    started = time.perf_counter()
    for request in requests[WARM_UP:]:
        _sign_up(request, clock.now())
    seconds = time.perf_counter() - started
    value = SIGN_UPS / seconds
    print(
        f"signups: {SIGN_UPS} dual-fuel web sign-ups submitted, coded, signed and sealed in "
        f"{seconds:.1f} s: {value:,.1f}/s in one process "
        f"(floor, the documents alone: {floor:,.1f}/s); "
        f"{value * 3600:,.0f} an hour against about 250,000 a year asked for"
    )
    return [_harness.Figure("signups", value, "signups/s", floor, scale, True)]


def main() -> None:
    args = _harness.arguments(__doc__.splitlines()[0])
    with _harness.throwaway_database(keep=args.keep, name=args.database) as url:
        _harness.set_up_django(url)
        _harness.report(run(args.scale))


if __name__ == "__main__":
    main()
