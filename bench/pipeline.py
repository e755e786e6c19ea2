"""Sales pipeline benchmark: p50 and p95 latency of ``GET /sales/pipeline/``, a regional
sales manager's page over 10,000 pending sign-ups of their twenty agents (beside another
manager's 5,000, which the page must not see), through Django's test client (the whole
request cycle but no socket), beside a floor measured in the same run: the bare SQL of
the page's list (psycopg, one query). Goal: p95 under 300 ms.

The sign-ups are loaded set-based (``bulk_create``) as they stand after submission, not
through ``submit_order``: the page's cost is in reading them.

    python bench/pipeline.py --scale 1000 [--keep] [--database NAME]
"""

from __future__ import annotations

import datetime
import os
import statistics
import time

import _harness

PENDING = 10_000  # the manager's agents' open sign-ups
NOISE = 5_000  # another manager's
AGENTS = 20
REQUESTS = 50
WARM_UP = 5

# The page's list as one query: the floor.
BARE_SQL = """
    SELECT o.id, o.reference, o.channel, o.status, o.customer_kind, o.region, o.created_by_id,
           o.submitted_at, o.signed_at, o.exception_rule, o.exception_message,
           o.details -> 'customer' ->> 'first_name', o.details -> 'customer' ->> 'last_name',
           o.details -> 'sites' -> 0 ->> 'postcode'
    FROM sales_order o
    WHERE o.created_by_id = ANY(%s) AND o.status IN ('EXCEPTION', 'AWAITING_SIGNATURE', 'SIGNED')
    ORDER BY o.submitted_at, o.id
    LIMIT 51"""


def _people(tag: str):
    from kilowatt.identity import operations as identity_operations
    from kilowatt.identity.domain.roles import Role

    def user(name: str, role: Role, manager_id: int | None = None):
        return identity_operations.create_user(
            username=f"{name}-{tag}", password="bench-only", role=role, manager_id=manager_id
        )

    manager = user("manager", Role.SALES_MANAGER)
    other = user("other-manager", Role.SALES_MANAGER)
    agents = [user(f"agent{n:02d}", Role.AGENT, manager.id) for n in range(AGENTS)]
    others = [user(f"other-agent{n:02d}", Role.AGENT, other.id) for n in range(AGENTS)]
    return manager, [a.id for a in agents], [a.id for a in others]


def _load(tag: str, agents: list[int], others: list[int], now: datetime.datetime) -> None:
    """Insert the sign-ups in batches: 1 in 20 stopped by a rule, the rest awaiting
    signature, entered over the last sixty days."""
    from kilowatt.sales import models

    def order(n: int, agent: int) -> models.Order:
        stopped = n % 20 == 0
        return models.Order(
            reference=f"B{tag[-3:]}{n:08d}"[:12],
            channel="AGENT",
            customer_kind="RESIDENTIAL",
            status="EXCEPTION" if stopped else "AWAITING_SIGNATURE",
            request_sha256="0" * 64,
            details={
                "customer": {"title": "Ms", "first_name": "Ada", "last_name": f"Bench{n}"},
                "sites": [{"address_line_1": f"{n} Test Street", "postcode": "SW1A 2AA"}],
            },
            payment_method="DIRECT_DEBIT",
            region="12",
            created_by_id=agent,
            submitted_at=now - datetime.timedelta(minutes=(n * 8) % (60 * 24 * 60)),
            exception_rule="mprn_check_digits" if stopped else "",
            exception_message="MPRN fails its check digits" if stopped else "",
        )

    batch = []
    for n in range(PENDING + NOISE):
        owners = agents if n < PENDING else others
        batch.append(order(n, owners[n % len(owners)]))
        if len(batch) == 2_000:
            models.Order.objects.bulk_create(batch)
            batch = []
    if batch:
        models.Order.objects.bulk_create(batch)


def _percentiles(seconds: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles([s * 1000 for s in seconds], n=100, method="inclusive")
    return cuts[49], cuts[94]


def _page_times(manager) -> list[float]:
    from django.test import Client

    client = Client()
    client.force_login(manager)
    paths = ["/sales/pipeline/", "/sales/pipeline/?stuck=1", "/sales/pipeline/?status=EXCEPTION"]
    times = []
    for n in range(WARM_UP + REQUESTS):
        path = paths[n % len(paths)] if n >= WARM_UP else paths[0]
        started = time.perf_counter()
        response = client.get(path)
        elapsed = time.perf_counter() - started
        if response.status_code != 200 or b"pipeline-rows" not in response.content:
            raise RuntimeError(f"GET {path} answered {response.status_code}")
        if n >= WARM_UP:
            times.append(elapsed)
    return times


def _bare_times(dsn: str, agents: list[int]) -> tuple[list[float], str]:
    import psycopg

    times = []
    with psycopg.connect(dsn, autocommit=True) as connection:
        connection.execute("ANALYZE sales_order")
        plan = "\n".join(
            row[0] for row in connection.execute("EXPLAIN ANALYZE " + BARE_SQL, [agents])
        )
        for n in range(WARM_UP + REQUESTS):
            started = time.perf_counter()
            connection.execute(BARE_SQL, [agents]).fetchall()
            if n >= WARM_UP:
                times.append(time.perf_counter() - started)
    return times, plan


def run(scale: int) -> list[_harness.Figure]:
    """Load the sign-ups (not timed), then time the page and its bare query."""
    from django.utils import timezone

    tag = f"{os.getpid()}{int(time.time()) % 1000:03d}"
    manager, agents, others = _people(tag)
    started = time.perf_counter()
    _load(tag, agents, others, timezone.now())
    print(
        f"pipeline: loaded {PENDING:,} pending sign-ups of {AGENTS} agents and {NOISE:,} of "
        f"another manager's in {time.perf_counter() - started:.1f} s (not timed)"
    )
    page = _page_times(manager)
    bare, plan = _bare_times(_harness.database_dsn(), agents)
    page_p50, page_p95 = _percentiles(page)
    bare_p50, bare_p95 = _percentiles(bare)
    print("pipeline: the page's list, as PostgreSQL runs it:")
    print("\n".join(f"    {line}" for line in plan.splitlines()))
    print(
        f"pipeline page: {len(page)} requests, p50 {page_p50:.1f} ms, p95 {page_p95:.1f} ms "
        f"(bare SQL p50 {bare_p50:.2f} ms, p95 {bare_p95:.2f} ms); goal p95 under 300 ms"
    )
    return [
        _harness.Figure("pipeline_page_p50", page_p50, "ms", bare_p50, scale, False),
        _harness.Figure("pipeline_page", page_p95, "ms", bare_p95, scale, False),
    ]


def main() -> None:
    args = _harness.arguments(__doc__.splitlines()[0])
    with _harness.throwaway_database(keep=args.keep, name=args.database) as url:
        _harness.set_up_django(url)
        _harness.report(run(args.scale))


if __name__ == "__main__":
    main()
