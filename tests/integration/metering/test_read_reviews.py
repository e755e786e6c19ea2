"""Working held reads, withdrawing and replacing reads: the restatement and the
announcement billing reacts to."""

from __future__ import annotations

from decimal import Decimal

import pytest

from kilowatt.metering import models, operations
from kilowatt.platform import audit
from kilowatt.platform.errors import InvalidInput
from kilowatt.platform.models import OutboxEvent
from tests.factories import supply
from tests.integration.metering.test_record_reads import AS_AT, at, record

pytestmark = pytest.mark.django_db
PERSON = audit.Actor(id=None, name="reviewer")


class TestResolveHeldRead:
    def test_accepting_a_held_read_keeps_it_with_its_advance(self):
        point = supply.meter_point(annual_kwh=("2900",))
        record(point, (at(2026, 1, 1), "1000"))
        (held,) = record(point, (at(2026, 2, 1), "9000"))

        read = operations.resolve_held_read(
            read_id=held.read_id,
            decision="ACCEPT",
            note="photo confirms",
            actor=PERSON,
            as_at=AS_AT,
        )

        assert (read.status, read.advance, read.rule) == ("ACCEPTED", Decimal("8000"), "")

    def test_refusing_needs_words_for_the_customer(self):
        point = supply.meter_point()
        record(point, (at(2026, 1, 1), "1000"))
        (held,) = record(point, (at(2026, 2, 1), "990"))

        with pytest.raises(InvalidInput) as refused:
            operations.resolve_held_read(
                read_id=held.read_id, decision="REFUSE", note=" ", actor=PERSON, as_at=AS_AT
            )
        read = operations.resolve_held_read(
            read_id=held.read_id,
            decision="REFUSE",
            note="The meter shows 1,090; please check the digits.",
            actor=PERSON,
            as_at=AS_AT,
        )

        assert refused.value.problems[0].field == "note"
        assert (read.status, read.rule) == ("REFUSED", "refused_on_review")

    def test_only_a_held_read_can_be_decided(self):
        point = supply.meter_point()
        (accepted,) = record(point, (at(2026, 1, 1), "1000"))

        with pytest.raises(InvalidInput):
            operations.resolve_held_read(
                read_id=accepted.read_id, decision="ACCEPT", note="", actor=PERSON, as_at=AS_AT
            )


class TestWithdrawRead:
    def test_withdrawing_restates_the_next_read_against_the_one_before(self):
        point = supply.meter_point()
        record(point, (at(2026, 1, 1), "1000"), (at(2026, 2, 1), "1300"), (at(2026, 3, 1), "1500"))
        middle = models.Read.objects.get(meter_point=point, read_at=at(2026, 2, 1))

        operations.withdraw_read(read_id=middle.id, reason="misread", actor=PERSON, as_at=AS_AT)

        last = models.Read.objects.get(meter_point=point, read_at=at(2026, 3, 1))
        assert last.advance == Decimal("500")
        assert models.Read.objects.get(id=middle.id).status == "WITHDRAWN"

    def test_a_withdrawn_billed_read_is_announced_with_its_bill(self):
        point = supply.meter_point()
        (_opening, closing) = record(point, (at(2026, 1, 1), "1000"), (at(2026, 2, 1), "1300"))
        operations.mark_reads_billed(read_ids=[closing.read_id], bill_reference="INV-00000042")

        operations.withdraw_read(
            read_id=closing.read_id, reason="misread", actor=PERSON, as_at=AS_AT
        )

        event = OutboxEvent.objects.filter(name="metering.read.withdrawn.v1").get()
        assert event.payload["billed_reference"] == "INV-00000042"
        assert event.payload["read_id"] == closing.read_id

    def test_replacing_withdraws_the_old_and_validates_the_new(self):
        point = supply.meter_point()
        (_opening, wrong) = record(point, (at(2026, 1, 1), "1000"), (at(2026, 2, 1), "1300"))

        outcome = operations.replace_read(
            read_id=wrong.read_id, value=Decimal("1200"), reason="typo", actor=PERSON, as_at=AS_AT
        )

        old = models.Read.objects.get(id=wrong.read_id)
        new = models.Read.objects.get(id=outcome.read_id)
        assert (old.status, old.replaced_by_id) == ("WITHDRAWN", new.id)
        assert (new.status, new.advance) == ("ACCEPTED", Decimal("200"))
