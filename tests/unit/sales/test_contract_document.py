"""The contract PDF: the same bytes for the same terms, every section a contract needs, a
business with many sites over several pages, and the signed copy's record page."""

from __future__ import annotations

import dataclasses
import datetime
import hashlib
import io
import re
from decimal import Decimal

import pytest
from pypdf import PdfReader

from kilowatt.sales.domain.contract_document import (
    ContractTerms,
    Party,
    SignatureRecord,
    SupplyTerms,
    cooling_off_ends,
    render_contract,
    render_signed_contract,
)

HOME_ADDRESS = ("12 Ockham Lane", "Ripley", "Surrey", "GU23 6NQ")


def home_terms(**changes: object) -> ContractTerms:
    terms = ContractTerms(
        reference="S00000042",
        made_on=datetime.date(2026, 3, 1),
        channel="WEB",
        customer=Party(
            name="Mrs Ada Lovelace",
            kind="RESIDENTIAL",
            address=HOME_ADDRESS,
            email="ada@example.com",
            phone="07700 900123",
        ),
        payment_method="DIRECT_DEBIT",
        supplies=(
            SupplyTerms(
                site_address=HOME_ADDRESS,
                fuel="ELECTRICITY",
                identifier="1012345678901",
                tariff_name="Kilowatt Fixed 12M Economy 7",
                tariff_code="KW-FIX-12M-E7",
                tariff_kind="FIXED",
                term_months=12,
                exit_fee_pence=5000,
                standing_charge_pence_per_day=Decimal("50.6714"),
                unit_rates=(("DAY", Decimal("26.1905")), ("NIGHT", Decimal("12.3810"))),
                annual_kwh=Decimal("4200"),
                estimated_annual_cost_pence=123456,
            ),
            SupplyTerms(
                site_address=HOME_ADDRESS,
                fuel="GAS",
                identifier="7391234505",
                tariff_name="Kilowatt Fixed 12M Gas",
                tariff_code="KW-FIX-12M-G",
                tariff_kind="FIXED",
                term_months=12,
                exit_fee_pence=5000,
                standing_charge_pence_per_day=Decimal("29.6000"),
                unit_rates=(("STANDARD", Decimal("5.9500")),),
                annual_kwh=Decimal("11500"),
                estimated_annual_cost_pence=98765,
            ),
        ),
        vat_rate_percent=Decimal("5"),
    )
    return dataclasses.replace(terms, **changes)  # type: ignore[arg-type]


def business_terms(sites: int) -> ContractTerms:
    supplies = tuple(
        SupplyTerms(
            site_address=(f"Unit {n}", "Riverside Trading Estate", "Leeds", f"LS{n % 9 + 1} 4AB"),
            fuel="ELECTRICITY",
            identifier=f"20{n:011d}",
            tariff_name="Business Fixed 24M",
            tariff_code="KWB-FIX-24",
            tariff_kind="FIXED" if n % 2 else "VARIABLE",
            term_months=24 if n % 2 else None,
            exit_fee_pence=15000 if n % 2 else 0,
            standing_charge_pence_per_day=Decimal("95.12"),
            unit_rates=(("STANDARD", Decimal("22.45")),),
            annual_kwh=Decimal("35000"),
            estimated_annual_cost_pence=987654,
        )
        for n in range(1, sites + 1)
    )
    return ContractTerms(
        reference="S00000077",
        made_on=datetime.date(2026, 10, 20),
        channel="AGENT",
        customer=Party(
            name="Brunel Engineering Ltd",
            kind="BUSINESS",
            address=("Great Western House", "1 Temple Gate", "Bristol", "BS1 6PX"),
            email="accounts@brunel.example",
            phone="0117 496 0000",
            company_number="01234567",
            contact_name="Isambard Brunel",
        ),
        payment_method="ON_RECEIPT",
        supplies=supplies,
        vat_rate_percent=Decimal("20"),
    )


