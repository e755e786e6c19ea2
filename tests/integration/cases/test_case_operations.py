"""Opening and closing cases: idempotent opening, one at a time or many at once, and
closing only with a note; the database holds the same rules."""

from __future__ import annotations

import datetime

import pytest
from django.db import IntegrityError, transaction

from kilowatt.cases import models, operations
from kilowatt.cases.domain import cases
from kilowatt.identity.domain.roles import Role
from kilowatt.platform import audit
from kilowatt.platform.errors import InvalidInput, NotAllowed, NotFound
from kilowatt.platform.models import AuditEntry
from tests.integration.cases.conftest import AS_AT, open_silent_case, smart_point, worker

pytestmark = pytest.mark.django_db
LATER = AS_AT + datetime.timedelta(days=2)


def problems(error: InvalidInput) -> list[tuple[str, str]]:
    return [(p.field, p.rule) for p in error.problems]


def silent(*points, last_heard_on=None):
    return [cases.SilentMeterPoint(point.id, last_heard_on) for point in points]


class TestOpenCase:
    def test_a_case_opens_on_a_meter_point_and_is_audited_on_its_trail(self):
        case = open_silent_case()

        assert (case.kind, case.status, case.opened_by) == ("SMART_METER_SILENT", "OPEN", "system")
        assert "10 Nov 2026" in case.summary
        entry = AuditEntry.objects.get(entity="case", entity_id=str(case.id))
        assert (entry.trail, entry.action) == (f"meter_point:{case.meter_point_id}", "OPENED")

    def test_opening_again_returns_the_open_case(self):
        case = open_silent_case()

        again = operations.open_case(
            kind=cases.SMART_METER_SILENT,
            meter_point_id=case.meter_point_id,
            summary="again",
            actor=audit.SYSTEM,
            as_at=LATER,
        )

        assert again.id == case.id
        assert models.Case.objects.count() == 1

    def test_an_unknown_kind_or_meter_point_is_refused(self):
        with pytest.raises(InvalidInput) as refused:
            operations.open_case(
                kind="NOISY", meter_point_id=1, summary="", actor=audit.SYSTEM, as_at=AS_AT
            )
        assert problems(refused.value) == [("kind", "choice"), ("summary", "required")]

        with pytest.raises(NotFound):
            operations.open_case(
                kind=cases.SMART_METER_SILENT,
                meter_point_id=999_999,
                summary="quiet",
                actor=audit.SYSTEM,
                as_at=AS_AT,
            )


class TestOpenCasesForSilentMeters:
    def test_each_silent_meter_point_gets_one_case(self):
        points = [smart_point(), smart_point()]

        opened = operations.open_cases_for_silent_meters(
            silent=silent(*points, last_heard_on=datetime.date(2026, 11, 1)),
            silent_days=3,
            actor=audit.SYSTEM,
            as_at=AS_AT,
        )

        assert opened == 2
        assert sorted(models.Case.objects.values_list("meter_point_id", flat=True)) == [
            point.id for point in points
        ]
        assert AuditEntry.objects.filter(entity="case", action="OPENED").count() == 2

    def test_running_twice_opens_nothing_more(self):
        points = [smart_point(), smart_point()]
        kwargs = {"silent": silent(*points), "silent_days": 3, "actor": audit.SYSTEM}
        operations.open_cases_for_silent_meters(**kwargs, as_at=AS_AT)

        assert operations.open_cases_for_silent_meters(**kwargs, as_at=LATER) == 0
        assert models.Case.objects.count() == 2

    def test_a_meter_point_with_an_open_case_keeps_it_and_others_get_theirs(self):
        existing = open_silent_case()
        fresh = smart_point()
        fresh_and_old = [*silent(fresh), cases.SilentMeterPoint(existing.meter_point_id, None)]

        opened = operations.open_cases_for_silent_meters(
            silent=fresh_and_old, silent_days=3, actor=audit.SYSTEM, as_at=LATER
        )

        assert opened == 1
        assert models.Case.objects.get(meter_point_id=existing.meter_point_id).id == existing.id

    def test_a_meter_point_that_is_gone_is_skipped(self):
        point = smart_point()

        opened = operations.open_cases_for_silent_meters(
            silent=[*silent(point), cases.SilentMeterPoint(999_999, None)],
            silent_days=3,
            actor=audit.SYSTEM,
            as_at=AS_AT,
        )

        assert opened == 1

    def test_many_meter_points_take_a_few_statements(self, django_assert_max_num_queries):
        points = [smart_point() for _ in range(6)]

        # savepoint, known ids, open cases, insert, read back, audit insert, release
        with django_assert_max_num_queries(7):
            operations.open_cases_for_silent_meters(
                silent=silent(*points), silent_days=3, actor=audit.SYSTEM, as_at=AS_AT
            )

        assert models.Case.objects.count() == 6


