"""Public reads of accounts, agreements and tariffs, and the gate for sites and meter
points: a site or meter point is seen through the accounts that supply it.

Every read a person triggers takes their ``Principal``; the rule of who sees which
customer is ``customers.queries.visible_customers``, narrowed here.
"""

from __future__ import annotations

import dataclasses
import datetime
import re
from decimal import Decimal

import polars as pl
from django.db import connection
from django.db.models import Min, Prefetch, Q, QuerySet

from kilowatt import validation
from kilowatt.accounts import models
from kilowatt.accounts.domain.tariffs import TariffDetails
from kilowatt.customers import queries as customer_queries
from kilowatt.identity.domain.roles import Principal, Reach
from kilowatt.metering import queries as metering_queries
from kilowatt.platform import audit, frames
from kilowatt.platform.errors import NotAllowed, NotFound
from kilowatt.platform.periods import LONDON, DatePeriod, london_date
from kilowatt.properties import queries as property_queries


def trail_key(account_id: int) -> str:
    """Return the audit trail key of an account (its agreements are recorded there too)."""
    return f"account:{account_id}"


# --- accounts -------------------------------------------------------------------------


def visible_accounts(principal: Principal) -> QuerySet[models.Account]:
    """Return the accounts of the customers ``principal`` may see."""
    accounts = models.Account.objects.all()
    if principal.reach is Reach.ALL:
        return accounts
    return accounts.filter(customer_id__in=customer_queries.visible_customer_ids(principal))


def _with_agreements(accounts: QuerySet[models.Account]) -> QuerySet[models.Account]:
    return accounts.prefetch_related(
        Prefetch(
            "agreements",
            queryset=models.Agreement.objects.select_related("tariff", "meter_point").order_by(
                "valid_from", "id"
            ),
        )
    )


def account_for(principal: Principal, *, number: str) -> models.Account:
    """Return one account with its agreements and their tariffs.

    :raises NotFound: no such account, or ``principal`` may not see it.
    """
    account = _with_agreements(visible_accounts(principal)).filter(number=number.upper()).first()
    if account is None:
        raise NotFound(f"account {number}")
    return account


def accounts_page(
    principal: Principal,
    *,
    customer_id: int | None = None,
    customer_number: str | None = None,
    status: str | None = None,
    after_id: int = 0,
    limit: int = 50,
) -> list[models.Account]:
    """Return one page of visible accounts in id order (keyset pagination)."""
    accounts = visible_accounts(principal).filter(id__gt=after_id)
    if customer_id is not None:
        accounts = accounts.filter(customer_id=customer_id)
    if customer_number:
        accounts = accounts.filter(customer__number=customer_number.strip().upper())
    if status:
        accounts = accounts.filter(status=status.upper())
    return list(_with_agreements(accounts.order_by("id")[:limit]))


# --- sites and meter points, seen through accounts -------------------------------------


def visible_meter_point_ids(principal: Principal) -> QuerySet | None:
    """Return the ids of the meter points ``principal`` may see, or None for all of them."""
    if principal.reach is Reach.ALL:
        return None
    return models.Agreement.objects.filter(
        account_id__in=visible_accounts(principal).values("id")
    ).values("meter_point_id")


def visible_site_ids(principal: Principal) -> QuerySet | None:
    """Return the ids of the sites ``principal`` may see, or None for all of them."""
    point_ids = visible_meter_point_ids(principal)
    if point_ids is None:
        return None
    return metering_queries.site_ids_of_meter_points(meter_point_ids=point_ids)


def site_for(principal: Principal, *, site_id: int):
    """Return a site ``principal`` may see.

    :raises NotFound: no such site, or ``principal`` may not see it.
    """
    allowed = visible_site_ids(principal)
    if allowed is not None and not allowed.filter(site_id=site_id).exists():
        raise NotFound(f"site {site_id}")
    return property_queries.site_by_id(site_id=site_id)


