"""The API's doors: bearer tokens for programs, the session for the pages' HTMX.

``POST /auth/token`` trades a username and password for a bearer token; every other
endpoint accepts ``Authorization: Bearer <token>`` or a signed-in session (with Django's
CSRF check on unsafe methods, since a browser sends the session cookie by itself).
"""

from __future__ import annotations

import datetime
from typing import Any

from django.conf import settings
from django.http import HttpRequest
from ninja import Router, Schema, Status
from ninja.errors import HttpError
from ninja.security import APIKeyCookie, HttpBearer
from ninja.utils import check_csrf

from kilowatt.identity import operations, queries
from kilowatt.identity.errors import InvalidCredentials
from kilowatt.platform import clock
from kilowatt.platform.api import Error, ValidationErrors


class BearerToken(HttpBearer):
    """Accept a token from ``POST /auth/token`` that has not expired."""

    def authenticate(self, request: HttpRequest, token: str) -> Any:
        return queries.user_for_token(token=token, as_at=clock.now())


class SessionLogin(APIKeyCookie):
    """Accept the pages' signed-in session, checking CSRF on unsafe methods.

    The check runs only once a session is signed in, so an anonymous caller is told 401
    (sign in) rather than 403 (forged request).
    """

    param_name = settings.SESSION_COOKIE_NAME

    def _get_key(self, request: HttpRequest) -> str | None:
        if not request.user.is_authenticated:
            return None
        if check_csrf(request) is not None:
            raise HttpError(403, "CSRF check failed: send the X-CSRFToken header")
        return request.COOKIES.get(self.param_name)

    def authenticate(self, request: HttpRequest, key: str | None) -> Any:
        return request.user if key is not None else None


router = Router(tags=["auth"])


class TokenRequest(Schema):
    username: str
    password: str


class TokenOut(Schema):
    token: str
    expires_at: datetime.datetime


@router.post(
    "/auth/token",
    auth=None,
    response={200: TokenOut, 401: Error, 422: ValidationErrors},
    summary="Issue a bearer token",
)
def issue_token(request: HttpRequest, payload: TokenRequest) -> Any:
    """Trade a username and password for a bearer token that expires after some hours."""
    try:
        token, expires_at = operations.issue_token(
            username=payload.username, password=payload.password, as_at=clock.now()
        )
    except InvalidCredentials:
        return Status(401, {"detail": "Wrong username or password"})
    return Status(200, {"token": token, "expires_at": expires_at})
