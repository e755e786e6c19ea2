"""Final bills: the last bill of an account whose supply ended, on time or with £30."""

from __future__ import annotations

import datetime

import pytest

from kilowatt.accounts import operations as account_operations
from kilowatt.billing import models, operations
from kilowatt.identity.domain.roles import Role
from kilowatt.ledger import queries as ledger_queries
from kilowatt.platform import audit
from kilowatt.platform.errors import InvalidInput
from tests.factories import book
from tests.integration.billing.test_bill_runs import (
    AS_AT,
    _bill,
    _read,
    world,  # noqa: F401 (the fixture)
)

pytestmark = pytest.mark.django_db

MOVED_OUT = datetime.date(2026, 3, 20)
SOMEONE = audit.Actor(id=None, name="billing test")


def _move_out(customer) -> None:
    billing = book.principal(Role.BILLING)
    for agreement_id in customer.agreement_ids:
        account_operations.end_agreement(
            by=billing, agreement_id=agreement_id, valid_to=MOVED_OUT, as_at=AS_AT
        )


def _final(customer, on: datetime.date) -> models.Invoice:
    account = models.Invoice.objects.filter(account__number=customer.account).first()
    invoice_id = operations.issue_final_bill(
        account_id=account.account_id,
        actor=SOMEONE,
        as_at=datetime.datetime.combine(on, datetime.time(10), datetime.UTC),
    )
    return models.Invoice.objects.get(id=invoice_id)


def test_a_final_bill_on_time_covers_the_last_bill_to_the_move_out(world):  # noqa: F811
    home, _ = world
    (site,) = home.sites
    operations.release_bill_run(run_id=_bill(), released_by="test", as_at=AS_AT)
    _move_out(home)
    _read(site.mpan, datetime.datetime(2026, 3, 20, 8, tzinfo=datetime.UTC), "1350")

    final = _final(home, datetime.date(2026, 3, 25))

    assert (final.is_final, final.status, final.kind) == (True, "ISSUED", "INVOICE")
    assert (final.period_start, final.period_end) == (datetime.date(2026, 3, 1), MOVED_OUT)
    kinds = list(final.lines.values_list("kind", "amount_pence").order_by("position"))
    # 19 days x 51.37p = 976.03 -> 976 a fuel; 50 kWh x 24.86p = 1243.
    assert ("STANDING_CHARGE", 976) in kinds and ("ENERGY", 1243) in kinds
    assert not any(kind == "COMPENSATION" for kind, _ in kinds)
    assert final.number.startswith("KWE")
    assert sum(ledger_queries.trial_balance().values()) == 0


def test_a_late_final_bill_pays_the_guaranteed_30_pounds_itself(world):  # noqa: F811
    home, _ = world
    operations.release_bill_run(run_id=_bill(), released_by="test", as_at=AS_AT)
    _move_out(home)

    final = _final(home, datetime.date(2026, 5, 10))  # due by 1 May

    compensation = final.lines.get(kind="COMPENSATION")
    assert compensation.amount_pence == -3000 and compensation.vat_rate == 0
    charges = sum(line.amount_pence for line in final.lines.exclude(kind="COMPENSATION"))
    assert final.total_pence == charges - 3000
    ledgers = ledger_queries.trial_balance()
    assert ledgers["COMPENSATION"] == 3000 and sum(ledgers.values()) == 0


def test_no_final_bill_while_supplied_and_only_one_after(world):  # noqa: F811
    home, _ = world
    operations.release_bill_run(run_id=_bill(), released_by="test", as_at=AS_AT)
    with pytest.raises(InvalidInput) as still:
        _final(home, datetime.date(2026, 3, 25))
    assert still.value.problems[0].rule == "still_supplied"

    _move_out(home)
    _final(home, datetime.date(2026, 3, 25))
    with pytest.raises(InvalidInput) as again:
        _final(home, datetime.date(2026, 3, 26))
    assert again.value.problems[0].rule == "final_bill_issued"


def test_the_daily_task_issues_every_final_bill_due(world):  # noqa: F811
    home, _ = world
    operations.release_bill_run(run_id=_bill(), released_by="test", as_at=AS_AT)
    _move_out(home)

    issued = operations.issue_due_final_bills(
        as_at=datetime.datetime(2026, 3, 23, 6, tzinfo=datetime.UTC)
    )

    assert [models.Invoice.objects.get(id=i).account.number for i in issued] == [home.account]
    assert (
        operations.issue_due_final_bills(
            as_at=datetime.datetime(2026, 3, 24, 6, tzinfo=datetime.UTC)
        )
        == []
    )


def test_a_run_leaves_an_ended_supply_to_its_final_bill(world):  # noqa: F811
    home, business = world
    operations.release_bill_run(run_id=_bill(), released_by="test", as_at=AS_AT)
    _move_out(home)

    april = operations.start_bill_run(
        run_date=datetime.date(2026, 4, 1), started_by="test", as_at=AS_AT, chunk_size=10
    )
    for chunk_id in operations.pending_chunk_ids(run_id=april):
        operations.bill_chunk(chunk_id=chunk_id, as_at=AS_AT)

    billed = set(
        models.Invoice.objects.filter(run_id=april).values_list("account__number", flat=True)
    )
    assert billed == {business.account}


def test_restating_a_late_final_bill_keeps_its_30_pounds_and_the_ledger_right(world):  # noqa: F811
    home, _ = world
    (site,) = home.sites
    operations.release_bill_run(run_id=_bill(), released_by="test", as_at=AS_AT)
    _move_out(home)
    final = _final(home, datetime.date(2026, 5, 10))
    before = ledger_queries.trial_balance()
    # A closing read arrives for the final period: the final bill is restated.
    late = datetime.datetime(2026, 5, 12, 10, tzinfo=datetime.UTC)
    _read(site.mpan, datetime.datetime(2026, 3, 19, 23, tzinfo=datetime.UTC), "1350", late)

    replacement_id = operations.restate_invoice(
        invoice_id=final.id, reason="closing read came", actor=SOMEONE, as_at=late
    )

    replacement = models.Invoice.objects.get(id=replacement_id)
    assert replacement.is_final
    assert replacement.lines.get(kind="COMPENSATION").amount_pence == -3000
    after = ledger_queries.trial_balance()
    assert after["COMPENSATION"] == before["COMPENSATION"] == 3000
    # The customer owes the difference of the two bills, and the £30 still counts.
    assert after["RECEIVABLE"] - before["RECEIVABLE"] == replacement.total_pence - final.total_pence
    assert sum(after.values()) == 0


def test_the_daily_task_is_not_held_up_by_accounts_billed_already(world):  # noqa: F811
    home, business = world
    operations.release_bill_run(run_id=_bill(), released_by="test", as_at=AS_AT)
    _move_out(home)
    at = datetime.datetime(2026, 3, 23, 6, tzinfo=datetime.UTC)
    assert len(operations.issue_due_final_bills(as_at=at, limit=1)) == 1
    _move_out(business)

    issued = operations.issue_due_final_bills(as_at=at, limit=1)

    assert [models.Invoice.objects.get(id=i).account.number for i in issued] == [business.account]
