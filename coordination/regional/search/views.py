"""The search page: results grouped by kind, a kind's further pages (htmx or plain)."""

from __future__ import annotations

from typing import Any

from django.http import HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from coordination.audit import viewlog
from coordination.core.htmx import htmx_partial
from coordination.people.http import AuthenticatedHttpRequest
from coordination.regional.search import selectors
from coordination.regional.search.forms import SearchForm

TEMPLATE = "coordination/search/page.html"


@require_GET
@htmx_partial("results")
def search(request: AuthenticatedHttpRequest) -> HttpResponse:
    form = SearchForm(request.GET)
    query = form.query()
    kind, page = form.kind_and_page()
    groups: list[selectors.Group] = []
    if query is not None:
        groups = selectors.search(request.user, query, kind=kind, page=page)
        # Police-judicial items a result names are recorded as seen (a circle member's
        # search shows them; an outsider's never returns them).
        viewlog.shown(request, selectors.shown_items(groups), via=viewlog.VIA_SEARCH)
    context: dict[str, Any] = {
        "form": form,
        "query": query,
        "groups": groups,
        "found": [group for group in groups if group.hits],
        "kind": kind if len(groups) == 1 else "",
    }
    return TemplateResponse(request, TEMPLATE, context)