def sites_page(
    principal: Principal, *, postcode: str | None = None, after_id: int = 0, limit: int = 50
):
    """Return one page of visible sites in id order, optionally at one postcode."""
    return property_queries.sites_page(
        ids=visible_site_ids(principal),
        postcode=validation.normalise_postcode(postcode) if postcode else None,
        after_id=after_id,
        limit=limit,
    )


def meter_point_for(principal: Principal, *, identifier: str):
    """Return a meter point (MPAN or MPRN) ``principal`` may see, with meters and registers.

    :raises NotFound: no such meter point, or ``principal`` may not see it.
    """
    point = metering_queries.meter_point_by_identifier(identifier=identifier)
    allowed = visible_meter_point_ids(principal)
    if allowed is not None and not allowed.filter(meter_point_id=point.id).exists():
        raise NotFound(f"meter point {identifier}")
    return point


def own_supply_periods(principal: Principal, *, meter_point_id: int) -> list[DatePeriod]:
    """Return the periods over which the accounts ``principal`` may see supplied a meter
    point (a customer who moved out sees only their own time there)."""
    return [
        DatePeriod(start, end)
        for start, end in models.Agreement.objects.filter(
            meter_point_id=meter_point_id, account_id__in=visible_accounts(principal).values("id")
        )
        .order_by("valid_from", "id")
        .values_list("valid_from", "valid_to")
    ]


def reads_for(principal: Principal, *, identifier: str, limit: int = 100) -> list:
    """Return the reads of a meter point ``principal`` may see, newest first. A customer
    sees only the reads from their own supply there, not the next occupant's.

    :raises NotFound: no such meter point, or ``principal`` may not see it.
    """
    point = meter_point_for(principal, identifier=identifier)
    rows = metering_queries.reads_of_meter_point(meter_point_id=point.id, limit=limit)
    if principal.reach is not Reach.OWN:
        return rows
    periods = own_supply_periods(principal, meter_point_id=point.id)
    return [
        row for row in rows if any(period.contains(london_date(row.read_at)) for period in periods)
    ]


def read_photo_for(principal: Principal, *, identifier: str, read_id: int):
    """Return the photo given with a read of a meter point ``principal`` may see (a
    customer: of a read from their own supply there).

    :raises NotFound: no such meter point or photo, ``principal`` may not see it, or the
        read is not of that meter point.
    """
    point = meter_point_for(principal, identifier=identifier)
    photo = metering_queries.read_photo(read_id=read_id, meter_point_id=point.id)
    if principal.reach is Reach.OWN:
        periods = own_supply_periods(principal, meter_point_id=point.id)
        if not any(period.contains(london_date(photo.read_at)) for period in periods):
            raise NotFound(f"photo of read {read_id}")
    return photo


def meter_points_page(
    principal: Principal,
    *,
    fuel: str | None = None,
    region: str | None = None,
    site_id: int | None = None,
    after_id: int = 0,
    limit: int = 50,
):
    """Return one page of visible meter points in id order, optionally filtered."""
    return metering_queries.meter_points_page(
        ids=visible_meter_point_ids(principal),
        fuel=fuel,
        region=region,
        site_id=site_id,
        after_id=after_id,
        limit=limit,
    )


# --- tariffs and the price cap: product data any signed-in person may read --------------


def tariffs_page(
    *,
    region: str | None = None,
    fuel: str | None = None,
    customer_kind: str | None = None,
    payment_method: str | None = None,
    on_sale_on: datetime.date | None = None,
    after_id: int = 0,
    limit: int = 50,
) -> list[models.Tariff]:
    """Return one page of tariffs in id order, optionally filtered."""
    tariffs = models.Tariff.objects.filter(id__gt=after_id)
    for field, value in (
        ("region", region),
        ("fuel", fuel),
        ("customer_kind", customer_kind),
        ("payment_method", payment_method),
    ):
        if value:
            tariffs = tariffs.filter(**{field: value.upper() if field != "region" else value})
    if on_sale_on is not None:
        tariffs = tariffs.filter(valid_from__lte=on_sale_on).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gt=on_sale_on)
        )
    return list(
        tariffs.prefetch_related(
            Prefetch("rates", queryset=models.TariffRate.objects.order_by("band"))
        ).order_by("id")[:limit]
    )


