"""Accounts, agreements, sites, meter points, tariffs and price caps over HTTP.

Sites and meter points are served by accounts because accounts is their gate: a person
sees a site or meter point through the accounts that supply it (``accounts.queries``).
Every endpoint parses, makes one call, and lets ``config/api.py`` map the context's
errors. Pence with fractions travel as decimal strings, never as JSON numbers.
"""

from ninja import Router

from kilowatt.accounts.interfaces.api import _accounts, _meter_points, _reads, _sites, _tariffs

router = Router()
for part in (_accounts, _sites, _meter_points, _reads, _tariffs):
    router.add_router("", part.router)

__all__ = ["router"]