class TestCloseCase:
    def test_a_note_closes_the_case_and_is_audited(self):
        case = open_silent_case()
        who = worker(Role.COMPLAINTS)

        closed = operations.close_case(
            by=who, case_id=case.id, note="  Comms hub replaced by the DCC.  ", as_at=LATER
        )

        assert (closed.status, closed.resolution) == ("CLOSED", "Comms hub replaced by the DCC.")
        assert (closed.closed_at, closed.closed_by) == (LATER, who.username)
        assert AuditEntry.objects.filter(entity_id=str(case.id), action="CLOSED").count() == 1

    @pytest.mark.parametrize("note", ["", "   \n "])
    def test_closing_needs_a_note(self, note):
        case = open_silent_case()

        with pytest.raises(InvalidInput) as refused:
            operations.close_case(by=worker(), case_id=case.id, note=note, as_at=LATER)

        assert problems(refused.value) == [("note", "required")]
        assert models.Case.objects.get(id=case.id).status == "OPEN"

    def test_a_closed_case_cannot_be_closed_again(self):
        case = open_silent_case()
        operations.close_case(by=worker(), case_id=case.id, note="fixed", as_at=LATER)

        with pytest.raises(InvalidInput) as refused:
            operations.close_case(by=worker(), case_id=case.id, note="again", as_at=LATER)

        assert problems(refused.value) == [("case", "already_closed")]

    def test_someone_who_may_not_work_cases_is_refused_and_nothing_changes(self):
        case = open_silent_case()

        with pytest.raises(NotAllowed):
            operations.close_case(by=worker(Role.BILLING), case_id=case.id, note="x", as_at=LATER)

        assert models.Case.objects.get(id=case.id).status == "OPEN"

    def test_a_missing_case_is_not_found(self):
        with pytest.raises(NotFound):
            operations.close_case(by=worker(), case_id=999_999, note="x", as_at=LATER)

    def test_after_closing_a_new_case_may_open_on_the_meter_point(self):
        case = open_silent_case()
        operations.close_case(by=worker(), case_id=case.id, note="customer away", as_at=LATER)

        again = operations.open_cases_for_silent_meters(
            silent=[cases.SilentMeterPoint(case.meter_point_id, None)],
            silent_days=3,
            actor=audit.SYSTEM,
            as_at=LATER,
        )

        assert again == 1
        assert models.Case.objects.filter(meter_point_id=case.meter_point_id).count() == 2


class TestTheDatabaseHoldsTheRules:
    def test_a_second_open_case_of_a_kind_on_a_meter_point_is_refused(self):
        case = open_silent_case()

        with pytest.raises(IntegrityError), transaction.atomic():
            models.Case.objects.create(
                kind=case.kind,
                status="OPEN",
                meter_point_id=case.meter_point_id,
                summary="twice",
                opened_at=AS_AT,
                opened_by="test",
            )

    def test_a_closed_case_without_a_resolution_is_refused(self):
        case = open_silent_case()

        with pytest.raises(IntegrityError), transaction.atomic():
            models.Case.objects.filter(id=case.id).update(
                status="CLOSED", closed_at=LATER, closed_by="test", resolution=""
            )
