"""The sales force's views of the sign-ups: a shop agent's month (target, sign-ups,
commission), a regional sales manager's pipeline of their agents' open sign-ups, the
telesales team's unsigned contracts and the admin team's exceptions queue.

Each is a handful of set-based queries whatever the size of the book: rows a page at a
time (keyset, oldest first) and counts by one ``GROUP BY`` each, on the indexes of
``sales.models`` (``order_created_by_idx``, ``order_status_idx``, ``contract_status_idx``,
``commission_agent_idx``).
"""

from __future__ import annotations

import dataclasses
import datetime
from typing import Any

from django.db.models import Count, Q, QuerySet, Sum

from kilowatt.identity import queries as identity_queries
from kilowatt.identity.domain.roles import Permission, Principal, Role
from kilowatt.platform.errors import NotAllowed
from kilowatt.platform.periods import LONDON
from kilowatt.sales import models
from kilowatt.sales.domain import chasing
from kilowatt.sales.queries._orders import order_for

Status = models.Order.Status
# A sign-up still on its way: not supplied yet and not closed.
OPEN_STATUSES = (Status.CREDIT_CHECK, Status.EXCEPTION, Status.AWAITING_SIGNATURE, Status.SIGNED)
STATUS_ORDER = (
    Status.EXCEPTION,
    Status.AWAITING_SIGNATURE,
    Status.SIGNED,
    Status.LIVE,
    Status.CANCELLED,
    Status.REJECTED,
)
PAGE_LIMIT = 50
MAX_LIMIT = 500

# The columns a row of a list needs: the customer's name and postcode come out of the
# order's details (JSON) in the database, not the whole document.
_ROW_COLUMNS = (
    "id",
    "reference",
    "channel",
    "status",
    "customer_kind",
    "region",
    "created_by_id",
    "submitted_at",
    "signed_at",
    "exception_rule",
    "exception_message",
    "details__customer__title",
    "details__customer__first_name",
    "details__customer__last_name",
    "details__customer__company_name",
    "details__sites__0__postcode",
)


def month_start(day: datetime.date) -> datetime.date:
    """Return the first day of ``day``'s month."""
    return day.replace(day=1)


def _next_month(first: datetime.date) -> datetime.date:
    return (first.replace(day=28) + datetime.timedelta(days=4)).replace(day=1)


def _london_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=LONDON)


def _customer_name(row: dict[str, Any]) -> str:
    if row["customer_kind"] == "BUSINESS":
        return row["details__customer__company_name"] or ""
    parts = (
        row["details__customer__title"],
        row["details__customer__first_name"],
        row["details__customer__last_name"],
    )
    return " ".join(part for part in parts if part)


def _limit(limit: int) -> int:
    return max(1, min(limit, MAX_LIMIT))


@dataclasses.dataclass(frozen=True)
class OrderRow:
    """One sign-up in a list."""

    id: int
    reference: str
    channel: str
    status: str
    customer_name: str
    postcode: str
    region: str
    agent_id: int | None
    agent: str  # the username of who entered it ("" on the web)
    submitted_at: datetime.datetime
    waiting_since: datetime.datetime  # since its last step: submitted, or signed
    waited: datetime.timedelta
    stuck: bool
    exception_rule: str
    exception_message: str


def _order_row(
    row: dict[str, Any],
    *,
    names: dict[int, str],
    as_at: datetime.datetime,
    stuck_after: datetime.timedelta | None,
) -> OrderRow:
    since = (
        row["signed_at"]
        if row["status"] == Status.SIGNED and row["signed_at"]
        else row["submitted_at"]
    )
    waited = as_at - since
    return OrderRow(
        id=row["id"],
        reference=row["reference"],
        channel=row["channel"],
        status=row["status"],
        customer_name=_customer_name(row),
        postcode=row["details__sites__0__postcode"] or "",
        region=row["region"],
        agent_id=row["created_by_id"],
        agent=names.get(row["created_by_id"], "") if row["created_by_id"] else "",
        submitted_at=row["submitted_at"],
        waiting_since=since,
        waited=waited,
        stuck=stuck_after is not None and waited > stuck_after,
        exception_rule=row["exception_rule"],
        exception_message=row["exception_message"],
    )


