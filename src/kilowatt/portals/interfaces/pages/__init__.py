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
from kilowatt.portals.interfaces.pages._moves import move_in, my_move_home
from kilowatt.portals.interfaces.pages._my_readings import my_meter_readings
from kilowatt.portals.interfaces.pages._read_exceptions import (
    read_exception,
    read_exception_photo,
    read_exceptions,
)
from kilowatt.portals.interfaces.pages._sales_agent import (
    sales_agent,
    sales_agent_new,
    sales_agent_order,
)
from kilowatt.portals.interfaces.pages._sales_exceptions import sales_exception, sales_exceptions
from kilowatt.portals.interfaces.pages._sales_pipeline import sales_pipeline
from kilowatt.portals.interfaces.pages._sales_telesales import (
    sales_telesales,
    sales_telesales_new,
)
from kilowatt.portals.interfaces.pages._search import search
from kilowatt.portals.interfaces.pages._settlement_flags import (
    review_settlement_flag,
    settlement_flags,
)
from kilowatt.portals.interfaces.pages._sign_in import sign_in, sign_out
from kilowatt.portals.interfaces.pages._sign_up import (
    sign_up_details,
    sign_up_payment,
    sign_up_quote,
    sign_up_received,
    sign_up_review,
    sign_up_supply,
)
from kilowatt.portals.interfaces.pages._signing import (
    cancel,
    contract_pdf,
    send_code,
    sign,
    signed,
    signed_contract_pdf,
)

__all__ = [
    "account_bill_changes",
    "account_bills",
    "bill_exception",
    "bill_exceptions",
    "bill_run",
    "bill_runs",
    "book_appointment",
    "booked",
    "cancel",
    "case",
    "cases",
    "contact_details",
    "contract_pdf",
    "customer",
    "field_job",
    "field_jobs",
    "home",
    "move_in",
    "my_bill_changes",
    "my_bills",
    "my_meter_readings",
    "my_move_home",
    "read_exception",
    "read_exception_photo",
    "read_exceptions",
    "review_settlement_flag",
    "sales_agent",
    "sales_agent_new",
    "sales_agent_order",
    "sales_exception",
    "sales_exceptions",
    "sales_pipeline",
    "sales_telesales",
    "sales_telesales_new",
    "search",
    "send_code",
    "settlement_flags",
    "sign",
    "sign_in",
    "sign_out",
    "sign_up_details",
    "sign_up_payment",
    "sign_up_quote",
    "sign_up_received",
    "sign_up_review",
    "sign_up_supply",
    "signed",
    "signed_contract_pdf",
]
