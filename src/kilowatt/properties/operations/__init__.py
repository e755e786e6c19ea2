"""Public writes of sites."""

from kilowatt.properties.operations._bulk import (
    SITE_COLUMNS,
    finish_site_load,
    load_sites,
    next_site_id,
    set_aside_site_indexes,
)
from kilowatt.properties.operations._sites import create_site, update_site

__all__ = [
    "SITE_COLUMNS",
    "create_site",
    "finish_site_load",
    "load_sites",
    "next_site_id",
    "set_aside_site_indexes",
    "update_site",
]