def signature(document: bytes, **changes: object) -> SignatureRecord:
    record = SignatureRecord(
        signer_name="Ada Lovelace",
        identified_by="one-time code sent to a***e@example.com",
        signed_at=datetime.datetime(2026, 3, 1, 14, 5, 9, tzinfo=datetime.UTC),
        ip_address="203.0.113.7",
        user_agent="Mozilla/5.0 (X11; Linux x86_64) Firefox/131.0",
        document_sha256=hashlib.sha256(document).hexdigest(),
    )
    return dataclasses.replace(record, **changes)  # type: ignore[arg-type]


def page_texts(pdf: bytes) -> list[str]:
    return [re.sub(r"\s+", " ", page.extract_text()) for page in PdfReader(io.BytesIO(pdf)).pages]


def test_the_same_terms_render_to_the_same_bytes() -> None:
    first = render_contract(home_terms())
    assert first.startswith(b"%PDF-")
    assert render_contract(home_terms()) == first
    assert render_contract(home_terms(reference="S00000043")) != first
    assert render_contract(home_terms(made_on=datetime.date(2026, 3, 2))) != first


def test_a_home_contract_carries_every_section() -> None:
    text = " ".join(page_texts(render_contract(home_terms())))
    for expected in (
        # the supplier
        "Kilowatt Energy Ltd",
        "Company number 14829365",
        "3 Dunmore Yard",
        # the customer
        "Mrs Ada Lovelace",
        "GU23 6NQ",
        "ada@example.com",
        "07700 900123",
        # the site, its meter points and tariffs, VAT included at 5%
        "Supply address: 12 Ockham Lane, Ripley, Surrey, GU23 6NQ",
        "MPAN 10 1234 5678 901",
        "MPRN 7391234505",
        "Kilowatt Fixed 12M Economy 7 (KW-FIX-12M-E7)",
        "53.20p a day",  # 50.6714 x 1.05
        "27.50p per kWh",  # 26.1905 x 1.05
        "13.00p per kWh",
        "6.25p per kWh",
        "Prices include VAT at 5%",
        # term, exit fee, estimate and the consumption it assumes
        "Fixed prices for 12 months",
        "£50.00 if you leave before the fixed term ends",
        "4,200 kWh a year",
        "£1,234.56 a year (incl. VAT)",
        "£2,222.21 including VAT",
        # paying
        "Direct Debit",
        # cooling-off: 14 days from the day after 1 March
        "You can cancel this contract for 14 days after you sign it",
        "until the end of 15 March 2026",
        "the law gives you the right to cancel",
        # complaints
        "8 weeks",
        "deadlock letter",
        "Energy Ombudsman",
        "free to use and independent",
        "binding on us but not on you",
        # signatures
        "Signed by the customer",
        "Name: Mrs Ada Lovelace",
        "Signature",
        "Page 1 of 2",
        "Arranged online",
    ):
        assert expected in text, expected


def test_a_business_contract_shows_prices_before_vat_and_who_signs() -> None:
    text = " ".join(page_texts(render_contract(business_terms(2))))
    for expected in (
        "Business energy supply contract",
        "Brunel Engineering Ltd",
        "Company number 01234567",
        "Signing for the business: Isambard Brunel",
        "For and on behalf of Brunel Engineering Ltd",
        "Prices exclude VAT at 20%",
        "95.12p a day",
        "22.45p per kWh",
        "£9,876.54 a year (excl. VAT)",
        "Variable prices, no fixed term",
        "Site 1: Unit 1",
        "Site 2: Unit 2",
        "Pay on receipt of bill",
        "we give your business the right to cancel",
        "3 November 2026",
        "Energy Ombudsman",
    ):
        assert expected in text, expected


