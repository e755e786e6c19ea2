"""The back office's home: one search box for every way staff look a customer up."""

from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from kilowatt.accounts import queries as account_queries
from kilowatt.identity.domain.roles import Principal
from kilowatt.portals.interfaces.pages import _shapes
from kilowatt.portals.interfaces.pages._access import is_htmx, page, staff_page

RESULTS_LIMIT = 50


@staff_page
def search(request: HttpRequest, principal: Principal) -> HttpResponse:
    """Show the customers the search box entry finds: the results list alone for HTMX
    (as the person types), the whole page otherwise (the same URL works without JS)."""
    text = request.GET.get("q", "").strip()
    result = account_queries.search_customers(principal, text=text, limit=RESULTS_LIMIT)
    template = "portals/search/_results.html" if is_htmx(request) else "portals/search/page.html"
    return page(
        request,
        principal,
        template,
        {"results": _shapes.search_results(text, result, limit=RESULTS_LIMIT)},
    )
