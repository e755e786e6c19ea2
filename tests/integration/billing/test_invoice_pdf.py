"""Invoice documents end to end: real PDFs rendered, kept once, read back with pypdf, and
served by the API only to those who may see the invoice."""

from __future__ import annotations

import datetime
import hashlib
import io
from decimal import Decimal

import pytest
from pypdf import PdfReader

from kilowatt.accounts import models as account_models
from kilowatt.billing import models, operations, queries
from kilowatt.billing.domain import invoice_pdf
from kilowatt.identity.domain.roles import Role
from kilowatt.platform.errors import InvalidInput, NotFound
from tests.integration.api.conftest import World, assert_refused, build_world

pytestmark = pytest.mark.django_db

AS_AT = datetime.datetime(2026, 3, 2, 9, 0, tzinfo=datetime.UTC)
START = datetime.date(2026, 2, 1)
END = datetime.date(2026, 3, 1)
_numbers = iter(range(1, 10_000))


def _line(
    position,
    kind,
    point,
    amount,
    *,
    band="",
    quantity=None,
    unit="",
    rate=None,
    vat=5,
    description="",
    read_from="",
    read_to="",
    start=START,
    end=END,
):
    return dict(
        position=position,
        kind=kind,
        meter_point=point,
        band=band,
        start_date=None if kind == "VAT" else start,
        end_date=None if kind == "VAT" else end,
        quantity=None if quantity is None else Decimal(quantity),
        unit=unit,
        rate_pence=None if rate is None else Decimal(rate),
        amount_pence=amount,
        vat_rate=vat,
        read_from=read_from,
        read_to=read_to,
        description=description,
    )


def issue(
    account_number: str,
    lines: list[dict],
    *,
    series: str = "KWE",
    status: str = "ISSUED",
    kind: str = "INVOICE",
    delivery: str = "EMAIL",
    replaces: models.Invoice | None = None,
    start=START,
    end=END,
) -> models.Invoice:
    """Write an issued invoice with its lines straight into billing's tables."""
    account = account_models.Account.objects.get(number=account_number)
    net = sum(line["amount_pence"] for line in lines if line["kind"] not in ("VAT", "CCL"))
    ccl = sum(line["amount_pence"] for line in lines if line["kind"] == "CCL")
    vat = sum(line["amount_pence"] for line in lines if line["kind"] == "VAT")
    issued = status in ("ISSUED", "CREDITED")
    invoice = models.Invoice.objects.create(
        number=f"{series}{next(_numbers):09d}" if issued else None,
        series=series,
        account_id=account.id,
        kind=kind,
        status=status,
        period_start=start,
        period_end=end,
        bill_date=end + datetime.timedelta(days=1),
        net_pence=net,
        ccl_pence=ccl,
        vat_pence=vat,
        total_pence=net + ccl + vat,
        delivery=delivery,
        replaces=replaces,
        created_at=AS_AT,
        issued_at=AS_AT if issued else None,
    )
    models.InvoiceLine.objects.bulk_create(
        [models.InvoiceLine(invoice=invoice, **line) for line in lines]
    )
    return invoice


def home_lines(mpan: str, mprn: str) -> list[dict]:
    return [
        _line(1, "STANDING_CHARGE", mpan, 1503, quantity="28", unit="DAY", rate="53.68"),
        _line(
            2,
            "ENERGY",
            mpan,
            5129,
            band="DAY",
            quantity="182.4",
            unit="KWH",
            rate="28.12",
            read_from="ACTUAL",
            read_to="ESTIMATED",
        ),
        _line(
            3,
            "ENERGY",
            mpan,
            1393,
            band="NIGHT",
            quantity="96.1",
            unit="KWH",
            rate="14.5",
            read_from="ACTUAL",
            read_to="ESTIMATED",
        ),
        _line(4, "STANDING_CHARGE", mprn, 880, quantity="28", unit="DAY", rate="31.43"),
        _line(
            5,
            "ENERGY",
            mprn,
            5865,
            band="ANYTIME",
            quantity="851.23",
            unit="KWH",
            rate="6.89",
            read_from="CUSTOMER",
            read_to="CUSTOMER",
            description="76.2 m3 x 1.02264 x 39.3 MJ/m3 calorific value / 3.6 = 851.23 kWh",
        ),
        _line(6, "VAT", "", 739, quantity="5", unit="PCT"),
    ]


