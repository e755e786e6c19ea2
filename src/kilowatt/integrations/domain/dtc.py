"""The envelope every Data Transfer Catalogue flow shares: the ZHV header, the ZPT trailer,
pipe-delimited groups each ending in ``|``. Pure.

```
ZHV|<file id>|<flow and version>|<from role>|<from participant>|<to role>|<to participant>|<created YYYYMMDDHHMMSS>|<from app>|<to app>|<broadcast>|<test flag>|
...groups...
ZPT|<file id>|<record count: lines between ZHV and ZPT>|<checksum>|<flow count>|<completed>|
```

The D0010 module keeps its own copy of this (it came first); new flows use these.
"""

from __future__ import annotations

import dataclasses
import datetime
import re

from kilowatt.platform.errors import InvalidInput

DATE_TIME_FORMAT = "%Y%m%d%H%M%S"
OPERATIONAL = "OPER"
_COUNT = re.compile(r"^\d+$")


@dataclasses.dataclass(frozen=True)
class Header:
    """The ZHV line: who sent the file, to whom, when (naive, UK clock)."""

    file_id: str
    from_role: str
    from_participant: str
    to_role: str
    to_participant: str
    created_local: datetime.datetime
    test_flag: str = OPERATIONAL


def fail(line: int, field: str, rule: str, message: str) -> InvalidInput:
    """Return the error for a file that breaks the layout at ``line`` (from 1)."""
    return InvalidInput.one(field=f"line {line}: {field}", rule=rule, message=message)


def date_time_text(moment: datetime.datetime | None) -> str:
    return moment.strftime(DATE_TIME_FORMAT) if moment is not None else ""


def header_line(header: Header, flow_version: str) -> str:
    """Return the ZHV line of a file of ``flow_version`` (``D0150001``)."""
    return "|".join(
        [
            "ZHV",
            header.file_id,
            flow_version,
            header.from_role,
            header.from_participant,
            header.to_role,
            header.to_participant,
            date_time_text(header.created_local),
            "",
            "",
            "",
            header.test_flag,
            "",
        ]
    )


def trailer_line(header: Header, *, records: int, flows: int) -> str:
    """Return the ZPT line: the record count is the lines between header and trailer."""
    return f"ZPT|{header.file_id}|{records}||{flows}|{date_time_text(header.created_local)}|"


def fields(raw: str, *, line: int, group: str, minimum: int) -> list[str]:
    """Return a group line's fields after the group id, stripped.

    :raises InvalidInput: fewer than ``minimum`` fields (``too_few_fields``).
    """
    parts = raw.split("|")
    if parts and parts[-1] == "":
        parts = parts[:-1]  # every line ends with a pipe
    if len(parts) - 1 < minimum:
        raise fail(
            line,
            group,
            "too_few_fields",
            f"group {group} needs {minimum} fields, found {len(parts) - 1}",
        )
    return [part.strip() for part in parts[1:]]


def date_time(text: str, *, line: int, field: str) -> datetime.datetime:
    """Return a YYYYMMDDHHMMSS field as a naive UK-clock date-time.

    :raises InvalidInput: ``date_time_format`` or ``date_time_invalid``.
    """
    if not re.fullmatch(r"\d{14}", text):
        raise fail(line, field, "date_time_format", f"must be YYYYMMDDHHMMSS, not {text!r}")
    try:
        return datetime.datetime.strptime(text, DATE_TIME_FORMAT)  # noqa: DTZ007 (UK clock)
    except ValueError:
        raise fail(line, field, "date_time_invalid", f"{text!r} is not a real date-time") from None


def split(text: str, flow_version: str) -> tuple[list[str], Header]:
    """Return a file's lines (trailing blank lines dropped) and its parsed header.

    :raises InvalidInput: no ZHV header (``header_missing``), another flow
        (``flow_version``), or a bad header field.
    """
    lines = text.replace("\r\n", "\n").replace("\r", "\n").split("\n")
    while lines and not lines[-1].strip():
        lines.pop()
    if not lines or not lines[0].strip().startswith("ZHV|"):
        raise fail(1, "ZHV", "header_missing", "the file must start with a ZHV header")
    parts = fields(lines[0].strip(), line=1, group="ZHV", minimum=7)
    file_id, flow, from_role, from_participant, to_role, to_participant, created = parts[:7]
    if not file_id:
        raise fail(1, "file_id", "required", "the header must carry a file identifier")
    if flow != flow_version:
        raise fail(1, "flow", "flow_version", f"must be {flow_version}, not {flow!r}")
    header = Header(
        file_id=file_id,
        from_role=from_role,
        from_participant=from_participant,
        to_role=to_role,
        to_participant=to_participant,
        created_local=date_time(created, line=1, field="created"),
        test_flag=parts[10] if len(parts) > 10 else "",
    )
    return lines, header


def check_trailer(
    raw: str, *, line: int, header: Header, records: int, flows: int, last: int
) -> None:
    """Check the ZPT line at ``line`` against the header and what the file held.

    :raises InvalidInput: something follows it (``after_trailer``), its file id differs
        (``trailer_file_id``), or a count is wrong (``trailer_count``).
    """
    if line != last:
        raise fail(line + 1, "line", "after_trailer", "nothing may follow ZPT")
    parts = fields(raw, line=line, group="ZPT", minimum=2)
    if parts[0] != header.file_id:
        raise fail(
            line,
            "file_id",
            "trailer_file_id",
            f"the trailer's file id {parts[0]!r} is not the header's {header.file_id!r}",
        )
    if not _COUNT.match(parts[1]) or int(parts[1]) != records:
        raise fail(
            line,
            "record_count",
            "trailer_count",
            f"the trailer counts {parts[1]!r} records but the file has {records}",
        )
    if len(parts) > 3 and parts[3] and (not _COUNT.match(parts[3]) or int(parts[3]) != flows):
        raise fail(
            line,
            "flow_count",
            "trailer_count",
            f"the trailer counts {parts[3]!r} flows but the file has {flows}",
        )