def _usernames(user_ids: set[int]) -> dict[int, str]:
    """Return the usernames of these users (one query).

    Sales reaches the users' table through its own foreign key (``Order.created_by``):
    identity offers no query that names several users at once.
    """
    if not user_ids:
        return {}
    users = models.Order._meta.get_field("created_by").related_model._default_manager  # type: ignore[union-attr]
    return dict(users.filter(id__in=user_ids).values_list("id", "username"))


def _team(manager_id: int) -> dict[int, str]:
    """Return the agents of a regional sales manager by id, with their usernames (one query)."""
    users = models.Order._meta.get_field("created_by").related_model._default_manager  # type: ignore[union-attr]
    return dict(
        users.filter(manager_id=manager_id).order_by("username", "id").values_list("id", "username")
    )


# --- a shop agent's month ---------------------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ProductCommission:
    product: str
    supplies: int  # earned this month
    earned_pence: int
    clawed_back_pence: int  # clawed back this month (whenever it was earned)
    net_pence: int


@dataclasses.dataclass(frozen=True)
class AgentDashboard:
    agent_id: int
    month: datetime.date  # its first day
    target: int | None  # sign-ups asked for this month (None: no target set)
    target_set_by: str
    sign_ups: int  # entered this month, whatever became of them
    sign_ups_today: int
    by_status: tuple[tuple[str, int], ...]  # (status, count) in the order of the journey
    signed: int  # entered this month and signed (signed or live): what counts to the target
    commission: tuple[ProductCommission, ...]
    earned_pence: int
    clawed_back_pence: int
    net_pence: int
    recent: tuple[OrderRow, ...]  # their latest sign-ups, newest first


def agent_dashboard(
    principal: Principal, *, month: datetime.date, today: datetime.date, recent: int = 20
) -> AgentDashboard:
    """Return a shop agent's month: their target, their sign-ups by status, the commission
    earned net of claw-backs by product, and their latest sign-ups. Four queries.

    :raises NotAllowed: ``principal`` is not a shop agent.
    """
    if principal.role is not Role.AGENT or principal.user_id is None:
        raise NotAllowed(f"{principal.username} is not a shop agent")
    agent_id = principal.user_id
    first = month_start(month)
    start, end = _london_midnight(first), _london_midnight(_next_month(first))
    day_start = _london_midnight(today)
    day_end = _london_midnight(today + datetime.timedelta(days=1))
    target = (
        models.SalesTarget.objects.filter(agent_id=agent_id, month=first)
        .values("sign_ups", "set_by")
        .first()
    )
    counts = {
        row["status"]: (row["total"], row["today"])
        for row in models.Order.objects.filter(
            created_by_id=agent_id, submitted_at__gte=start, submitted_at__lt=end
        )
        .values("status")
        .annotate(
            total=Count("id"),
            today=Count("id", filter=Q(submitted_at__gte=day_start, submitted_at__lt=day_end)),
        )
        .order_by("status")
    }
    in_month = Q(earned_at__gte=start, earned_at__lt=end)
    clawed_in_month = Q(clawed_back_at__gte=start, clawed_back_at__lt=end)
    commission = tuple(
        ProductCommission(
            product=row["product"],
            supplies=row["supplies"],
            earned_pence=row["earned"] or 0,
            clawed_back_pence=row["clawed"] or 0,
            net_pence=(row["earned"] or 0) - (row["clawed"] or 0),
        )
        for row in models.Commission.objects.filter(
            Q(agent_id=agent_id) & (in_month | clawed_in_month)
        )
        .values("product")
        .annotate(
            supplies=Count("id", filter=in_month),
            earned=Sum("amount_pence", filter=in_month),
            clawed=Sum("amount_pence", filter=clawed_in_month),
        )
        .order_by("product")
    )
    latest = (
        models.Order.objects.filter(created_by_id=agent_id)
        .order_by("-submitted_at", "-id")
        .values(*_ROW_COLUMNS)[: max(0, recent)]
    )
    names = {agent_id: principal.username}
    return AgentDashboard(
        agent_id=agent_id,
        month=first,
        target=target["sign_ups"] if target else None,
        target_set_by=target["set_by"] if target else "",
        sign_ups=sum(total for total, _ in counts.values()),
        sign_ups_today=sum(on_day for _, on_day in counts.values()),
        by_status=tuple((status, counts[status][0]) for status in STATUS_ORDER if status in counts),
        signed=sum(counts.get(status, (0, 0))[0] for status in (Status.SIGNED, Status.LIVE)),
        commission=commission,
        earned_pence=sum(c.earned_pence for c in commission),
        clawed_back_pence=sum(c.clawed_back_pence for c in commission),
        net_pence=sum(c.net_pence for c in commission),
        recent=tuple(
            _order_row(row, names=names, as_at=_london_midnight(today), stuck_after=None)
            for row in latest
        ),
    )