def test_thirty_sites_run_over_several_pages_with_every_meter_point() -> None:
    pdf = render_contract(business_terms(30))
    pages = page_texts(pdf)
    assert len(pages) >= 4
    text = " ".join(pages)
    for n in range(1, 31):
        digits = f"20{n:011d}"
        assert f"MPAN {digits[:2]} {digits[2:6]} {digits[6:10]} {digits[10:]}" in text
        assert f"Site {n}: Unit {n}," in text
    assert f"Page {len(pages)} of {len(pages)}" in pages[-1]
    assert "Signatures" in pages[-1]


@pytest.mark.parametrize(
    ("made_on", "days", "last_day"),
    [
        (datetime.date(2026, 3, 1), 14, datetime.date(2026, 3, 15)),
        (datetime.date(2026, 12, 25), 14, datetime.date(2027, 1, 8)),
        (datetime.date(2028, 2, 20), 14, datetime.date(2028, 3, 5)),  # a leap year
        (datetime.date(2026, 3, 1), 30, datetime.date(2026, 3, 31)),
    ],
)
def test_cooling_off_ends_fourteen_days_after_the_day_after(
    made_on: datetime.date, days: int, last_day: datetime.date
) -> None:
    assert cooling_off_ends(made_on, days) == last_day


def test_names_outside_latin1_are_folded() -> None:
    customer = dataclasses.replace(home_terms().customer, name="Mr Łukasz Wróbel")
    text = " ".join(page_texts(render_contract(home_terms(customer=customer))))
    assert "Mr Lukasz Wróbel" in text


def test_the_signed_copy_is_the_same_pages_and_a_signature_record() -> None:
    terms = home_terms()
    unsigned = render_contract(terms)
    record = signature(unsigned)
    signed = render_signed_contract(terms, record)
    assert render_signed_contract(terms, record) == signed
    contract_pages, signed_pages = page_texts(unsigned), page_texts(signed)
    assert signed_pages[: len(contract_pages)] == contract_pages
    assert len(signed_pages) == len(contract_pages) + 1
    audit = signed_pages[-1]
    for expected in (
        "Signature record",
        "Ada Lovelace",
        "one-time code sent to a***e@example.com",
        "1 March 2026, 14:05:09 GMT",
        "2026-03-01 14:05:09 UTC",
        "203.0.113.7",
        "Mozilla/5.0 (X11; Linux x86_64) Firefox/131.0",
        record.document_sha256,
        "1 to 2 of this file",
        "sealed with Kilowatt Energy Ltd's signing certificate",
        "Contract S00000042 | Signature record",
    ):
        assert expected in audit, expected


def test_the_record_shows_british_summer_time() -> None:
    terms = home_terms()
    record = signature(
        render_contract(terms),
        signed_at=datetime.datetime(2026, 7, 1, 11, 30, tzinfo=datetime.UTC),
    )
    audit = page_texts(render_signed_contract(terms, record))[-1]
    assert "1 July 2026, 12:30:00 BST" in audit
    assert "2026-07-01 11:30:00 UTC" in audit


def test_a_signed_business_contract_says_for_whom() -> None:
    terms = business_terms(30)
    unsigned = render_contract(terms)
    signed = render_signed_contract(terms, signature(unsigned, signer_name="Isambard Brunel"))
    pages = page_texts(signed)
    assert len(pages) == len(page_texts(unsigned)) + 1
    assert "for and on behalf of Brunel Engineering Ltd" in pages[-1]
    assert f"Page 1 of {len(pages) - 1}" in pages[0]


def test_a_signature_needs_an_aware_time_and_a_real_digest() -> None:
    terms = home_terms()
    unsigned = render_contract(terms)
    with pytest.raises(ValueError, match="timezone-aware"):
        render_signed_contract(
            terms,
            signature(unsigned, signed_at=datetime.datetime(2026, 3, 1, 14, 5)),  # noqa: DTZ001
        )
    with pytest.raises(ValueError, match="hexadecimal"):
        render_signed_contract(terms, signature(unsigned, document_sha256="abc"))
    with pytest.raises(ValueError, match="at least one supply"):
        render_contract(home_terms(supplies=()))
