"""Back-office search benchmark: p50 and p95 latency of ``GET /customers/?q=<text>``,
the real page served by a real WSGI server on 127.0.0.1 (in a thread) to a signed-in
staff member, for searches by MPAN, by postcode and by name, beside the same lookup as one
bare SQL query (psycopg) measured in the same run. Goal: p95 under 20 ms at a million
customers.

    python bench/search.py --scale 100000 [--keep]
"""

from __future__ import annotations

import http.client
import io
import statistics
import threading
import time
import urllib.parse

import _harness

SEARCHES_PER_KIND = 300
WARM_UP = 50
RESULTS = 50  # the page shows this many

# The same lookups as the page, as one SQL query each: the floor.
_CUSTOMER_COLUMNS = "c.id, c.number, c.kind, c.title, c.first_name, c.last_name, c.company_name"
BARE_SQL = {
    "mpan": f"""
        SELECT {_CUSTOMER_COLUMNS} FROM customers_customer c
        WHERE c.id IN (
            SELECT a.customer_id FROM accounts_account a
            JOIN accounts_agreement g ON g.account_id = a.id
            JOIN metering_meterpoint m ON m.id = g.meter_point_id
            WHERE m.identifier = %s)
        ORDER BY c.id LIMIT {RESULTS}""",
    "postcode": f"""
        SELECT {_CUSTOMER_COLUMNS} FROM customers_customer c
        WHERE c.id IN (
            SELECT a.customer_id FROM accounts_account a
            JOIN accounts_agreement g ON g.account_id = a.id
            JOIN metering_meterpoint m ON m.id = g.meter_point_id
            JOIN properties_site s ON s.id = m.site_id
            WHERE s.postcode = %s)
        ORDER BY c.id LIMIT {RESULTS}""",
    "name": f"""
        SELECT {_CUSTOMER_COLUMNS} FROM customers_customer c
        WHERE c.search_name LIKE %s
        ORDER BY c.search_name, c.id LIMIT {RESULTS}""",
}


