"""The portal's pages: sign in, the back office (customer search, the customer page and
its edit form, the work queues) and a customer's own pages (``/my/...``).

Each view parses its input, makes one call to a context's ``queries`` or ``operations``,
shapes the answer into plain records (``_shapes``) and renders them; the context's
errors are mapped to 404, 403 and 422. Who may open a page at all is ``_access``.
"""

from kilowatt.portals.interfaces.pages._billing import (
    bill_exception,
    bill_exceptions,
    bill_run,
    bill_runs,
)
from kilowatt.portals.interfaces.pages._bills import (
    account_bill_changes,
    account_bills,
    my_bill_changes,
    my_bills,
)
from kilowatt.portals.interfaces.pages._cases import case, cases
from kilowatt.portals.interfaces.pages._customer import contact_details, customer
from kilowatt.portals.interfaces.pages._field import (
    book_appointment,
    booked,
    field_job,
    field_jobs,
)
from kilowatt.portals.interfaces.pages._home import home
from kilowatt.portals.interfaces.pages._my_readings import my_meter_readings
from kilowatt.portals.interfaces.pages._read_exceptions import (
    read_exception,
    read_exception_photo,
    read_exceptions,
)
from kilowatt.portals.interfaces.pages._search import search
from kilowatt.portals.interfaces.pages._settlement_flags import (
    review_settlement_flag,
    settlement_flags,
)
from kilowatt.portals.interfaces.pages._sign_in import sign_in, sign_out

__all__ = [
    "account_bill_changes",
    "account_bills",
    "bill_exception",
    "bill_exceptions",
    "bill_run",
    "bill_runs",
    "book_appointment",
    "booked",
    "case",
    "cases",
    "contact_details",
    "customer",
    "field_job",
    "field_jobs",
    "home",
    "my_bill_changes",
    "my_bills",
    "my_meter_readings",
    "read_exception",
    "read_exception_photo",
    "read_exceptions",
    "review_settlement_flag",
    "search",
    "settlement_flags",
    "sign_in",
    "sign_out",
]