# --- a regional sales manager's pipeline --------------------------------------------------


@dataclasses.dataclass(frozen=True)
class AgentSummary:
    agent_id: int
    agent: str
    open: int
    stuck: int
    by_status: tuple[tuple[str, int], ...]
    target: int | None  # this month's
    signed_this_month: int


@dataclasses.dataclass(frozen=True)
class Pipeline:
    rows: tuple[OrderRow, ...]  # oldest first, at most ``limit``
    total: int  # open sign-ups matching the filters
    stuck_total: int  # of those, waiting longer than ``stuck_after``
    by_status: tuple[tuple[str, int], ...]  # open sign-ups of the whole team, by status
    agents: tuple[AgentSummary, ...]  # every agent of the manager, with or without sign-ups
    next_after: tuple[datetime.datetime, int] | None  # the cursor of the next page


def _stuck(cutoff: datetime.datetime) -> Q:
    """The database's version of ``OrderRow.stuck``: waiting since before ``cutoff``."""
    return Q(status=Status.SIGNED, signed_at__lt=cutoff) | (
        ~Q(status=Status.SIGNED) & Q(submitted_at__lt=cutoff)
    )


def _require_pipeline(principal: Principal) -> int:
    if not principal.may(Permission.SEE_SALES_PIPELINE) or principal.user_id is None:
        raise NotAllowed(f"{principal.username} may not see a sales pipeline")
    return principal.user_id


def team_orders(principal: Principal) -> QuerySet[models.Order]:
    """Return the open sign-ups of a regional sales manager's agents.

    :raises NotAllowed: ``principal`` may not see a sales pipeline.
    """
    manager_id = _require_pipeline(principal)
    agents = identity_queries.agents_of(manager_id=manager_id)
    return models.Order.objects.filter(created_by_id__in=agents, status__in=OPEN_STATUSES)