def business_lines(mpans: list[str]) -> list[dict]:
    lines, position = [], 0
    for mpan in mpans:
        for kind, band, quantity, unit, rate, amount in (
            ("STANDING_CHARGE", "", "28", "DAY", "98", 2744),
            ("ENERGY", "ANYTIME", "2410.5", "KWH", "24.31", 58599),
            ("CCL", "", "2410.5", "KWH", "0.801", 1931),
        ):
            position += 1
            lines.append(
                _line(
                    position,
                    kind,
                    mpan,
                    amount,
                    band=band,
                    quantity=quantity,
                    unit=unit,
                    rate=rate,
                    vat=20,
                )
            )
    base = sum(line["amount_pence"] for line in lines)
    lines.append(
        _line(position + 1, "VAT", "", round(base * 0.2), quantity="20", unit="PCT", vat=20)
    )
    return lines


def text_of(content: bytes) -> str:
    reader = PdfReader(io.BytesIO(content))
    assert 1 <= len(reader.pages) <= 2
    return "\n".join(page.extract_text() for page in reader.pages)


@pytest.fixture(scope="module")
def book_world(django_db_setup, django_db_blocker):
    from django.db import transaction
    from django.test import override_settings

    from tests.integration.api.conftest import FAST_HASHING

    with (
        override_settings(PASSWORD_HASHERS=FAST_HASHING),
        django_db_blocker.unblock(),
        transaction.atomic(),
    ):
        yield build_world()
        transaction.set_rollback(True)


@pytest.fixture
def world(book_world, db) -> World:
    return book_world


def home_invoice(world: World, **options) -> models.Invoice:
    (site,) = world.home.sites
    return issue(world.home.account, home_lines(site.mpan, site.mprn), **options)


def business_invoice(world: World, **options) -> models.Invoice:
    mpans = [site.mpan for site in world.business.sites]
    return issue(world.business.account, business_lines(mpans), series="KWB", **options)


def test_a_home_dual_fuel_invoice_reads_as_a_bill(world):
    invoice = home_invoice(world, delivery="PAPER")

    content = operations.render_invoice_pdf(invoice_id=invoice.id, as_at=AS_AT)

    text = text_of(content)
    assert content.startswith(b"%PDF")
    for words in (
        invoice.number,
        "Kilowatt Energy Ltd",
        world.home.account,
        "Ms Ada Lovelace",
        "£155.09",  # the total
        "£147.70",  # before VAT
        "£7.39",  # VAT at 5%
        "VAT at 5%",
        "Energy used, day",
        "Energy used, night",
        "MPRN",
        "calorific value",
        "Kilowatt Flexible Residential Electricity",
        "Energy Ombudsman",
        "8 weeks",
        "complaints",
    ):
        assert words in text, words


def test_a_business_invoice_shows_the_levy_and_vat_at_20_per_cent(world):
    invoice = business_invoice(world)

    text = text_of(operations.render_invoice_pdf(invoice_id=invoice.id, as_at=AS_AT))

    assert "Kilowatt Business Energy Ltd" in text
    assert "Babbage Engines Ltd" in text
    assert "Climate Change Levy" in text
    assert "VAT at 20%" in text
    assert "paperless" in text
    from kilowatt.platform.money import format_pence

    assert format_pence(invoice.total_pence) in text
    assert format_pence(invoice.ccl_pence) in text


def test_a_credit_note_and_a_rebill_are_labelled(world):
    first = home_invoice(world, status="CREDITED")
    credit = home_invoice(world, kind="CREDIT_NOTE", replaces=first)
    models.InvoiceLine.objects.filter(invoice=credit).update(amount_pence=0)
    rebill = home_invoice(world, replaces=first)

    credit_text = text_of(operations.render_invoice_pdf(invoice_id=credit.id, as_at=AS_AT))
    rebill_text = text_of(operations.render_invoice_pdf(invoice_id=rebill.id, as_at=AS_AT))

    assert "Credit note" in credit_text and first.number in credit_text
    assert f"Re-bill: replaces invoice {first.number}" in rebill_text


