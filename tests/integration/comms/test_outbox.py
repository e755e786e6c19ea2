"""The email outbox against a real SMTP server on 127.0.0.1 (aiosmtpd): queued once,
sent once, backed off when refused or unreachable, failed after ten attempts."""

from __future__ import annotations

import datetime

import pytest
from django.core.management import call_command

from kilowatt.comms import models, operations, queries
from kilowatt.comms.domain.emails import MAX_ATTEMPTS
from kilowatt.platform.errors import InvalidInput
from tests.factories import smtp

pytestmark = pytest.mark.django_db
smtp_server = pytest.fixture(smtp.serve)

AT = datetime.datetime(2026, 3, 1, 6, 0, tzinfo=datetime.UTC)
PDF = b"%PDF-1.4\n% a tiny test document\n%%EOF\n"


def queue(key: str = "test:1", to: str = "ada@example.org", **overrides) -> int:
    given = {
        "key": key,
        "to": to,
        "template": "comms/plain",
        "context": {"subject": "Your bill\nis ready", "body": "Hello Ada & Bob <3"},
        "attachments": [
            operations.Attachment(name="bill-KWE1.pdf", content_type="application/pdf", content=PDF)
        ],
        "as_at": AT,
        **overrides,
    }
    return operations.queue_email(**given)


def test_a_queued_email_is_sent_once_with_its_attachment(smtp_server):
    email_id = queue()
    assert operations.send_queued_emails(as_at=AT, limit=10) == 1
    assert operations.send_queued_emails(as_at=AT + datetime.timedelta(hours=1), limit=10) == 0

    (message,) = smtp_server.messages
    assert message["To"] == "ada@example.org"
    assert message["Subject"] == "Your bill is ready"  # one line
    assert message.get_body(("plain",)).get_content().strip() == "Hello Ada & Bob <3"  # not escaped
    (attachment,) = message.iter_attachments()
    assert attachment.get_content_type() == "application/pdf"
    assert attachment.get_filename() == "bill-KWE1.pdf"
    assert attachment.get_content() == PDF
    record = queries.email_for_key(key="test:1")
    assert record is not None and record.id == email_id
    assert (record.status, record.attempts, record.sent_at) == ("SENT", 1, AT)
    assert message["Message-ID"] == record.message_id


def test_queueing_the_same_key_twice_makes_one_email(smtp_server):
    first = queue()
    again = queue(to="someone.else@example.org")
    assert first == again
    assert models.OutboundEmail.objects.count() == 1
    assert models.OutboundAttachment.objects.count() == 1
    operations.send_queued_emails(as_at=AT, limit=10)
    assert len(smtp_server.messages) == 1


def test_a_bad_address_is_refused_naming_the_field():
    with pytest.raises(InvalidInput) as refused:
        queue(to="ada.example.org")
    assert [(p.field, p.rule) for p in refused.value.problems] == [("to", "email_format")]
    assert not models.OutboundEmail.objects.exists()


def test_an_unknown_template_is_refused():
    with pytest.raises(InvalidInput) as refused:
        queue(template="comms/no_such_thing")
    assert [(p.field, p.rule) for p in refused.value.problems] == [("template", "unknown")]


def test_a_refusing_server_leaves_it_queued_and_backed_off(smtp_server):
    smtp_server.handler.refuse = True
    queue()
    assert operations.send_queued_emails(as_at=AT, limit=10) == 0
    record = queries.email_for_key(key="test:1")
    assert record is not None
    assert (record.status, record.attempts) == ("QUEUED", 1)
    assert record.next_attempt_at == AT + datetime.timedelta(minutes=1)
    assert "550" in record.last_error
    # Not due yet: nothing is tried.
    assert operations.send_queued_emails(as_at=AT + datetime.timedelta(seconds=30), limit=10) == 0
    assert queries.email_for_key(key="test:1").attempts == 1  # type: ignore[union-attr]

    smtp_server.handler.refuse = False
    later = AT + datetime.timedelta(minutes=1)
    assert operations.send_queued_emails(as_at=later, limit=10) == 1
    record = queries.email_for_key(key="test:1")
    assert record is not None and (record.status, record.attempts) == ("SENT", 2)
    assert len(smtp_server.messages) == 1


def test_an_unreachable_server_backs_off_every_due_email(smtp_server):
    queue("test:1")
    queue("test:2")
    smtp_server.stop()
    assert operations.send_queued_emails(as_at=AT, limit=10) == 0
    for key in ("test:1", "test:2"):
        record = queries.email_for_key(key=key)
        assert record is not None
        assert (record.status, record.attempts) == ("QUEUED", 1)
        assert record.next_attempt_at == AT + datetime.timedelta(minutes=1)
        assert record.last_error


def test_ten_failures_fail_it_for_good(smtp_server):
    smtp_server.handler.refuse = True
    queue()
    at = AT
    waits = []
    for _ in range(MAX_ATTEMPTS):
        assert operations.send_queued_emails(as_at=at, limit=10) == 0
        record = queries.email_for_key(key="test:1")
        assert record is not None
        waits.append(record.next_attempt_at - at)
        at = record.next_attempt_at
    assert (record.status, record.attempts) == ("FAILED", MAX_ATTEMPTS)
    assert waits[:3] == [datetime.timedelta(minutes=m) for m in (1, 5, 30)]
    assert operations.send_queued_emails(as_at=at + datetime.timedelta(days=30), limit=10) == 0
    assert queries.email_counts() == {"QUEUED": 0, "SENT": 0, "FAILED": 1}


def test_the_sender_takes_oldest_first_up_to_its_limit(smtp_server):
    for n in range(3):
        queue(f"test:{n}", as_at=AT + datetime.timedelta(seconds=n))
    assert operations.send_queued_emails(as_at=AT + datetime.timedelta(minutes=1), limit=2) == 2
    assert [m["Message-ID"] for m in smtp_server.messages] == [
        queries.email_for_key(key=f"test:{n}").message_id  # type: ignore[union-attr]
        for n in range(2)
    ]


def test_the_command_sends_what_is_due(smtp_server, capsys):
    queue(as_at=datetime.datetime.now(datetime.UTC) - datetime.timedelta(minutes=1))
    call_command("comms", "send")
    assert "1 emails sent; 0 waiting, 0 failed" in capsys.readouterr().out
    assert len(smtp_server.messages) == 1


def test_a_message_another_sender_holds_is_passed_over(smtp_server):
    email_id = queue()
    # Another sender took it a moment ago (and has not recorded the outcome yet).
    models.OutboundEmail.objects.filter(id=email_id).update(
        attempts=1, next_attempt_at=AT + datetime.timedelta(minutes=10)
    )
    assert operations.send_queued_emails(as_at=AT + datetime.timedelta(minutes=1), limit=10) == 0
    assert smtp_server.messages == []
    # A sender lost for good: the message is taken again once its hold lapses.
    assert operations.send_queued_emails(as_at=AT + datetime.timedelta(minutes=10), limit=10) == 1
    assert queries.email_for_key(key="test:1").attempts == 2  # type: ignore[union-attr]