def pipeline(
    principal: Principal,
    *,
    stuck_after: datetime.timedelta,
    as_at: datetime.datetime,
    status: str | None = None,
    agent_id: int | None = None,
    stuck_only: bool = False,
    after: tuple[datetime.datetime, int] | None = None,
    limit: int = PAGE_LIMIT,
) -> Pipeline:
    """Return a regional sales manager's pipeline: their agents' sign-ups not yet supplied
    nor closed, oldest first, each flagged ``stuck`` when it has waited at its step
    (since it was entered, or since it was signed) longer than ``stuck_after``; with the
    counts by status and by agent (with this month's target and signed sign-ups). Filter
    by ``status``, ``agent_id`` (one of theirs; anyone else's gives nothing) and
    ``stuck_only``; ``after`` is the previous page's ``next_after``. Five queries.

    :raises NotAllowed: ``principal`` may not see a sales pipeline (only their own
        agents' sign-ups are ever in it).
    """
    manager_id = _require_pipeline(principal)
    team = _team(manager_id)
    agents = list(team)
    if agent_id is not None:
        agents = [agent_id] if agent_id in team else []
    cutoff = as_at - stuck_after
    stuck = _stuck(cutoff)
    base = models.Order.objects.filter(created_by_id__in=agents, status__in=OPEN_STATUSES)
    grouped = list(
        models.Order.objects.filter(created_by_id__in=list(team), status__in=OPEN_STATUSES)
        .values("created_by_id", "status")
        .annotate(total=Count("id"), stuck=Count("id", filter=stuck))
        .order_by("created_by_id", "status")
    )
    first = month_start(as_at.astimezone(LONDON).date())
    start, end = _london_midnight(first), _london_midnight(_next_month(first))
    signed = dict(
        models.Order.objects.filter(
            created_by_id__in=list(team),
            status__in=(Status.SIGNED, Status.LIVE),
            submitted_at__gte=start,
            submitted_at__lt=end,
        )
        .values("created_by_id")
        .annotate(total=Count("id"))
        .order_by("created_by_id")
        .values_list("created_by_id", "total")
    )
    targets = dict(
        models.SalesTarget.objects.filter(agent_id__in=list(team), month=first).values_list(
            "agent_id", "sign_ups"
        )
    )
    rows_query = base
    if status:
        rows_query = rows_query.filter(status=status)
    if stuck_only:
        rows_query = rows_query.filter(stuck)
    if after is not None:
        at, last_id = after
        rows_query = rows_query.filter(Q(submitted_at__gt=at) | Q(submitted_at=at, id__gt=last_id))
    size = _limit(limit)
    found = list(rows_query.order_by("submitted_at", "id").values(*_ROW_COLUMNS)[: size + 1])
    more = len(found) > size
    rows = tuple(
        _order_row(row, names=team, as_at=as_at, stuck_after=stuck_after) for row in found[:size]
    )
    chosen = set(agents)
    total = sum(
        g["total"]
        for g in grouped
        if g["created_by_id"] in chosen and (not status or g["status"] == status)
    )
    stuck_total = sum(
        g["stuck"]
        for g in grouped
        if g["created_by_id"] in chosen and (not status or g["status"] == status)
    )
    team_by_status: dict[str, int] = {}
    per_agent: dict[int, dict[str, tuple[int, int]]] = {}
    for g in grouped:
        team_by_status[g["status"]] = team_by_status.get(g["status"], 0) + g["total"]
        per_agent.setdefault(g["created_by_id"], {})[g["status"]] = (g["total"], g["stuck"])
    return Pipeline(
        rows=rows,
        total=stuck_total if stuck_only else total,
        stuck_total=stuck_total,
        by_status=tuple((s, team_by_status[s]) for s in STATUS_ORDER if s in team_by_status),
        agents=tuple(
            AgentSummary(
                agent_id=agent,
                agent=name,
                open=sum(t for t, _ in per_agent.get(agent, {}).values()),
                stuck=sum(s for _, s in per_agent.get(agent, {}).values()),
                by_status=tuple(
                    (s, per_agent[agent][s][0])
                    for s in STATUS_ORDER
                    if s in per_agent.get(agent, {})
                ),
                target=targets.get(agent),
                signed_this_month=signed.get(agent, 0),
            )
            for agent, name in team.items()
        ),
        next_after=(rows[-1].submitted_at, rows[-1].id) if more and rows else None,
    )


@dataclasses.dataclass(frozen=True)
class RuleRow:
    id: int
    product: str
    amount_pence: int
    valid_from: datetime.date
    set_at: datetime.datetime


def commission_rules(principal: Principal, *, limit: int = 100) -> tuple[RuleRow, ...]:
    """Return the commission rules a regional sales manager has set, newest first.

    :raises NotAllowed: ``principal`` may not see a sales pipeline.
    """
    manager_id = _require_pipeline(principal)
    return tuple(
        RuleRow(**row)
        for row in models.CommissionRule.objects.filter(manager_id=manager_id)
        .order_by("product", "-valid_from", "-id")
        .values("id", "product", "amount_pence", "valid_from", "set_at")[: _limit(limit)]
    )


# --- the telesales team's unsigned contracts ----------------------------------------------


@dataclasses.dataclass(frozen=True)
class UnsignedContract:
    contract_id: int
    order_reference: str
    signer_name: str
    signer_email: str
    signer_phone: str
    agent: str
    issued_at: datetime.datetime
    age: datetime.timedelta
    reminders_sent: int
    last_reminded_at: datetime.datetime | None
    next_reminder_at: datetime.datetime | None  # the automatic chase's next email
    lapses_at: datetime.datetime  # the sign-up lapses unsigned then