def tariff_for(*, code: str) -> models.Tariff:
    """Return a tariff with its rates.

    :raises NotFound: no such tariff.
    """
    tariff = (
        models.Tariff.objects.prefetch_related(
            Prefetch("rates", queryset=models.TariffRate.objects.order_by("band"))
        )
        .filter(code=code)
        .first()
    )
    if tariff is None:
        raise NotFound(f"tariff {code}")
    return tariff


def price_cap_in_force(
    *, region: str, fuel: str, payment_method: str, on: datetime.date
) -> models.PriceCap | None:
    """Return the price cap in force on a day for a region, fuel and payment method."""
    return (
        models.PriceCap.objects.filter(
            region=region, fuel=fuel, payment_method=payment_method, valid_from__lte=on
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
        .order_by("-valid_from")
        .first()
    )


# --- the back office's customer search and customer view ------------------------------

_ACCOUNT_NUMBER = re.compile(r"\AA\d{8}\Z")
_CUSTOMER_NUMBER = re.compile(r"\AC\d{8}\Z")


@dataclasses.dataclass(frozen=True)
class SearchResult:
    matched_by: str  # "account number", "MPAN", "MPRN", "postcode", "name", ...
    customers: list


def _customers_supplying(principal: Principal, meter_point_ids: QuerySet, limit: int) -> list:
    # One query: the customers of the accounts with an agreement at these meter points,
    # through the gate. The results list shows the customers' own fields only, so no
    # contacts, consents or priority needs are fetched.
    customer_ids = models.Account.objects.filter(
        agreements__meter_point_id__in=meter_point_ids
    ).values("customer_id")
    return customer_queries.customers_by_ids(principal, ids=customer_ids, limit=limit)


def search_customers(principal: Principal, *, text: str, limit: int = 50) -> SearchResult:
    """Find the visible customers a search box entry means: an account or customer
    number, an MPAN, an MPRN, a postcode, or the start of a name (surname first)."""
    compact = re.sub(r"[\s-]", "", text).upper()
    if not compact:
        return SearchResult(matched_by="nothing", customers=[])
    if _ACCOUNT_NUMBER.match(compact):
        ids = models.Account.objects.filter(number=compact).values("customer_id")
        return SearchResult(
            "account number", customer_queries.customers_by_ids(principal, ids=ids, limit=limit)
        )
    if _CUSTOMER_NUMBER.match(compact):
        customers = customer_queries.visible_customers(principal).filter(number=compact)
        return SearchResult("customer number", list(customers))
    if (compact.isdigit() and len(compact) == 13) or (len(compact) == 21 and compact[:2].isdigit()):
        points = metering_queries.meter_point_ids_for_identifier(identifier=compact)
        return SearchResult("MPAN", _customers_supplying(principal, points, limit))
    if compact.isdigit() and 6 <= len(compact) <= 10:
        points = metering_queries.meter_point_ids_for_identifier(identifier=compact)
        return SearchResult("MPRN", _customers_supplying(principal, points, limit))
    if validation.is_valid_postcode(text):
        sites = property_queries.site_ids_at_postcode(postcode=validation.normalise_postcode(text))
        points = metering_queries.meter_point_ids_at_sites(site_ids=sites)
        return SearchResult("postcode", _customers_supplying(principal, points, limit))
    return SearchResult("name", customer_queries.customers_named(principal, text=text, limit=limit))


@dataclasses.dataclass(frozen=True)
class CustomerView:
    """Everything the back office shows on one customer's page."""

    customer: object
    accounts: list
    meter_points: dict  # id -> MeterPoint (with meters and registers)
    sites: dict  # id -> Site
    trail: list[audit.AuditRecord]
    reads: dict = dataclasses.field(default_factory=dict)  # meter point id -> newest ReadRows


READS_PER_METER_POINT = 5


def _supply_periods(
    accounts: list[models.Account],
) -> dict[int, list[tuple[datetime.datetime, datetime.datetime | None]]]:
    """Return, per meter point, the customer's own periods there as moments ``[from,
    to)`` (to None: still open), one per agreement: the reads that are theirs."""
    periods: dict[int, list[tuple[datetime.datetime, datetime.datetime | None]]] = {}
    for account in accounts:
        for agreement in account.agreements.all():
            periods.setdefault(agreement.meter_point_id, []).append(
                (
                    _london_midnight(agreement.valid_from),
                    None if agreement.valid_to is None else _london_midnight(agreement.valid_to),
                )
            )
    return periods


def _own_latest_reads(
    periods: dict[int, list[tuple[datetime.datetime, datetime.datetime | None]]],
    *,
    per_meter_point: int,
) -> dict[int, list]:
    """Return the newest reads of each meter point from the customer's own periods there,
    in one query: fetched over the span from the first period's start to the last one's
    end, then kept only inside a period (a customer who left and came back does not see
    whoever lived there in between)."""
    windows = {
        point_id: (
            min(start for start, _ in spans),
            None if any(end is None for _, end in spans) else max(e for _, e in spans if e),
        )
        for point_id, spans in periods.items()
    }
    fetched = metering_queries.latest_reads_of_meter_points(
        windows=windows, per_meter_point=per_meter_point
    )
    return {
        point_id: [
            row
            for row in rows
            if any(
                start <= row.read_at and (end is None or row.read_at < end)
                for start, end in periods[point_id]
            )
        ]
        for point_id, rows in fetched.items()
    }


def _london_midnight(day: datetime.date) -> datetime.datetime:
    return datetime.datetime.combine(day, datetime.time(), tzinfo=LONDON)


def customer_view(principal: Principal, *, number: str) -> CustomerView:
    """Return a customer with accounts, agreements, meter points, sites, the newest reads
    of each meter point from the customer's time there (``READS_PER_METER_POINT``, one
    query for all), and the audit trail.

    :raises NotFound: no such customer, or ``principal`` may not see it.
    """
    customer = customer_queries.customer_for(principal, number=number)
    accounts = list(
        _with_agreements(models.Account.objects.filter(customer_id=customer.id)).order_by("id")
    )
    point_ids = sorted({a.meter_point_id for account in accounts for a in account.agreements.all()})
    points = {p.id: p for p in metering_queries.meter_points_by_ids(ids=point_ids)}
    sites = {
        s.id: s
        for s in property_queries.sites_by_ids(ids=sorted({p.site_id for p in points.values()}))
    }
    trails = [customer_queries.trail_key(customer.id)]
    trails += [trail_key(account.id) for account in accounts]
    trails += [metering_queries.trail_key(point_id) for point_id in points]
    trails += [property_queries.trail_key(site_id) for site_id in sites]
    return CustomerView(
        customer=customer,
        accounts=accounts,
        meter_points=points,
        sites=sites,
        trail=audit.trail_for(trails=trails),
        reads=_own_latest_reads(_supply_periods(accounts), per_meter_point=READS_PER_METER_POINT),
    )


# --- a customer's own meter points, for the page where they give readings ---------------

READS_ON_OWN_PAGE = 24


@dataclasses.dataclass(frozen=True)
class OwnMeterPoint:
    """A meter point one of a customer's accounts supplies today."""

    meter_point: object  # MeterPoint, with its meters and their registers
    site: object  # Site
    account_number: str
    reads: list  # ReadRows, newest first, from the customer's own time there


def own_meter_points(
    principal: Principal, *, today: datetime.date, reads_per_meter_point: int = READS_ON_OWN_PAGE
) -> list[OwnMeterPoint]:
    """Return the meter points a customer's own accounts supply on ``today`` (in the order
    their accounts were opened and their agreements began), each with its site and its
    newest reads from the customer's own time there (``reads_per_meter_point``, one query
    for all). A fixed number of queries, however many meter points and reads.

    :raises NotAllowed: ``principal`` is not a customer (staff, who reach customers
        rather than own meter points, or an anonymous visitor).
    """
    if principal.reach is not Reach.OWN:
        raise NotAllowed(f"{principal.username} has no meter points of their own")
    accounts = list(_with_agreements(visible_accounts(principal)).order_by("id"))
    supplied: dict[int, str] = {}  # meter point id -> the account supplying it today
    for account in accounts:
        for agreement in account.agreements.all():
            if DatePeriod(agreement.valid_from, agreement.valid_to).contains(today):
                supplied.setdefault(agreement.meter_point_id, account.number)
    if not supplied:
        return []
    points = {p.id: p for p in metering_queries.meter_points_by_ids(ids=list(supplied))}
    sites = {
        s.id: s
        for s in property_queries.sites_by_ids(ids=sorted({p.site_id for p in points.values()}))
    }
    periods = {
        point_id: spans
        for point_id, spans in _supply_periods(accounts).items()
        if point_id in supplied
    }
    reads = _own_latest_reads(periods, per_meter_point=reads_per_meter_point)
    return [
        OwnMeterPoint(
            meter_point=points[point_id],
            site=sites[points[point_id].site_id],
            account_number=account_number,
            reads=reads.get(point_id, []),
        )
        for point_id, account_number in supplied.items()
    ]


# -- Frames for the bill run (set-based reads of a range of accounts) -------------------
# A bill run reads a chunk of thousands of accounts in a few queries; these return frames
# (Polars) rather than models. The customer's kind is joined in SQL (a read of the
# customers' table for a batch, the way the search's chain reads it), not fetched per row.


def billing_accounts_frame(
    *, first_account_id: int, last_account_id: int, bill_day: int | None
) -> pl.DataFrame:
    """Return the active accounts with ids in ``[first, last]`` billed on ``bill_day``
    (with ``bill_day=None``: every account in the range, whatever its status, as a
    re-bill or a final bill needs): ``account_id``, ``number``, ``customer_kind``,
    ``is_micro``, ``bill_delivery``, ``bill_cycle``, ``opened_at``, ``first_supply``
    (their earliest agreement) and ``supply_end`` (the end of their last agreement, null
    while one is open-ended)."""
    due = "AND a.status = 'ACTIVE' AND a.bill_day = %s" if bill_day is not None else ""
    return frames.read_frame(
        f"""SELECT a.id, a.number, c.kind, c.is_micro_business, a.bill_delivery, a.bill_cycle,
                  a.created_at,
                  (SELECT MIN(g.valid_from) FROM accounts_agreement g WHERE g.account_id = a.id),
                  (SELECT CASE WHEN COUNT(*) = COUNT(g.valid_to) THEN MAX(g.valid_to) END
                   FROM accounts_agreement g WHERE g.account_id = a.id)
           FROM accounts_account a JOIN customers_customer c ON c.id = a.customer_id
           WHERE a.id BETWEEN %s AND %s {due}""",
        [first_account_id, last_account_id, *([bill_day] if bill_day is not None else [])],
        {
            "account_id": pl.Int64,
            "number": pl.String,
            "customer_kind": pl.String,
            "is_micro": pl.Boolean,
            "bill_delivery": pl.String,
            "bill_cycle": pl.String,
            "opened_at": pl.Datetime,
            "first_supply": pl.Date,
            "supply_end": pl.Date,
        },
    )


def due_account_ids(*, bill_day: int) -> list[int]:
    """Return the ids of the active accounts billed on ``bill_day``, in order."""
    return list(
        models.Account.objects.filter(status=models.Account.Status.ACTIVE, bill_day=bill_day)
        .order_by("id")
        .values_list("id", flat=True)
    )


def billing_prices_frame(
    *, first_account_id: int, last_account_id: int, since: datetime.date, until: datetime.date
) -> pl.DataFrame:
    """Return the agreements of accounts ``[first, last]`` in force at some time in
    ``[since, until)``, with their meter point and tariff: ``account_id``,
    ``meter_point_id``, ``meter_point``, ``fuel``, ``valid_from``, ``valid_to``,
    ``tariff_id``, ``tariff_code``, ``standing_charge`` (p/day, decimal text)."""
    return frames.read_frame(
        """SELECT g.account_id, g.meter_point_id, p.identifier, p.fuel, g.valid_from,
                  g.valid_to, g.tariff_id, t.code, t.standing_charge_pence_per_day
           FROM accounts_agreement g
           JOIN metering_meterpoint p ON p.id = g.meter_point_id
           JOIN accounts_tariff t ON t.id = g.tariff_id
           WHERE g.account_id BETWEEN %s AND %s AND g.valid_from < %s
             AND (g.valid_to IS NULL OR g.valid_to > %s)""",
        [first_account_id, last_account_id, until, since],
        {
            "account_id": pl.Int64,
            "meter_point_id": pl.Int64,
            "meter_point": pl.String,
            "fuel": pl.String,
            "valid_from": pl.Date,
            "valid_to": pl.Date,
            "tariff_id": pl.Int64,
            "tariff_code": pl.String,
            "standing_charge": pl.String,
        },
    )


def tariff_rates_frame() -> pl.DataFrame:
    """Return every tariff's unit rates: ``tariff_id``, ``band``, ``rate`` (p/kWh text)."""
    return frames.read_frame(
        "SELECT tariff_id, band, unit_rate_pence_per_kwh FROM accounts_tariffrate",
        [],
        {"tariff_id": pl.Int64, "band": pl.String, "rate": pl.String},
    )


def account_ids_supplying(*, meter_point_id: int, on: datetime.date) -> list[int]:
    """Return the accounts whose agreements supplied the meter point on a day (the day's
    end counts: a bill's period ends on the day of its closing read)."""
    return list(
        models.Agreement.objects.filter(meter_point_id=meter_point_id, valid_from__lt=on)
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gte=on))
        .values_list("account_id", flat=True)
        .distinct()
    )


