"""Public writes of industry flows: import and export D0010 meter-reading files."""

from kilowatt.integrations.operations._d0010 import (
    ACCEPTED,
    DUPLICATE,
    FAILED_INDUSTRY_VALIDATION,
    HELD,
    REFUSED,
    STATUSES,
    UNKNOWN,
    ImportReport,
    RecordOutcome,
    export_d0010,
    import_d0010,
    import_d0010_files,
)

__all__ = [
    "ACCEPTED",
    "DUPLICATE",
    "FAILED_INDUSTRY_VALIDATION",
    "HELD",
    "REFUSED",
    "STATUSES",
    "UNKNOWN",
    "ImportReport",
    "RecordOutcome",
    "export_d0010",
    "import_d0010",
    "import_d0010_files",
]
