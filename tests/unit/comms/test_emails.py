"""The email outbox's pure rules: what may be queued, and when a failed send is retried."""

from __future__ import annotations

import datetime

from hypothesis import given
from hypothesis import strategies as st

from kilowatt.comms.domain.emails import (
    MAX_ATTEMPTS,
    Attachment,
    email_problems,
    message_id_for,
    one_line_subject,
    retry_at,
)

AT = datetime.datetime(2026, 3, 1, 6, 0, tzinfo=datetime.UTC)
PDF = Attachment(
    name="kilowatt-invoice-KWE000001.pdf", content_type="application/pdf", content=b"%PDF"
)


def rules(**overrides):
    given_ = {"key": "invoice:1", "to": "ada@example.org", "attachments": [PDF], **overrides}
    return [(p.field, p.rule) for p in email_problems(**given_)]


def test_a_good_email_has_no_problems():
    assert rules() == []


def test_a_bad_address_is_named_with_its_rule():
    assert rules(to="not-an-address") == [("to", "email_format")]
    assert rules(to="ada@example") == [("to", "email_format")]
    assert rules(to=" ") == [("to", "required")]
    (problem,) = email_problems(key="k", to="ada at example.org", attachments=[])
    assert "ada at example.org" in problem.message


def test_keys_and_attachments_are_checked():
    assert rules(key="") == [("key", "required")]
    assert rules(key="x" * 201) == [("key", "too_long")]
    bad = Attachment(name="../etc/passwd", content_type="pdf", content=b"")
    assert rules(attachments=[PDF, bad]) == [
        ("attachments.1.name", "file_name"),
        ("attachments.1.content_type", "media_type"),
    ]


def test_failures_back_off_then_give_up():
    waits = [retry_at(attempts=n, failed_at=AT) for n in range(1, MAX_ATTEMPTS + 1)]
    assert waits[0] == AT + datetime.timedelta(minutes=1)
    assert waits[1] == AT + datetime.timedelta(minutes=5)
    assert waits[2] == AT + datetime.timedelta(minutes=30)
    assert waits[-1] is None  # the tenth failure is the last
    assert all(w is not None for w in waits[:-1])
    assert waits[:-1] == sorted(waits[:-1])  # type: ignore[type-var]


@given(st.text(min_size=1, max_size=200))
def test_a_message_id_is_the_same_for_a_key_and_well_formed(key):
    assert message_id_for(key) == message_id_for(key)
    assert message_id_for(key).startswith("<") and message_id_for(key).endswith(">")
    assert " " not in message_id_for(key)


@given(st.text(max_size=400))
def test_a_subject_is_one_line(text):
    subject = one_line_subject(text)
    assert "\n" not in subject and "\r" not in subject and len(subject) <= 300
