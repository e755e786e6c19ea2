"""Sales over HTTP: quotes, sign-ups (partners and every channel's pages share the same
operations) and contracts with their signed documents.

Every endpoint parses, makes one call, and lets ``config/api.py`` map the context's
errors. Pence with fractions travel as decimal strings, never as JSON numbers.
"""

from ninja import Router

from kilowatt.sales.interfaces.api import _contracts, _quotes, _signups

router = Router()
for part in (_quotes, _signups, _contracts):
    router.add_router("", part.router)

__all__ = ["router"]
