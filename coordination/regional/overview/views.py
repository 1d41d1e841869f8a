"""The regional overview: every hotspot on one screen, for the CSIR and its readers.

The CSIR works on it; CoReS members and mayors read it (``can_read_regional_overview``).
Anybody else does not see it in the navigation and gets 404, not 403: the page does not
exist for them (DESIGN.md §5, "a URL ... answers 404, not 403 with details").
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.utils import timezone
from django.utils.functional import SimpleLazyObject
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from coordination.core.htmx import htmx_partial
from coordination.people import permissions
from coordination.people.http import AuthenticatedHttpRequest
from coordination.regional.overview import selectors
from coordination.regional.overview.rows import rendered_rows
from coordination.strategy.selectors import strategy_summary
from hotspots.selectors import hotspot_list
from hotspots.selectors.hotspots import active_range, region_map
from taskforces.selectors.displacement import under_way_arrows

TEMPLATE = "coordination/overview/page.html"


@require_GET
@htmx_partial("table")
def overview(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    if not permissions.can_read_regional_overview(user):
        raise Http404
    filters = selectors.OverviewFilters.from_query(request.GET)
    overview = selectors.regional_overview(user, filters)
    context = {
        "overview": overview,
        # The rows' HTML, from the cache when unchanged (``rows``: keyed on their content).
        "row_html": rendered_rows(overview.rows),
        "map": region_map(
            overview.hotspots,
            title=_("Hotspots of the Brussels-Capital Region"),
            arrows=under_way_arrows(user),
        ),
    }
    # Only the whole page shows these: read once, and only if the template renders them.
    context |= {
        "summary": SimpleLazyObject(strategy_summary),
        "active_range": SimpleLazyObject(active_range),
        # The strategy's list by phase today (intensive, hold, taken off the list).
        "phases": SimpleLazyObject(lambda: hotspot_list.phase_counts(on=timezone.localdate())),
        "choices": SimpleLazyObject(selectors.filter_choices),
    }
    return TemplateResponse(request, TEMPLATE, context)
