"""Load many sites at once, set-based (the demo book, a migration). Rows are plain tuples
in ``SITE_COLUMNS`` order with ids assigned by the caller; PostgreSQL gets one ``COPY``.

Postcodes are checked at the door and must already be in their stored form
(``SW1A 1AA``). Call inside a transaction: a refused batch raises ``InvalidInput`` naming
the field, and nothing of it is kept.
"""

from __future__ import annotations

import contextlib
from collections.abc import Sequence

from kilowatt import validation
from kilowatt.platform import bulk
from kilowatt.platform.errors import InvalidInput
from kilowatt.properties import models

SITE_COLUMNS = (
    "id",
    "address_line_1",
    "address_line_2",
    "town",
    "county",
    "postcode",
    "created_at",
)
_LINE_1 = SITE_COLUMNS.index("address_line_1")
_POSTCODE = SITE_COLUMNS.index("postcode")


def _check_sites(rows: Sequence[tuple]) -> None:
    passed: set[str] = set()  # many homes share a postcode: check each one once
    for row in rows:
        postcode = row[_POSTCODE]
        if postcode not in passed:
            problem = validation.postcode_problem(postcode)
            if problem is None and validation.normalise_postcode(postcode) != postcode:
                problem = (
                    f"store the postcode normalised, as {validation.normalise_postcode(postcode)!r}"
                )
            if problem:
                raise InvalidInput.one(
                    field="site.postcode",
                    rule="postcode_format",
                    message=f"site {row[0]}: {postcode!r}: {problem}",
                )
            passed.add(postcode)
        if not row[_LINE_1]:
            raise InvalidInput.one(
                field="site.address_line_1",
                rule="required",
                message=f"site {row[0]}: the first line of the address is needed",
            )


def load_sites(*, sites: Sequence[tuple]) -> int:
    """Write sites; return the number of rows written.

    :raises InvalidInput: a postcode is not a UK postcode in its stored form, or an
        address has no first line (the field is named; nothing is written).
    """
    _check_sites(sites)
    return bulk.write_rows(models.Site, SITE_COLUMNS, sites)


def next_site_id() -> int:
    """Return the first free site id (for a caller assigning ids)."""
    return bulk.next_id(models.Site)


def finish_site_load() -> None:
    """After a load: move the id sequence past the ids it assigned, refresh the planner's statistics."""
    bulk.finish_load(models.Site)


def set_aside_site_indexes() -> contextlib.AbstractContextManager[None]:
    """Set the sites table's secondary indexes and constraints aside for a big load and
    rebuild them after it, inside the caller's transaction (``bulk.indexes_set_aside``)."""
    return bulk.indexes_set_aside(models.Site)