def supply_ended_on(*, account_id: int) -> datetime.date | None:
    """Return the day an account's supply ended (its last agreement's end), or None while
    any agreement is open-ended."""
    ends = list(
        models.Agreement.objects.filter(account_id=account_id).values_list("valid_to", flat=True)
    )
    known = [end for end in ends if end is not None]
    if not ends or len(known) < len(ends):
        return None
    return max(known)


def meter_point_ids_of_account(*, account_id: int) -> list[int]:
    """Return the meter points an account has ever supplied, in order."""
    return sorted(
        set(
            models.Agreement.objects.filter(account_id=account_id).values_list(
                "meter_point_id", flat=True
            )
        )
    )


def accounts_with_supply_ended(*, before: datetime.date) -> QuerySet:
    """Return (as a query of ids, for the caller to narrow further) the accounts none of
    whose agreements is open or ends after ``before``: their supply has ended."""
    open_or_later = models.Agreement.objects.filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=before)
    ).values("account_id")
    return (
        models.Account.objects.filter(agreements__isnull=False)
        .exclude(id__in=open_or_later)
        .values_list("id", flat=True)
        .distinct()
    )


def first_supplies(*, before: datetime.date) -> list[tuple[int, datetime.date]]:
    """Return ``(account id, first day supplied)`` for the accounts supplied before a
    day, in account order."""
    return list(
        models.Agreement.objects.values("account_id")
        .annotate(first=Min("valid_from"))
        .filter(first__lt=before)
        .order_by("account_id")
        .values_list("account_id", "first")
    )


