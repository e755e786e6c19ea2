"""Shapes every API answer shares: the error bodies, keyset pages and money as text.

Every context's router builds on these so a client meets one error shape and one way of
paging everywhere. No business knowledge here, and no HTTP objects: the composition root
(``config/api.py``) turns exceptions into responses with these bodies.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Annotated, Any

from ninja import Field, Schema
from pydantic import BeforeValidator, ConfigDict, PlainSerializer, WithJsonSchema
from pydantic_core import PydanticCustomError

from kilowatt.platform.errors import InvalidInput

NOT_FOUND = "Not found"  # the same words for missing and not yours: a refusal reveals nothing
NOT_ALLOWED = "Not allowed"
MAX_PAGE = 200


# --- error bodies ---------------------------------------------------------------------


class Error(Schema):
    """A refusal: 401 (not signed in), 403 (not allowed), 404 (not found)."""

    detail: str


class ProblemOut(Schema):
    field: str = Field(description='The input\'s name, dotted when nested: "contacts.0.email".')
    rule: str = Field(description='A stable code for the rule broken: "postcode_format".')
    message: str = Field(description="A sentence a person can act on.")


class ValidationErrors(Schema):
    """422: the input broke one or more rules; nothing was written."""

    detail: list[ProblemOut]


def problems_body(error: InvalidInput) -> dict[str, list[dict[str, str]]]:
    """Return the 422 body of a context's ``InvalidInput``."""
    return {
        "detail": [{"field": p.field, "rule": p.rule, "message": p.message} for p in error.problems]
    }


# Where a parameter came from; the name of a body parameter follows it in ``loc``.
_SOURCES = {"body", "query", "path", "header", "cookie", "form", "file"}


def _field_of(loc: Sequence[Any]) -> str:
    parts = list(loc)
    if parts and parts[0] in _SOURCES:
        source = parts.pop(0)
        if source == "body" and parts:
            parts.pop(0)  # the endpoint's parameter name ("payload") means nothing to a client
    return ".".join(str(part) for part in parts) or "body"  # "body": the whole body is wrong


def schema_problems_body(errors: Sequence[dict[str, Any]]) -> dict[str, list[dict[str, str]]]:
    """Return the 422 body for input that failed its schema, shaped like ``problems_body``.

    The field comes from the error's location, the rule from pydantic's error type
    (``missing``, ``int_parsing``, ``literal_error``, or a rule code raised by a validator).
    """
    return {
        "detail": [
            {
                "field": _field_of(error.get("loc", ())),
                "rule": str(error.get("type", "invalid")),
                "message": str(error.get("msg", "is not valid")),
            }
            for error in errors
        ]
    }


def rule_broken(rule: str, message: str) -> PydanticCustomError:
    """Return an error a schema validator raises so the 422 names ``rule``."""
    return PydanticCustomError(rule, message)


# Declared answers, for ``response={...}`` so the OpenAPI schema lists every error.
READ = {401: Error, 404: Error, 422: ValidationErrors}
LIST = {401: Error, 422: ValidationErrors}
WRITE = {401: Error, 403: Error, 404: Error, 422: ValidationErrors}


# --- money as text ----------------------------------------------------------------------


def _decimal_from_text(value: Any) -> Any:
    # A JSON number becomes a float before pydantic sees it, and a float may already have
    # lost the rate's last digit: ask for text instead of guessing.
    if isinstance(value, float):
        raise rule_broken("decimal_as_text", 'send pence as a string, for example "26.35"')
    return value


def _decimal_as_text(value: Decimal) -> str:
    # Stored with four places; show what is significant, but never fewer than two.
    significant = value.normalize()
    if significant.as_tuple().exponent > -2:  # type: ignore[operator]
        significant = significant.quantize(Decimal("0.01"))
    return format(significant, "f")


PenceRate = Annotated[
    Decimal,
    BeforeValidator(_decimal_from_text),
    PlainSerializer(_decimal_as_text, return_type=str),
    WithJsonSchema({"type": "string", "format": "decimal", "examples": ["26.35"]}),
]
"""Pence with fractions (p/kWh, p/day), read and written as a decimal string."""


# --- keyset pages -----------------------------------------------------------------------


def fields_of(
    payload: Schema, *, exclude: frozenset[str] | set[str] = frozenset(), sent_only: bool = False
) -> dict[str, Any]:
    """Return a body's top-level fields as parsed (a Decimal stays a Decimal, unlike
    ``.dict()``, which applies the output serialisers); ``sent_only`` keeps the fields
    the caller sent, for a PATCH."""
    names = payload.model_fields_set if sent_only else type(payload).model_fields
    return {name: getattr(payload, name) for name in names if name not in exclude}


class Patch(Schema):
    """A PATCH body: only the fields sent change, and a field no one can change is refused
    (rule ``extra_forbidden``) rather than silently ignored."""

    model_config = ConfigDict(extra="forbid")


class PageParams(Schema):
    """Keyset paging: pass the previous page's ``next_after`` as ``after``."""

    after: int = Field(0, ge=0, description="Return items after this one (a page's next_after).")
    limit: int = Field(50, ge=1, le=MAX_PAGE, description=f"At most {MAX_PAGE} items a page.")

    def fetch(self) -> int:
        """Return how many rows to ask for: one more than the page, to know if more follow."""
        return self.limit + 1


def page(rows: Sequence[Any], params: PageParams) -> dict[str, Any]:
    """Return ``{"items": ..., "next_after": ...}`` from ``params.fetch()`` rows (by id)."""
    items = list(rows[: params.limit])
    more = len(rows) > params.limit
    return {"items": items, "next_after": items[-1].id if more and items else None}
