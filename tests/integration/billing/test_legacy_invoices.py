"""Open invoices brought from the previous billing system."""

from __future__ import annotations

import datetime

import pytest

from kilowatt.billing import models, operations
from kilowatt.billing.domain.legacy import LegacyInvoice
from kilowatt.ledger import models as ledger_models
from kilowatt.platform.errors import InvalidInput

pytestmark = pytest.mark.django_db
AT = datetime.datetime(2026, 11, 2, 9, 0, tzinfo=datetime.UTC)


def invoice(number: str = "INV1", **changes) -> LegacyInvoice:
    values = {
        "legacy_number": number,
        "account_id": 7,
        "bill_date": datetime.date(2026, 10, 4),
        "period_start": datetime.date(2026, 9, 1),
        "period_end": datetime.date(2026, 10, 1),
        "net_pence": 4000,
        "vat_pence": 200,
        "delivery": "EMAIL",
    }
    return LegacyInvoice(**{**values, **changes})


def test_open_invoices_are_issued_in_the_erp_series_once():
    written = operations.import_legacy_invoices(
        invoices=[invoice(), invoice("INV2", period_start=datetime.date(2026, 8, 1),
                                     period_end=datetime.date(2026, 9, 1), vat_pence=0)],
        imported_at=AT,
    )  # fmt: skip

    assert written == 2
    first = models.Invoice.objects.get(number="ERPINV1")
    assert (first.series, first.status, first.kind) == ("ERP", "ISSUED", "INVOICE")
    assert (first.net_pence, first.vat_pence, first.total_pence) == (4000, 200, 4200)
    lines = list(first.lines.order_by("position").values_list("kind", "amount_pence"))
    assert lines == [("ADJUSTMENT", 4000), ("VAT", 200)]
    assert first.lines.get(position=1).description == (
        "Brought forward from the previous billing system"
    )
    assert models.Invoice.objects.get(number="ERPINV2").lines.count() == 1
    # Their amounts are in the opening balance already: nothing is posted.
    assert not ledger_models.Transaction.objects.exists()

    assert operations.import_legacy_invoices(invoices=[invoice()], imported_at=AT) == 0
    assert models.Invoice.objects.count() == 2


def test_a_bad_invoice_writes_nothing():
    with pytest.raises(InvalidInput) as refused:
        operations.import_legacy_invoices(
            invoices=[invoice(), invoice("INV2", period_end=datetime.date(2026, 9, 1))],
            imported_at=AT,
        )
    assert refused.value.problems[0].field == "invoices.1.period_end"
    assert not models.Invoice.objects.exists()
