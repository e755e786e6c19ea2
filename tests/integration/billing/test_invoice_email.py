"""Bills by email (issue 5 item 6): paper or email by the customer's choice, business
customers paperless. A released run's email bills are queued in comms' outbox with their
PDF and sent to a real SMTP server on 127.0.0.1 (aiosmtpd); paper bills are not."""

from __future__ import annotations

import datetime
import logging
from decimal import Decimal

import pytest

from kilowatt.accounts import models as account_models
from kilowatt.accounts import operations as account_operations
from kilowatt.billing import models, operations, queries
from kilowatt.comms import models as comms_models
from kilowatt.comms import operations as comms
from kilowatt.comms import queries as comms_queries
from kilowatt.customers import models as customer_models
from kilowatt.identity.domain.roles import Role
from kilowatt.metering import models as metering_models
from kilowatt.metering import operations as metering
from kilowatt.platform import audit, clock, events
from tests.factories import billing, book, smtp

pytestmark = pytest.mark.django_db
smtp_server = pytest.fixture(smtp.serve)

AS_AT = billing.AS_AT


def _released(built: billing.BilledBook) -> int:
    run_id = billing.bill()
    operations.release_bill_run(run_id=run_id, released_by="test", as_at=AS_AT)
    events.dispatch(as_at=AS_AT)  # renders, then queues the email bills (tasks run eagerly)
    return run_id


def _deliver(account_number: str, delivery: str) -> None:
    account_models.Account.objects.filter(number=account_number).update(bill_delivery=delivery)


def _queued(invoice_id: int) -> comms_queries.OutboundEmailRecord | None:
    return comms_queries.email_for_key(key=f"invoice:{invoice_id}")


def test_a_released_run_emails_its_email_bills_and_posts_the_paper_ones(smtp_server):
    built = billing.billed_book()
    _deliver(built.home.account, "PAPER")
    _released(built)
    home = billing.invoice_of(built.home.account)
    business = billing.invoice_of(built.business.account)
    assert (home.delivery, business.delivery) == ("PAPER", "EMAIL")

    assert _queued(home.id) is None
    queued = _queued(business.id)
    assert queued is not None and queued.status == "QUEUED"
    assert queued.to == "accounts@babbage.example"  # its billing officer has no email
    assert comms_models.OutboundEmail.objects.count() == 1

    # Queued by the task when it ran (the clock's now), so sent from then on.
    soon = clock.now() + datetime.timedelta(minutes=1)
    assert comms.send_queued_emails(as_at=soon, limit=10) == 1
    assert comms.send_queued_emails(as_at=soon + datetime.timedelta(hours=1), limit=10) == 0
    (message,) = smtp_server.messages
    assert message["To"] == "accounts@babbage.example"
    assert business.number in message["Subject"]
    text = message.get_body(("plain",)).get_content()
    total = f"£{Decimal(business.total_pence) / 100:,.2f}"
    assert total in text and "/my/bills/" in text
    assert "1 February 2026 to 28 February 2026" in text
    html = message.get_body(("html",)).get_content()
    assert "/my/bills/" in html and business.number in html
    (attachment,) = message.iter_attachments()
    assert attachment.get_content_type() == "application/pdf"
    assert business.number in attachment.get_filename()
    pdf, _ = queries.invoice_pdfs(invoice_ids=[business.id])[business.id]
    assert attachment.get_content() == pdf
    assert pdf.startswith(b"%PDF")


def test_a_home_that_chose_email_gets_its_bill_by_email():
    built = billing.billed_book()
    _released(built)
    home = billing.invoice_of(built.home.account)
    queued = _queued(home.id)
    assert home.delivery == "EMAIL" and queued is not None
    assert queued.to.endswith("@example.org")


def test_business_bills_go_by_email_whatever_was_chosen():
    built = billing.billed_book()
    _deliver(built.business.account, "PAPER")
    _released(built)
    business = billing.invoice_of(built.business.account)
    assert business.delivery == "EMAIL"
    assert _queued(business.id) is not None


def test_a_business_bill_goes_to_its_billing_officer():
    built = billing.billed_book()
    customer_models.Contact.objects.filter(
        customer__number=built.business.number, role="BILLING_OFFICER"
    ).update(email="ada.king@babbage.example")
    _released(built)
    queued = _queued(billing.invoice_of(built.business.account).id)
    assert queued is not None and queued.to == "ada.king@babbage.example"


def test_bills_without_an_address_are_counted_and_logged(caplog):
    built = billing.billed_book()
    customer_models.Customer.objects.filter(number=built.home.number).update(email="")
    run_id = billing.bill()
    operations.release_bill_run(run_id=run_id, released_by="test", as_at=AS_AT)
    home = billing.invoice_of(built.home.account)
    business = billing.invoice_of(built.business.account)
    emailed = queries.issued_invoice_ids(run_id=run_id, delivery="EMAIL")
    assert sorted(emailed) == sorted([home.id, business.id])

    with caplog.at_level(logging.WARNING):
        assert operations.email_issued_invoices(invoice_ids=emailed, as_at=AS_AT) == 1
    assert _queued(home.id) is None and _queued(business.id) is not None
    assert "1 invoices to email have no usable address" in caplog.text
    assert home.number in caplog.text

    # Again (a task delivered twice): nothing more is queued.
    assert operations.email_issued_invoices(invoice_ids=emailed, as_at=AS_AT) == 0
    assert comms_models.OutboundEmail.objects.count() == 1


def test_a_restatement_emails_the_credit_note_and_the_replacement():
    restated = billing.restated_book()
    events.dispatch(as_at=AS_AT + datetime.timedelta(days=3))  # billing.invoice.restated.v1
    credit = _queued(restated.credit_note_id)
    replacement = _queued(restated.replacement_id)
    assert credit is not None and replacement is not None
    number = models.Invoice.objects.get(id=restated.credit_note_id).number
    assert number in credit.subject and "credit note" in credit.subject
    assert _queued(restated.original_id) is not None  # emailed at the run's release


def test_a_final_bill_is_emailed():
    built = billing.billed_book()
    _released(built)
    staff = book.principal(Role.BILLING)
    for agreement_id in built.home.agreement_ids:
        account_operations.end_agreement(
            by=staff, agreement_id=agreement_id, valid_to=datetime.date(2026, 3, 20), as_at=AS_AT
        )
    (site,) = built.home.sites
    metering.record_reads(
        reads=[
            metering.ReadIn(
                meter_point=site.mpan,
                read_at=datetime.datetime(2026, 3, 20, 8, tzinfo=datetime.UTC),
                value=Decimal("1350"),
            )
        ],
        source="CUSTOMER",
        received_by="test",
        as_at=datetime.datetime(2026, 3, 20, 9, tzinfo=datetime.UTC),
    )
    assert metering_models.Read.objects.exists()
    at = datetime.datetime(2026, 3, 25, 10, tzinfo=datetime.UTC)
    account_id = billing.invoice_of(built.home.account).account_id
    final_id = operations.issue_final_bill(
        account_id=account_id, actor=audit.Actor(id=None, name="test"), as_at=at
    )
    events.dispatch(as_at=at)
    queued = _queued(final_id)
    assert queued is not None and queued.status == "QUEUED"
