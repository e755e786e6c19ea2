"""Inbound industry flow files of any flow we take, told apart by their ZHV header."""

from __future__ import annotations

import dataclasses
import datetime
from collections.abc import Sequence

from django.db import transaction

from kilowatt.integrations.domain import d0010, d0150
from kilowatt.integrations.operations import _d0010, _d0150
from kilowatt.platform.errors import InvalidInput

FLOWS = (d0010.FLOW_VERSION, d0150.FLOW_VERSION)


def flow_version(content: bytes) -> str:
    """Return the flow and version a file's ZHV header names (``D0150001``), or ``""``."""
    first = content.lstrip().split(b"\n", 1)[0].strip()
    parts = first.split(b"|")
    if len(parts) < 3 or parts[0] != b"ZHV":
        return ""
    return parts[2].strip().decode("ascii", errors="replace")


@transaction.atomic
def import_flow_files(
    *, files: Sequence[tuple[str, bytes]], as_at: datetime.datetime
) -> list[_d0010.ImportReport | _d0150.MeterDetailsReport]:
    """Import several flow files (``(filename, content)``), all or none: each a D0010
    (``import_d0010``) or a D0150 (``import_d0150``), as its ZHV header's flow id says.

    :raises InvalidInput: a file is not a flow we take (``line 1: flow``, rule
        ``flow_version``), is not ASCII or breaks its flow's layout; the problem's field
        starts with the file's name; nothing is written.
    """
    reports: list[_d0010.ImportReport | _d0150.MeterDetailsReport] = []
    for filename, content in files:
        flow = flow_version(content)
        try:
            if flow == d0150.FLOW_VERSION:
                reports.append(_d0150.import_one(content=content, filename=filename, as_at=as_at))
            elif flow == d0010.FLOW_VERSION or not flow:  # no header: D0010's parser says so
                reports.append(_d0010.import_one(content=content, filename=filename, as_at=as_at))
            else:
                raise InvalidInput.one(
                    field="line 1: flow",
                    rule="flow_version",
                    message=f"{flow!r} is not a flow we import ({', '.join(FLOWS)})",
                )
        except InvalidInput as error:
            raise InvalidInput(
                [dataclasses.replace(p, field=f"{filename}: {p.field}") for p in error.problems]
            ) from None
    return reports
