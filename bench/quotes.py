"""Quotes benchmark: quotes a second through ``sales.queries.quote`` and through
``POST /api/v1/quotes`` (Django's test client, the whole request cycle but no socket),
for home dual-fuel quotes spread over the 14 regions and both payment methods, on the
seeded book, beside a floor measured in the same run: the bare SQL that fetches the same
tariff and rate rows for each quote (psycopg, one query, no pricing).

    python bench/quotes.py --scale 100000 [--keep] [--database NAME]
"""

from __future__ import annotations

import io
import json
import time

import _harness

QUOTES = 2_000
WARM_UP = 200
# One postcode a region (its area is in the region), so the quotes visit every region.
POSTCODES = (
    "NR1 3JU", "NG1 5FS", "SW1A 1AA", "L1 8JQ", "B15 2TT", "NE1 7RU", "M1 1AE",
    "AB10 1XG", "EH1 1YZ", "BN1 1AE", "SO14 7DW", "CF10 1EP", "EX1 1HS", "LS1 4AP",
)  # fmt: skip
METHODS = ("DIRECT_DEBIT", "ON_RECEIPT")
LEVELS = ("LOW", "MEDIUM", "HIGH")

# The floor: the same tariff rows with their rates, one query a quote.
BARE_SQL = """
    SELECT t.id, t.code, t.name, t.fuel, t.region, t.kind, t.term_months, t.exit_fee_pence,
           t.standing_charge_pence_per_day, t.valid_from, t.valid_to, r.band,
           r.unit_rate_pence_per_kwh
    FROM accounts_tariff t JOIN accounts_tariffrate r ON r.tariff_id = t.id
    WHERE t.region = %s AND t.customer_kind = 'RESIDENTIAL' AND t.payment_method = %s
      AND t.valid_from <= %s AND (t.valid_to IS NULL OR t.valid_to > %s)
    ORDER BY t.id, r.band"""


def _cases(count: int) -> list[tuple[str, str, str]]:
    return [
        (POSTCODES[i % len(POSTCODES)], METHODS[(i // 14) % 2], LEVELS[(i // 28) % 3])
        for i in range(count)
    ]


def _body(postcode: str, method: str, level: str) -> dict:
    return {
        "customer_kind": "RESIDENTIAL",
        "payment_method": method,
        "sites": [
            {
                "postcode": postcode,
                "fuels": [{"fuel": "ELECTRICITY", "level": level}, {"fuel": "GAS", "level": level}],
            }
        ],
    }


def _ensure_book(scale: int) -> None:
    from django.core.management import call_command

    from kilowatt.demo import operations

    existing = operations.first_ids().customer - 1
    if existing < scale:
        print(f"quotes: seeding {scale - existing:,} customers first (not timed)")
        call_command("seed", customers=scale - existing, seed=1, stdout=io.StringIO())


def _per_second(count: int, seconds: float) -> float:
    return count / seconds if seconds else float("inf")


def _through_query(cases, today) -> float:
    from kilowatt.sales import queries
    from kilowatt.sales.domain.quotes import FuelUsage, QuoteRequest, SiteRequest

    def one(postcode: str, method: str, level: str) -> None:
        request = QuoteRequest(
            customer_kind="RESIDENTIAL",
            payment_method=method,
            sites=(
                SiteRequest(
                    postcode=postcode,
                    fuels=(FuelUsage("ELECTRICITY", level=level), FuelUsage("GAS", level=level)),
                ),
            ),
        )
        result = queries.quote(request=request, today=today)
        if not all(fuel.offers for fuel in result.sites[0].fuels):
            raise RuntimeError(f"no offers for {postcode} {method}: is the catalogue loaded?")

    for case in cases[:WARM_UP]:
        one(*case)
    started = time.perf_counter()
    for case in cases[WARM_UP:]:
        one(*case)
    return _per_second(len(cases) - WARM_UP, time.perf_counter() - started)


def _through_api(cases) -> float:
    from django.test import Client

    client = Client()

    def one(postcode: str, method: str, level: str) -> None:
        response = client.post(
            "/api/v1/quotes",
            data=json.dumps(_body(postcode, method, level)),
            content_type="application/json",
        )
        if response.status_code != 200:
            raise RuntimeError(f"POST /api/v1/quotes answered {response.status_code}")

    for case in cases[:WARM_UP]:
        one(*case)
    started = time.perf_counter()
    for case in cases[WARM_UP:]:
        one(*case)
    return _per_second(len(cases) - WARM_UP, time.perf_counter() - started)


def _bare(dsn: str, cases, today) -> float:
    import psycopg

    from kilowatt.sales.domain.regions import region_for_postcode

    with psycopg.connect(dsn, autocommit=True) as connection:
        for postcode, method, _level in cases[:WARM_UP]:
            region = region_for_postcode(postcode)
            connection.execute(BARE_SQL, [region, method, today, today]).fetchall()
        started = time.perf_counter()
        for postcode, method, _level in cases[WARM_UP:]:
            region = region_for_postcode(postcode)
            connection.execute(BARE_SQL, [region, method, today, today]).fetchall()
        return _per_second(len(cases) - WARM_UP, time.perf_counter() - started)


def run(scale: int) -> list[_harness.Figure]:
    """Measure quotes a second through the query and the API beside the bare SQL floor."""
    from kilowatt.platform import clock

    _ensure_book(scale)
    today = clock.today()
    cases = _cases(QUOTES + WARM_UP)
    floor = _bare(_harness.database_dsn(), cases, today)
    query = _through_query(cases, today)
    api = _through_api(cases)
    print(
        f"quotes: {QUOTES} home dual-fuel quotes over 14 regions: {query:,.0f}/s through the "
        f"query, {api:,.0f}/s through POST /api/v1/quotes (bare SQL floor {floor:,.0f}/s)"
    )
    return [
        _harness.Figure("quotes", query, "quotes/s", floor, scale, True),
        _harness.Figure("quotes_api", api, "quotes/s", floor, scale, True),
    ]


def main() -> None:
    args = _harness.arguments(__doc__.splitlines()[0])
    with _harness.throwaway_database(keep=args.keep, name=args.database) as url:
        _harness.set_up_django(url)
        _harness.report(run(args.scale))


if __name__ == "__main__":
    main()
