"""The sales force's views: a shop agent's month, a manager's pipeline (their own agents
only), the telesales team's unsigned contracts and the admin team's exceptions queue; and
the manager's targets and commission rules. Each view is a few queries whatever its size."""

from __future__ import annotations

import dataclasses
import datetime

import pytest

from kilowatt.comms import models as comms_models
from kilowatt.identity import queries as identity_queries
from kilowatt.identity.domain.roles import Role
from kilowatt.platform.errors import InvalidInput, NotAllowed
from kilowatt.sales import models, operations, queries
from kilowatt.sales.domain import orders
from tests.factories import book, people
from tests.factories.sales import NOW, REGION, home_order, sign

pytestmark = pytest.mark.django_db

DAY = datetime.timedelta(days=1)


@pytest.fixture(autouse=True)
def tariffs(db):
    book.price_list(by=book.principal(Role.SYSADMIN, username="pricing"), region=REGION)


def _person(role: Role, *, manager=None):
    user = people.make_user(role, manager_id=manager.user_id if manager else None)
    return identity_queries.principal_for(user)


@dataclasses.dataclass(frozen=True)
class Team:
    manager: object
    ann: object  # an agent of the manager
    bob: object  # another agent of the manager
    other_manager: object
    carl: object  # the other manager's agent


@pytest.fixture
def team(db) -> Team:
    manager = _person(Role.SALES_MANAGER)
    other = _person(Role.SALES_MANAGER)
    return Team(
        manager=manager,
        ann=_person(Role.AGENT, manager=manager),
        bob=_person(Role.AGENT, manager=manager),
        other_manager=other,
        carl=_person(Role.AGENT, manager=other),
    )


def _bad_mprn() -> str:
    good = book.mprn()
    return good[:-1] + str((int(good[-1]) + 1) % 10)


def _stopped_order():
    """A home order whose MPRN fails its check digits: the admin team decides it."""
    request = home_order()
    supplies = tuple(
        dataclasses.replace(s, identifier=_bad_mprn()) if s.fuel == "GAS" else s
        for s in request.supplies
    )
    return dataclasses.replace(request, supplies=supplies)


def submit(by, *, at=NOW, channel="AGENT", request=None):
    return operations.submit_order(
        by=by, channel=channel, request=request or home_order(), as_at=at
    ).order


class TestPipeline:
    def test_a_manager_sees_only_their_agents_open_sign_ups_oldest_first(self, team):
        old = submit(team.ann, at=NOW - 10 * DAY)
        new = submit(team.bob, at=NOW - DAY)
        stopped = submit(team.ann, at=NOW - 2 * DAY, request=_stopped_order())
        submit(team.carl, at=NOW - 20 * DAY)  # another manager's agent
        signed = submit(team.bob, at=NOW - 30 * DAY)
        sign(signed, at=NOW - 9 * DAY)

        found = queries.pipeline(team.manager, stuck_after=7 * DAY, as_at=NOW)

        assert [row.reference for row in found.rows] == [
            signed.reference,
            old.reference,
            stopped.reference,
            new.reference,
        ]
        assert found.total == 4
        flags = {row.reference: row.stuck for row in found.rows}
        # Stuck counts from the last step: signed 9 days ago, entered 10 days ago.
        assert flags == {
            signed.reference: True,
            old.reference: True,
            stopped.reference: False,
            new.reference: False,
        }
        assert found.stuck_total == 2
        assert dict(found.by_status) == {"EXCEPTION": 1, "AWAITING_SIGNATURE": 2, "SIGNED": 1}
        by_agent = {a.agent_id: a for a in found.agents}
        assert set(by_agent) == {team.ann.user_id, team.bob.user_id}
        assert by_agent[team.ann.user_id].open == 2
        assert by_agent[team.bob.user_id].stuck == 1

    def test_filters_and_pages_follow_on(self, team):
        made = [submit(team.ann, at=NOW - (n + 1) * DAY) for n in range(5)]
        submit(team.bob, at=NOW - DAY)

        first = queries.pipeline(
            team.manager, stuck_after=3 * DAY, as_at=NOW, agent_id=team.ann.user_id, limit=2
        )
        second = queries.pipeline(
            team.manager,
            stuck_after=3 * DAY,
            as_at=NOW,
            agent_id=team.ann.user_id,
            limit=2,
            after=first.next_after,
        )
        stuck = queries.pipeline(team.manager, stuck_after=3 * DAY, as_at=NOW, stuck_only=True)

        oldest_first = [order.reference for order in reversed(made)]
        assert [r.reference for r in first.rows + second.rows] == oldest_first[:4]
        assert first.total == 5
        assert {r.reference for r in stuck.rows} == set(oldest_first[:2])  # 5 and 4 days
        assert stuck.total == 2

    def test_another_managers_agent_gives_nothing(self, team):
        submit(team.carl)

        found = queries.pipeline(
            team.manager, stuck_after=DAY, as_at=NOW, agent_id=team.carl.user_id
        )

        assert found.rows == () and found.total == 0

    @pytest.mark.parametrize("role", [Role.AGENT, Role.TELESALES, Role.ADMIN, Role.CUSTOMER])
    def test_anyone_else_is_refused(self, team, role):
        submit(team.ann)
        with pytest.raises(NotAllowed):
            queries.pipeline(_person(role), stuck_after=DAY, as_at=NOW)

    def test_a_few_queries_whatever_the_size(self, team, django_assert_max_num_queries):
        for n in range(30):
            submit(team.ann if n % 2 else team.bob, at=NOW - n * DAY)
        with django_assert_max_num_queries(5):
            found = queries.pipeline(team.manager, stuck_after=DAY, as_at=NOW, limit=50)
        assert found.total == 30