def _next_reminder(issued_at: datetime.datetime, sent: int) -> datetime.datetime | None:
    if sent >= len(chasing.REMINDER_DAYS):
        return None
    return issued_at + datetime.timedelta(days=chasing.REMINDER_DAYS[sent])


@dataclasses.dataclass(frozen=True)
class UnsignedContracts:
    rows: tuple[UnsignedContract, ...]  # oldest first
    total: int
    never_reminded: int


def _require_telesales(principal: Principal) -> None:
    if principal.role is not Role.TELESALES:
        raise NotAllowed(f"{principal.username} is not in the telesales team")


def unsigned_contracts(
    principal: Principal, *, as_at: datetime.datetime, limit: int = 100
) -> UnsignedContracts:
    """Return the telesales team's contracts still waiting for a signature, oldest first,
    with their age and the reminders sent. Three queries.

    :raises NotAllowed: ``principal`` is not in the telesales team.
    """
    _require_telesales(principal)
    waiting = models.Contract.objects.filter(
        status=models.Contract.Status.AWAITING_SIGNATURE,
        order__channel=models.Channel.TELESALES,
        order__status=Status.AWAITING_SIGNATURE,
    )
    counts = waiting.aggregate(total=Count("id"), never=Count("id", filter=Q(reminders_sent=0)))
    found = list(
        waiting.order_by("issued_at", "id").values(
            "id",
            "order__reference",
            "order__created_by_id",
            "signer_name",
            "signer_email",
            "signer_phone",
            "issued_at",
            "reminders_sent",
            "last_reminded_at",
        )[: _limit(limit)]
    )
    names = _usernames(
        {row["order__created_by_id"] for row in found if row["order__created_by_id"]}
    )
    return UnsignedContracts(
        rows=tuple(
            UnsignedContract(
                contract_id=row["id"],
                order_reference=row["order__reference"],
                signer_name=row["signer_name"],
                signer_email=row["signer_email"],
                signer_phone=row["signer_phone"],
                agent=names.get(row["order__created_by_id"], ""),
                issued_at=row["issued_at"],
                age=as_at - row["issued_at"],
                reminders_sent=row["reminders_sent"],
                last_reminded_at=row["last_reminded_at"],
                next_reminder_at=_next_reminder(row["issued_at"], row["reminders_sent"]),
                lapses_at=row["issued_at"] + chasing.LAPSES_AFTER,
            )
            for row in found
        ),
        total=counts["total"],
        never_reminded=counts["never"],
    )


# --- the admin team's exceptions queue -----------------------------------------------------


@dataclasses.dataclass(frozen=True)
class ExceptionsQueue:
    rows: tuple[OrderRow, ...]  # oldest first
    total: int
    by_rule: tuple[tuple[str, int], ...]  # (rule, count), most first
    next_after: tuple[datetime.datetime, int] | None


def _require_exceptions(principal: Principal) -> None:
    if not principal.may(Permission.WORK_SALES_EXCEPTIONS):
        raise NotAllowed(f"{principal.username} may not work the sales exceptions queue")


def exceptions_queue(
    principal: Principal,
    *,
    as_at: datetime.datetime,
    rule: str | None = None,
    after: tuple[datetime.datetime, int] | None = None,
    limit: int = PAGE_LIMIT,
) -> ExceptionsQueue:
    """Return the sign-ups an automatic rule stopped, oldest first, of one rule if asked,
    with the counts by rule. Three queries.

    :raises NotAllowed: ``principal`` does not work the sales exceptions queue.
    """
    _require_exceptions(principal)
    stopped = models.Order.objects.filter(status=Status.EXCEPTION)
    by_rule = tuple(
        (row["exception_rule"], row["total"])
        for row in stopped.values("exception_rule")
        .annotate(total=Count("id"))
        .order_by("-total", "exception_rule")
    )
    rows_query = stopped.filter(exception_rule=rule) if rule else stopped
    if after is not None:
        at, last_id = after
        rows_query = rows_query.filter(Q(submitted_at__gt=at) | Q(submitted_at=at, id__gt=last_id))
    size = _limit(limit)
    found = list(rows_query.order_by("submitted_at", "id").values(*_ROW_COLUMNS)[: size + 1])
    names = _usernames({row["created_by_id"] for row in found[:size] if row["created_by_id"]})
    rows = tuple(
        _order_row(row, names=names, as_at=as_at, stuck_after=None) for row in found[:size]
    )
    counts = dict(by_rule)
    return ExceptionsQueue(
        rows=rows,
        total=counts.get(rule, 0) if rule else sum(counts.values()),
        by_rule=by_rule,
        next_after=(rows[-1].submitted_at, rows[-1].id) if len(found) > size and rows else None,
    )


