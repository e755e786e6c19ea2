"""The HTTP API: one NinjaAPI, versioned under /api/v1/, mounting each context's router.

Every endpoint but ``POST /auth/token`` needs a bearer token or a signed-in session.
The contexts' errors become one shape here: ``InvalidInput`` and schema failures 422
``{"detail": [{"field", "rule", "message"}]}``, ``NotFound`` 404 and ``NotAllowed`` 403
``{"detail": "..."}``, with the same words for missing and not yours.
"""

from __future__ import annotations

from django.core.exceptions import RequestDataTooBig
from django.http import HttpRequest, HttpResponse
from ninja import NinjaAPI
from ninja.errors import ValidationError

from kilowatt.accounts.interfaces.api import router as accounts_router
from kilowatt.cases.interfaces.api import router as cases_router
from kilowatt.customers.interfaces.api import router as customers_router
from kilowatt.identity.interfaces.api import BearerToken, SessionLogin
from kilowatt.identity.interfaces.api import router as identity_router
from kilowatt.metering.interfaces.api import router as metering_router
from kilowatt.platform.api import NOT_ALLOWED, NOT_FOUND, problems_body, schema_problems_body
from kilowatt.platform.errors import InvalidInput, NotAllowed, NotFound

api = NinjaAPI(
    title="Kilowatt API",
    version="1",
    description=(
        "An energy retailer's customers, accounts, sites, meter points, meter reads, tariffs "
        "and service cases. "
        "Sign in with `POST /api/v1/auth/token` and send `Authorization: Bearer <token>`. "
        "Lists page by id: pass a page's `next_after` as `after`. "
        "Pence with fractions are decimal strings."
    ),
    urls_namespace="api-v1",
    auth=[BearerToken(), SessionLogin()],
)
api.add_router("", identity_router)
api.add_router("", customers_router)
api.add_router("", accounts_router)
api.add_router("", metering_router)
api.add_router("", cases_router)
api.add_router("", "kilowatt.billing.interfaces.api.router")
api.add_router("", "kilowatt.sales.interfaces.api.router")
api.add_router("", "kilowatt.journeys.interfaces.api.router")


@api.exception_handler(InvalidInput)
def invalid_input(request: HttpRequest, error: InvalidInput) -> HttpResponse:
    return api.create_response(request, problems_body(error), status=422)


@api.exception_handler(ValidationError)
def schema_failed(request: HttpRequest, error: ValidationError) -> HttpResponse:
    return api.create_response(request, schema_problems_body(error.errors), status=422)


@api.exception_handler(RequestDataTooBig)
def body_too_large(request: HttpRequest, error: RequestDataTooBig) -> HttpResponse:
    body = {"detail": [{"field": "body", "rule": "too_large", "message": str(error)}]}
    return api.create_response(request, body, status=422)


@api.exception_handler(NotFound)
def not_found(request: HttpRequest, error: NotFound) -> HttpResponse:
    return api.create_response(request, {"detail": NOT_FOUND}, status=404)


@api.exception_handler(NotAllowed)
def not_allowed(request: HttpRequest, error: NotAllowed) -> HttpResponse:
    return api.create_response(request, {"detail": NOT_ALLOWED}, status=403)