class TestAgentDashboard:
    def test_the_month_target_sign_ups_and_commission_net_of_claw_backs(self, team):
        operations.set_commission_rule(
            by=team.manager,
            product="Kilowatt Flexible Residential Electricity",
            amount_pence=2500,
            valid_from=datetime.date(2026, 1, 1),
            as_at=datetime.datetime(2025, 12, 20, tzinfo=datetime.UTC),
        )
        operations.set_target(
            by=team.manager,
            agent_id=team.ann.user_id,
            month=datetime.date(2026, 1, 1),
            sign_ups=10,
            as_at=NOW,
        )
        kept = submit(team.ann, at=NOW - DAY)
        sign(kept, at=NOW - DAY)
        cancelled = submit(team.ann, at=NOW - DAY)
        sign(cancelled, at=NOW - DAY)
        operations.cancel_order(by=team.ann, reference=cancelled.reference, as_at=NOW)
        submit(team.ann, at=NOW)  # waiting
        submit(team.ann, at=NOW - 20 * DAY)  # December: not this month
        submit(team.bob, at=NOW)

        board = queries.agent_dashboard(team.ann, month=NOW.date(), today=NOW.date())

        assert board.target == 10
        assert board.sign_ups == 3
        assert board.sign_ups_today == 1
        assert dict(board.by_status) == {
            "AWAITING_SIGNATURE": 1,
            "SIGNED": 1,
            "CANCELLED": 1,
        }
        assert board.signed == 1
        [line] = board.commission
        assert line.product == "Kilowatt Flexible Residential Electricity"
        assert (line.supplies, line.earned_pence, line.clawed_back_pence) == (2, 5000, 2500)
        assert board.net_pence == 2500
        assert len(board.recent) == 4

    @pytest.mark.parametrize("role", [Role.SALES_MANAGER, Role.TELESALES, Role.CUSTOMER])
    def test_only_a_shop_agent_has_one(self, role):
        with pytest.raises(NotAllowed):
            queries.agent_dashboard(_person(role), month=NOW.date(), today=NOW.date())

    def test_four_queries(self, team, django_assert_max_num_queries):
        for _ in range(5):
            submit(team.ann)
        with django_assert_max_num_queries(4):
            queries.agent_dashboard(team.ann, month=NOW.date(), today=NOW.date())


class TestTargetsAndRules:
    def test_a_manager_sets_and_replaces_a_target_for_their_agent(self, team):
        month = datetime.date(2026, 2, 14)
        operations.set_target(
            by=team.manager, agent_id=team.ann.user_id, month=month, sign_ups=5, as_at=NOW
        )
        operations.set_target(
            by=team.manager, agent_id=team.ann.user_id, month=month, sign_ups=8, as_at=NOW
        )

        target = models.SalesTarget.objects.get()
        assert (target.month, target.sign_ups, target.set_by) == (
            datetime.date(2026, 2, 1),
            8,
            team.manager.username,
        )

    def test_refusals_name_the_field_and_rule(self, team):
        with pytest.raises(InvalidInput) as refused:
            operations.set_target(
                by=team.manager,
                agent_id=team.carl.user_id,  # the other manager's
                month=datetime.date(2025, 12, 1),
                sign_ups=-1,
                as_at=NOW,
            )
        assert {(p.field, p.rule) for p in refused.value.problems} == {
            ("agent_id", "not_your_agent"),
            ("month", "in_the_past"),
            ("sign_ups", "negative"),
        }
        with pytest.raises(InvalidInput) as refused:
            operations.set_commission_rule(
                by=team.manager,
                product=" ",
                amount_pence=100_001,
                valid_from=NOW.date() - DAY,
                as_at=NOW,
            )
        assert {(p.field, p.rule) for p in refused.value.problems} == {
            ("product", "required"),
            ("amount_pence", "too_large"),
            ("valid_from", "in_the_past"),
        }
        assert not models.SalesTarget.objects.exists()
        assert not models.CommissionRule.objects.exists()

    def test_the_same_rule_twice_is_refused(self, team):
        rule = dict(product="Fixed 12M", amount_pence=2000, valid_from=NOW.date(), as_at=NOW)
        operations.set_commission_rule(by=team.manager, **rule)
        with pytest.raises(InvalidInput) as refused:
            operations.set_commission_rule(by=team.manager, **rule)
        assert [(p.field, p.rule) for p in refused.value.problems] == [
            ("valid_from", "already_set")
        ]

    @pytest.mark.parametrize("role", [Role.AGENT, Role.ADMIN, Role.SYSADMIN, Role.TELESALES])
    def test_only_a_sales_manager_sets_them(self, team, role):
        someone = _person(role)
        with pytest.raises(NotAllowed):
            operations.set_target(
                by=someone, agent_id=team.ann.user_id, month=NOW.date(), sign_ups=1, as_at=NOW
            )
        with pytest.raises(NotAllowed):
            operations.set_commission_rule(
                by=someone, product="X", amount_pence=1, valid_from=NOW.date(), as_at=NOW
            )
        assert not models.SalesTarget.objects.exists()
        assert not models.CommissionRule.objects.exists()