def identifiers_supplied(
    *, identifiers: list[str], on: datetime.date, occupiers: bool = True
) -> set[str]:
    """Return which of these meter points (stored identifiers) we supply on a day or
    have agreed to supply from a later one (``occupiers=False``: under a contract, not
    an occupier's deemed one)."""
    agreements = models.Agreement.objects.filter(meter_point__identifier__in=identifiers).filter(
        Q(valid_to__isnull=True) | Q(valid_to__gt=on)
    )
    if not occupiers:
        agreements = agreements.filter(account__is_occupier=False)
    return set(agreements.values_list("meter_point__identifier", flat=True))


def occupier_agreements(*, identifiers: list[str], on: datetime.date) -> dict[str, int]:
    """Return, by meter point, the occupiers' agreements open on a day or after it."""
    return dict(
        models.Agreement.objects.filter(
            meter_point__identifier__in=identifiers, account__is_occupier=True
        )
        .filter(Q(valid_to__isnull=True) | Q(valid_to__gt=on))
        .values_list("meter_point__identifier", "id")
    )


_RATE_PLACES = Decimal("0.0001")  # as the tariff columns keep them


def tariffs_on_sale(
    *,
    customer_kind: str,
    payment_method: str,
    regions: set[str],
    fuels: set[str],
    on: datetime.date,
) -> list[TariffDetails]:
    """Return every tariff on sale on a day for a customer kind and payment method in
    these regions and fuels, with its unit rates, from one query (a quote asks this on
    every request, so it is a plain join read as tuples, not model instances)."""
    if not regions or not fuels:
        return []
    # Plain SQL: building the ORM's query cost more than running it (a quote is ~1 ms).
    # Decimals and dates travel as text, so SQLite (which has neither) gives them exactly.
    region_marks = ", ".join(["%s"] * len(regions))
    fuel_marks = ", ".join(["%s"] * len(fuels))
    sql = f"""
        SELECT t.id, t.code, t.name, t.fuel, t.region, t.kind,
               CAST(t.standing_charge_pence_per_day AS TEXT), CAST(t.valid_from AS TEXT),
               CAST(t.valid_to AS TEXT), t.term_months, t.exit_fee_pence, r.band,
               CAST(r.unit_rate_pence_per_kwh AS TEXT)
        FROM {models.Tariff._meta.db_table} t
        JOIN {models.TariffRate._meta.db_table} r ON r.tariff_id = t.id
        WHERE t.customer_kind = %s AND t.payment_method = %s
          AND t.region IN ({region_marks}) AND t.fuel IN ({fuel_marks})
          AND t.valid_from <= %s AND (t.valid_to IS NULL OR t.valid_to > %s)
        ORDER BY t.id, r.band"""
    with connection.cursor() as cursor:
        cursor.execute(
            sql,
            [customer_kind, payment_method, *sorted(regions), *sorted(fuels), on, on],
        )
        rows = cursor.fetchall()
    found: list[TariffDetails] = []
    rates: dict[int, list[tuple[str, Decimal]]] = {}
    for (
        tariff_id,
        code,
        name,
        fuel,
        region,
        kind,
        standing,
        start,
        end,
        term,
        exit_fee,
        band,
        rate,
    ) in rows:
        if tariff_id not in rates:
            rates[tariff_id] = []
            found.append(
                TariffDetails(
                    code=code,
                    name=name,
                    fuel=fuel,
                    region=region,
                    customer_kind=customer_kind,
                    payment_method=payment_method,
                    kind=kind,
                    standing_charge_pence_per_day=Decimal(standing).quantize(_RATE_PLACES),
                    unit_rates=(),
                    valid_from=datetime.date.fromisoformat(start),
                    valid_to=datetime.date.fromisoformat(end) if end else None,
                    term_months=term,
                    exit_fee_pence=exit_fee,
                )
            )
        rates[tariff_id].append((band, Decimal(rate).quantize(_RATE_PLACES)))
    ids = list(rates)
    return [
        dataclasses.replace(details, unit_rates=tuple(rates[tariff_id]))
        for tariff_id, details in zip(ids, found, strict=True)
    ]


def account_ids_supplying_from(*, meter_point_ids: list[int], since: datetime.date) -> set[int]:
    """Return the accounts with an agreement at any of these meter points starting on or
    after ``since`` (a new occupier's own sign-up after a move in, say)."""
    return set(
        models.Agreement.objects.filter(meter_point_id__in=meter_point_ids, valid_from__gte=since)
        .values_list("account_id", flat=True)
        .distinct()
    )


def agreement_by_id(*, agreement_id: int) -> models.Agreement:
    """Return an agreement by id (for operations acting as the system).

    :raises NotFound: no such agreement.
    """
    agreement = models.Agreement.objects.filter(id=agreement_id).first()
    if agreement is None:
        raise NotFound(f"agreement {agreement_id}")
    return agreement
