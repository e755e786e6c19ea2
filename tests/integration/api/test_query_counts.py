"""Lists load with a fixed number of queries, however many items a page holds."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("path", "most"),
    [
        ("/customers", 5),  # token, customers, contacts, consents, priority needs
        ("/accounts", 3),  # token, accounts, agreements with tariff and meter point
        ("/sites", 2),
        ("/meter-points", 4),  # token, meter points, meters, registers
        ("/tariffs", 3),  # token, tariffs, rates
    ],
)
def test_a_list_page_costs_a_fixed_number_of_queries(api, path, most):
    with CaptureQueriesContext(connection) as queries:
        response = api.call("admin", "GET", f"{path}?limit=200")

    assert response.status_code == 200
    assert len(response.json()["items"]) >= 3
    assert len(queries) <= most, [q["sql"][:120] for q in queries]