class TestUnsignedContracts:
    def test_the_team_sees_telesales_contracts_waiting_with_age_and_reminders(self, team):
        seller = _person(Role.TELESALES)
        waiting = submit(seller, channel="TELESALES", at=NOW - 3 * DAY)
        signed = submit(seller, channel="TELESALES", at=NOW - 2 * DAY)
        sign(signed, at=NOW - DAY)
        submit(team.ann)  # a shop sign-up: not the team's

        found = queries.unsigned_contracts(_person(Role.TELESALES), as_at=NOW)

        [row] = found.rows
        assert row.order_reference == waiting.reference
        assert row.age == 3 * DAY
        assert row.reminders_sent == 0
        assert row.agent == seller.username
        assert found.total == 1 and found.never_reminded == 1

    def test_sending_the_link_again_emails_it_and_counts_it(self, team):
        seller = _person(Role.TELESALES)
        order = submit(seller, channel="TELESALES", at=NOW - DAY)
        contract = models.Contract.objects.get(order=order)

        operations.send_signing_reminder(
            by=_person(Role.TELESALES), contract_id=contract.id, as_at=NOW
        )

        contract.refresh_from_db()
        assert contract.reminders_sent == 1 and contract.last_reminded_at == NOW
        email = comms_models.OutboundEmail.objects.get(
            idempotency_key=f"contract:{contract.id}:reminder:1"
        )
        assert "/sign/" in email.text_body

    @pytest.mark.parametrize("role", [Role.AGENT, Role.SALES_MANAGER, Role.ADMIN, Role.CUSTOMER])
    def test_others_are_refused(self, team, role):
        order = submit(_person(Role.TELESALES), channel="TELESALES")
        contract = models.Contract.objects.get(order=order)
        with pytest.raises(NotAllowed):
            queries.unsigned_contracts(_person(role), as_at=NOW)
        with pytest.raises(NotAllowed):
            operations.send_signing_reminder(by=_person(role), contract_id=contract.id, as_at=NOW)
        assert models.Contract.objects.get(id=contract.id).reminders_sent == 0


class TestExceptionsQueue:
    def test_only_stopped_sign_ups_oldest_first_with_counts_by_rule(self, team):
        first = submit(team.ann, at=NOW - 2 * DAY, request=_stopped_order())
        second = submit(_person(Role.TELESALES), channel="TELESALES", request=_stopped_order())
        submit(team.bob)

        queue = queries.exceptions_queue(_person(Role.ADMIN), as_at=NOW)

        assert [row.reference for row in queue.rows] == [first.reference, second.reference]
        assert queue.by_rule == (("mprn_check_digits", 2),)
        assert queue.rows[0].exception_message.startswith("supplies.1: MPRN")
        assert queue.rows[0].agent == team.ann.username

    @pytest.mark.parametrize("role", [Role.AGENT, Role.SALES_MANAGER, Role.TELESALES, Role.BILLING])
    def test_others_are_refused(self, role):
        with pytest.raises(NotAllowed):
            queries.exceptions_queue(_person(role), as_at=NOW)

    def test_three_queries(self, team, django_assert_max_num_queries):
        for _ in range(5):
            submit(team.ann, request=_stopped_order())
        admin = _person(Role.ADMIN)
        with django_assert_max_num_queries(3):
            queries.exceptions_queue(admin, as_at=NOW)


def test_an_order_is_stopped_by_the_mprn_rule():
    assert orders.exception_for(_stopped_order()) is not None
