"""Errors every context can raise, so every interface answers them alike.

``InvalidInput`` carries one or more problems, each naming the field and the rule it
broke; the API answers it with 422 and the pages show each message beside its field.
``NotFound`` is answered with 404 whether the thing is missing or the caller may not see
it, so a refusal never reveals that something exists. ``NotAllowed`` (403) is for a
caller who may see a thing but not change it.
"""

from __future__ import annotations

import dataclasses


class KilowattError(Exception):
    """Base of the errors a caller can act on."""


@dataclasses.dataclass(frozen=True)
class Problem:
    field: str  # the input's name, dotted for nested input: "contacts.0.email"
    rule: str  # a stable code: "postcode_format", "mpan_check_digit", "required"
    message: str  # a sentence a person can act on


class InvalidInput(KilowattError):
    """The input broke one or more rules; nothing was written."""

    def __init__(self, problems: list[Problem] | tuple[Problem, ...]) -> None:
        self.problems = tuple(problems)
        super().__init__("; ".join(f"{p.field}: {p.message}" for p in self.problems))

    @classmethod
    def one(cls, *, field: str, rule: str, message: str) -> InvalidInput:
        return cls([Problem(field=field, rule=rule, message=message)])


class NotFound(KilowattError):
    """The thing does not exist, or the caller may not see it (deliberately the same)."""


class NotAllowed(KilowattError):
    """The caller may see the thing but may not do this."""


def raise_if(problems: list[Problem]) -> None:
    """Raise ``InvalidInput`` if there are any problems."""
    if problems:
        raise InvalidInput(problems)