def _samples(dsn: str) -> dict[str, list[tuple[str, str]]]:
    """Return (what is typed, the floor query's parameter) for each kind of search, spread
    evenly over the book so caches are not flattered."""
    import psycopg

    picks = SEARCHES_PER_KIND + WARM_UP
    with psycopg.connect(dsn) as connection:
        top = connection.execute("SELECT max(id) FROM metering_meterpoint").fetchone()[0]
        step = max(top // (picks * 2), 1)
        mpans = connection.execute(
            "SELECT identifier FROM metering_meterpoint WHERE fuel = 'ELECTRICITY' "
            "AND id %% %s = 0 ORDER BY id LIMIT %s",
            [step, picks],
        ).fetchall()
        top = connection.execute("SELECT max(id) FROM properties_site").fetchone()[0]
        postcodes = connection.execute(
            "SELECT postcode FROM properties_site WHERE id %% %s = 0 ORDER BY id LIMIT %s",
            [max(top // picks, 1), picks],
        ).fetchall()
        top = connection.execute("SELECT max(id) FROM customers_customer").fetchone()[0]
        names = connection.execute(
            "SELECT last_name || ' ' || first_name FROM customers_customer "
            "WHERE kind = 'RESIDENTIAL' AND id %% %s = 0 ORDER BY id LIMIT %s",
            [max(top // (picks * 2), 1), picks],
        ).fetchall()
    return {
        "mpan": [(mpan, mpan) for (mpan,) in mpans],
        "postcode": [(postcode, postcode) for (postcode,) in postcodes],
        "name": [(name, name.lower() + "%") for (name,) in names],
    }


def _percentiles(seconds: list[float]) -> tuple[float, float]:
    cuts = statistics.quantiles([s * 1000 for s in seconds], n=100, method="inclusive")
    return cuts[49], cuts[94]


def _serve():
    """Start the Django WSGI app on 127.0.0.1 (a free port) in a thread; return the server.

    One server thread answers the requests in turn, so it keeps one database connection,
    as a production worker process does.
    """
    from django.core.handlers.wsgi import WSGIHandler
    from django.core.servers.basehttp import WSGIRequestHandler, WSGIServer

    class QuietHandler(WSGIRequestHandler):
        def log_message(self, *args: object) -> None:  # one line per request would swamp
            pass

    server = WSGIServer(("127.0.0.1", 0), QuietHandler)
    server.set_app(WSGIHandler())
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _session_cookie(username: str) -> str:
    from django.conf import settings
    from django.test import Client

    from kilowatt.identity import queries

    client = Client()
    client.force_login(queries.user_by_username(username=username))
    return f"{settings.SESSION_COOKIE_NAME}={client.cookies[settings.SESSION_COOKIE_NAME].value}"


def _page_seconds(port: int, cookie: str, text: str) -> float:
    started = time.perf_counter()
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
    connection.request(
        "GET", f"/customers/?{urllib.parse.urlencode({'q': text})}", headers={"Cookie": cookie}
    )
    response = connection.getresponse()
    body = response.read()
    elapsed = time.perf_counter() - started
    connection.close()
    if response.status != 200 or b"<html" not in body.lower():
        raise RuntimeError(f"GET /customers/?q={text} answered {response.status}")
    return elapsed


def _bare_seconds(dsn: str, kind: str, parameters: list[str]) -> list[float]:
    import psycopg

    times = []
    with psycopg.connect(dsn, autocommit=True) as connection:
        for parameter in parameters:
            started = time.perf_counter()
            connection.execute(BARE_SQL[kind], [parameter]).fetchall()
            times.append(time.perf_counter() - started)
    return times


def _ensure_book(scale: int) -> None:
    from django.core.management import call_command

    from kilowatt.demo import operations

    existing = operations.first_ids().customer - 1
    if existing < scale:
        print(f"search: seeding {scale - existing:,} customers first (not timed)")
        call_command("seed", customers=scale - existing, seed=1, stdout=io.StringIO())


def run(scale: int) -> list[_harness.Figure]:
    """Measure the page and the bare query for each kind of search; return the figures."""
    _ensure_book(scale)
    dsn = _harness.database_dsn()
    samples = _samples(dsn)
    server = _serve()
    port = server.server_address[1]
    cookie = _session_cookie("admin")
    figures = []
    try:
        for kind, pairs in samples.items():
            typed = [text for text, _parameter in pairs]
            for text in typed[:WARM_UP]:
                _page_seconds(port, cookie, text)
            page = [_page_seconds(port, cookie, text) for text in typed[WARM_UP:]]
            parameters = [parameter for _text, parameter in pairs]
            _bare_seconds(dsn, kind, parameters[:WARM_UP])
            bare = _bare_seconds(dsn, kind, parameters[WARM_UP:])
            page_p50, page_p95 = _percentiles(page)
            bare_p50, bare_p95 = _percentiles(bare)
            print(
                f"search by {kind}: {len(page)} searches through the page, "
                f"p50 {page_p50:.1f} ms, p95 {page_p95:.1f} ms "
                f"(bare SQL p50 {bare_p50:.2f} ms, p95 {bare_p95:.2f} ms)"
            )
            figures += [
                _harness.Figure(f"search_{kind}_p50", page_p50, "ms", bare_p50, scale, False),
                _harness.Figure(f"search_{kind}_p95", page_p95, "ms", bare_p95, scale, False),
            ]
    finally:
        server.shutdown()
        server.server_close()
    return figures


def main() -> None:
    args = _harness.arguments(__doc__.splitlines()[0])
    with _harness.throwaway_database(keep=args.keep, name=args.database) as url:
        _harness.set_up_django(url)
        _harness.report(run(args.scale))


if __name__ == "__main__":
    main()