@dataclasses.dataclass(frozen=True)
class SupplyRow:
    identifier: str
    fuel: str
    tariff_code: str
    annual_kwh: str
    registration: str
    registration_reason: str
    supply_start_date: datetime.date | None


@dataclasses.dataclass(frozen=True)
class OrderView:
    """One sign-up as the sales pages show it."""

    id: int
    reference: str
    channel: str
    status: str
    customer_kind: str
    customer_name: str
    email: str
    phone: str
    sites: tuple[str, ...]  # one line each
    payment_method: str
    agent: str
    submitted_at: datetime.datetime
    signed_at: datetime.datetime | None
    closed_at: datetime.datetime | None
    close_reason: str
    exception_rule: str
    exception_message: str
    decided_by: str
    decided_at: datetime.datetime | None
    supplies: tuple[SupplyRow, ...]
    contract_id: int | None
    contract_status: str
    contract_issued_at: datetime.datetime | None
    signer_name: str
    signer_email: str
    reminders_sent: int


def _view(order: models.Order) -> OrderView:
    details = order.details or {}
    customer = details.get("customer", {})
    contract = getattr(order, "contract", None)
    sites = tuple(
        ", ".join(
            str(site.get(key))
            for key in ("address_line_1", "address_line_2", "town", "postcode")
            if site.get(key)
        )
        for site in details.get("sites", [])
    )
    names = _usernames({order.created_by_id} if order.created_by_id else set())
    return OrderView(
        id=order.id,
        reference=order.reference,
        channel=order.channel,
        status=order.status,
        customer_kind=order.customer_kind,
        customer_name=_customer_name(
            {
                "customer_kind": order.customer_kind,
                **{
                    f"details__customer__{k}": customer.get(k)
                    for k in ("title", "first_name", "last_name", "company_name")
                },
            }
        ),
        email=customer.get("email", ""),
        phone=customer.get("phone", ""),
        sites=sites,
        payment_method=order.payment_method,
        agent=names.get(order.created_by_id or 0, ""),
        submitted_at=order.submitted_at,
        signed_at=order.signed_at,
        closed_at=order.closed_at,
        close_reason=order.close_reason,
        exception_rule=order.exception_rule,
        exception_message=order.exception_message,
        decided_by=order.decided_by,
        decided_at=order.decided_at,
        supplies=tuple(
            SupplyRow(
                identifier=s.identifier,
                fuel=s.fuel,
                tariff_code=s.tariff_code,
                annual_kwh=f"{s.annual_kwh:,.0f}",
                registration=s.registration,
                registration_reason=s.registration_reason,
                supply_start_date=s.supply_start_date,
            )
            for s in sorted(order.supplies.all(), key=lambda s: s.position)
        ),
        contract_id=contract.id if contract else None,
        contract_status=contract.status if contract else "",
        contract_issued_at=contract.issued_at if contract else None,
        signer_name=contract.signer_name if contract else "",
        signer_email=contract.signer_email if contract else "",
        reminders_sent=contract.reminders_sent if contract else 0,
    )


def order_view(principal: Principal, *, reference: str) -> OrderView:
    """Return a sign-up ``principal`` may see (through the gate, ``order_for``), shaped
    for a page. Four queries.

    :raises NotFound: no such order, or ``principal`` may not see it (the same answer).
    """
    return _view(order_for(principal, reference=reference))


def exception_order(principal: Principal, *, reference: str) -> OrderView:
    """Return a sign-up for the admin team to decide (any order: a stopped one to proceed
    with or reject, a signed one to reverse).

    :raises NotAllowed: ``principal`` does not work the sales exceptions queue.
    :raises NotFound: no such order.
    """
    _require_exceptions(principal)
    return order_view(principal, reference=reference)