def test_a_document_is_rendered_once_then_kept(world):
    invoice = home_invoice(world)

    first = operations.render_invoice_pdf(invoice_id=invoice.id, as_at=AS_AT)
    later = operations.render_invoice_pdf(
        invoice_id=invoice.id, as_at=AS_AT + datetime.timedelta(days=3)
    )

    kept = models.InvoicePdf.objects.get(invoice=invoice)
    assert first == later == bytes(kept.content)
    assert kept.sha256 == hashlib.sha256(first).hexdigest()
    assert kept.renderer == invoice_pdf.RENDERER
    assert kept.rendered_at == AS_AT


def test_a_draft_has_no_document_and_a_missing_invoice_is_not_found(world):
    draft = home_invoice(world, status="DRAFT")

    with pytest.raises(InvalidInput) as refused:
        operations.render_invoice_pdf(invoice_id=draft.id, as_at=AS_AT)
    assert refused.value.problems[0].rule == "not_issued"
    with pytest.raises(NotFound):
        operations.render_invoice_pdf(invoice_id=999_999, as_at=AS_AT)
    assert not models.InvoicePdf.objects.filter(invoice=draft).exists()


def test_workers_render_a_batch_once_passing_over_drafts(world, django_assert_max_num_queries):
    issued = [
        home_invoice(world),
        business_invoice(world),
        home_invoice(world, start=datetime.date(2026, 1, 1), end=START),
    ]
    draft = home_invoice(world, status="DRAFT", start=END, end=datetime.date(2026, 4, 1))
    ids = [invoice.id for invoice in issued] + [draft.id, 999_999]

    # A fixed number of queries for the batch, plus three ledger reads an invoice.
    with django_assert_max_num_queries(16 + 3 * len(issued)):
        assert operations.render_invoice_pdfs(invoice_ids=ids, as_at=AS_AT) == 3
    assert operations.render_invoice_pdfs(invoice_ids=ids, as_at=AS_AT) == 0
    assert models.InvoicePdf.objects.filter(invoice_id__in=ids).count() == 3


def test_the_chart_counts_earlier_bills_by_month(world):
    (site,) = world.home.sites
    issue(
        world.home.account,
        [
            _line(
                1,
                "ENERGY",
                site.mpan,
                100,
                band="DAY",
                quantity="310",
                unit="KWH",
                rate="1",
                start=datetime.date(2026, 1, 1),
                end=START,
            )
        ],
        start=datetime.date(2026, 1, 1),
        end=datetime.date(2026, 2, 1),
    )
    invoice = home_invoice(world)

    document = operations.invoice_document(invoice_id=invoice.id)

    bars = {bar.month: bar for bar in document.consumption}
    assert len(document.consumption) == 12
    assert bars[datetime.date(2026, 1, 1)].electricity_kwh == 310
    assert bars[datetime.date(2026, 2, 1)].electricity_kwh == 279  # 182.4 + 96.1
    assert bars[datetime.date(2026, 2, 1)].gas_kwh == 851


# --- the API ------------------------------------------------------------------------------

PATH = "/invoices/{}/document"


def test_anonymous_is_refused(world):
    invoice = home_invoice(world)
    assert world.call(None, "GET", PATH.format(invoice.id)).status_code == 401


@pytest.mark.parametrize("who", ["business_contact", "other_agent", "corporate_manager"])
def test_people_who_may_not_see_the_account_are_told_not_found(world, who):
    invoice = home_invoice(world)
    assert_refused(world.call(who, "GET", PATH.format(invoice.id)), 404)
    assert_refused(world.call(who, "GET", PATH.format(999_999)), 404)
    assert not models.InvoicePdf.objects.filter(invoice=invoice).exists()


def test_the_owner_gets_their_pdf(world):
    invoice = home_invoice(world)

    response = world.call("customer", "GET", PATH.format(invoice.id))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert invoice.number in text_of(response.content)


def test_a_customer_never_sees_a_draft(world):
    draft = home_invoice(world, status="DRAFT")
    assert_refused(world.call("customer", "GET", PATH.format(draft.id)), 404)


@pytest.mark.parametrize("who", ["billing", "telesales", "agent"])
def test_staff_who_reach_the_customer_get_the_pdf(world, who):
    invoice = home_invoice(world)

    response = world.call(who, "GET", PATH.format(invoice.id))

    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"


def test_the_gate_answers_records(world):
    invoice = home_invoice(world)
    record = queries.visible_invoice(principal=world.people["customer"], invoice_id=invoice.id)
    assert record.number == invoice.number
    assert record.total_pence == invoice.total_pence
    assert world.people["billing"].role is Role.BILLING
