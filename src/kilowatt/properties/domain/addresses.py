"""The rules a supply address must meet. Pure: no Django."""

from __future__ import annotations

import dataclasses

from kilowatt import validation
from kilowatt.platform.errors import Problem


@dataclasses.dataclass(frozen=True)
class Address:
    address_line_1: str
    town: str
    postcode: str
    address_line_2: str = ""
    county: str = ""


def normalise(address: Address) -> Address:
    """Return the address trimmed, with its postcode in the stored form (``SW1A 1AA``)."""
    return Address(
        address_line_1=" ".join(address.address_line_1.split()),
        address_line_2=" ".join(address.address_line_2.split()),
        town=" ".join(address.town.split()),
        county=" ".join(address.county.split()),
        postcode=validation.normalise_postcode(address.postcode),
    )


def problems(address: Address) -> list[Problem]:
    """Return every rule the (normalised) address breaks, each naming its field."""
    found = []
    if not address.address_line_1:
        found.append(
            Problem("address_line_1", "required", "the first line of the address is needed")
        )
    if not address.town:
        found.append(Problem("town", "required", "the town is needed"))
    if problem := validation.postcode_problem(address.postcode):
        found.append(Problem("postcode", "postcode_format", problem))
    for field in ("address_line_1", "address_line_2"):
        if len(getattr(address, field)) > 100:
            found.append(Problem(field, "max_length", "at most 100 characters"))
    for field in ("town", "county"):
        if len(getattr(address, field)) > 60:
            found.append(Problem(field, "max_length", "at most 60 characters"))
    return found
