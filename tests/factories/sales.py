"""Sign-ups for tests: a valid home or business order in the book's region (London,
distributor ID 12, whose tariffs ``book.price_list`` puts on sale), and helpers to walk
an order to signed and live."""

from __future__ import annotations

import dataclasses
import datetime
import re
from decimal import Decimal

from kilowatt.comms import models as comms_models
from kilowatt.customers.domain.customers import CustomerDetails
from kilowatt.properties.domain.addresses import Address
from kilowatt.sales import models, operations
from kilowatt.sales.domain import orders
from tests.factories import book

REGION = "12"  # London: SW postcodes
NOW = datetime.datetime(2026, 1, 12, 10, 0, tzinfo=datetime.UTC)  # a Monday
SORT_CODE, ACCOUNT_NUMBER = "089999", "66374958"  # passes the modulus check (Vocalink's test)


def home_order(
    *, fuels: tuple[str, ...] = ("ELECTRICITY", "GAS"), **changes
) -> orders.OrderRequest:
    """Return a valid dual-fuel home sign-up paying by direct debit."""
    supplies = tuple(
        orders.SupplyRequest(
            site=0,
            fuel=fuel,
            identifier=book.mpan_core(REGION) if fuel == "ELECTRICITY" else book.mprn(),
            tariff_code=book.tariff_code(
                fuel=fuel, region=REGION, customer_kind="RESIDENTIAL", payment_method="DIRECT_DEBIT"
            ),
            annual_kwh=Decimal("2700") if fuel == "ELECTRICITY" else Decimal("11500"),
        )
        for fuel in fuels
    )
    request = orders.OrderRequest(
        customer=CustomerDetails(
            kind="RESIDENTIAL",
            title="Ms",
            first_name="Ada",
            last_name="Lovelace",
            email="ada@example.com",
            phone="07700900123",
        ),
        sites=(Address(address_line_1="12 Babbage Street", town="London", postcode="SW1A 2AA"),),
        supplies=supplies,
        payment_method="DIRECT_DEBIT",
        bank=orders.BankDetails("A Lovelace", SORT_CODE, ACCOUNT_NUMBER),
        consents=orders.Consents(terms=True, direct_debit_mandate=True, marketing=("EMAIL",)),
    )
    return dataclasses.replace(request, **changes)


def business_order(*, sites: int = 2) -> orders.OrderRequest:
    """Return a valid business sign-up: electricity at each of ``sites`` sites."""
    return orders.OrderRequest(
        customer=CustomerDetails(
            kind="BUSINESS",
            company_name="Difference Engines Ltd",
            company_number="01234567",
            sector="MANUFACTURING",
            email="accounts@engines.example",
            phone="02079460000",
        ),
        sites=tuple(
            Address(address_line_1=f"{n} Analytical Row", town="London", postcode="SW1A 2AA")
            for n in range(1, sites + 1)
        ),
        supplies=tuple(
            orders.SupplyRequest(
                site=n,
                fuel="ELECTRICITY",
                identifier=book.mpan_core(REGION),
                tariff_code=book.tariff_code(
                    fuel="ELECTRICITY",
                    region=REGION,
                    customer_kind="BUSINESS",
                    payment_method="DIRECT_DEBIT",
                ),
                annual_kwh=Decimal("15000"),
            )
            for n in range(sites)
        ),
        payment_method="DIRECT_DEBIT",
        bank=orders.BankDetails("Difference Engines Ltd", SORT_CODE, ACCOUNT_NUMBER),
        consents=orders.Consents(terms=True, direct_debit_mandate=True, credit_check=True),
        signer_name="Charles Babbage",
    )


def code_sent_to(email: str) -> str:
    """Return the one-time code in the latest signing-code email to ``email``."""
    message = (
        comms_models.OutboundEmail.objects.filter(
            to_address=email, subject__contains="signing code"
        )
        .order_by("-id")
        .first()
    )
    assert message is not None, f"no signing code was emailed to {email}"
    return re.search(r"\b(\d{6})\b", message.text_body).group(1)  # type: ignore[union-attr]


def sign(order: models.Order, *, at: datetime.datetime = NOW) -> models.Contract:
    """Ask for a code and sign the order's contract with it."""
    contract = models.Contract.objects.get(order=order)
    operations.send_signing_code(contract_id=contract.id, as_at=at)
    return operations.sign_contract(
        contract_id=contract.id,
        code=code_sent_to(contract.signer_email),
        ip_address="203.0.113.9",
        user_agent="pytest",
        as_at=at + datetime.timedelta(minutes=2),
    )
