"""The API describes itself: the OpenAPI schema lists every operation's answers."""

from __future__ import annotations

import pytest
from django.test import Client

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def schema():
    response = Client().get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.json()


def _operations(schema):
    for path, methods in schema["paths"].items():
        for method, operation in methods.items():
            yield path, method, operation


def test_serves_every_resource(schema):
    paths = set(schema["paths"])

    for resource in ("customers", "accounts", "sites", "meter-points", "tariffs"):
        assert f"/api/v1/{resource}" in paths
        assert any(p.startswith(f"/api/v1/{resource}/{{") for p in paths), resource
    assert {"/api/v1/auth/token", "/api/v1/price-caps"} <= paths


# Open to anyone: signing in, and quotes (tariffs are public prices).
PUBLIC = {"/api/v1/auth/token", "/api/v1/quotes"}


def test_every_operation_declares_the_errors_it_can_answer(schema):
    for path, method, operation in _operations(schema):
        declared = set(operation["responses"])
        assert "422" in declared, (method, path)
        assert "401" in declared or path in PUBLIC, (method, path)
        if method in {"post", "patch"} and path not in PUBLIC:
            assert {"403", "404"} <= declared, (method, path)
        if method == "get" and "{" in path:
            assert "404" in declared, (method, path)


def test_errors_have_one_shape(schema):
    components = schema["components"]["schemas"]
    problem = components["ProblemOut"]["properties"]

    assert set(problem) == {"field", "rule", "message"}
    assert components["ValidationErrors"]["properties"]["detail"]["type"] == "array"
    assert components["Error"]["properties"]["detail"]["type"] == "string"


def test_pence_rates_are_strings_and_exit_fees_integers(schema):
    tariff = schema["components"]["schemas"]["TariffOut"]["properties"]

    assert tariff["standing_charge_pence_per_day"]["type"] == "string"
    assert tariff["exit_fee_pence"]["type"] == "integer"


def test_everything_but_the_public_endpoints_needs_a_bearer_token_or_session(schema):
    schemes = schema["components"]["securitySchemes"]

    assert {s["type"] for s in schemes.values()} == {"http", "apiKey"}
    for path, _method, operation in _operations(schema):
        assert bool(operation.get("security")) is (path not in PUBLIC), path


def test_the_docs_page_is_served():
    assert Client().get("/api/v1/docs").status_code == 200
