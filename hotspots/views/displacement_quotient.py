"""The displacement quotient pages: the method and every hotspot's latest quotient, and
one hotspot's inputs, trend, areas and set-up."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coordination.people import permissions as policy
from coordination.people.http import AuthenticatedHttpRequest
from hotspots.forms.displacement_quotient import SetupForm
from hotspots.permissions import get_hotspot_for, visible_hotspots
from hotspots.selectors import displacement_quotient as selectors
from hotspots.services import displacement_quotient as services


@require_GET
def displacement_quotient(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The method in plain words and the latest quotient of every visible watched hotspot."""
    hotspots = visible_hotspots(request.user).filter(status__in=services.WATCHED_STATUSES)
    context = {
        "rows": selectors.overview(hotspots),
        "indicators": selectors.watched_indicators(),
        "codes": services.Code,
    }
    return render(request, "hotspots/displacement/overview.html", context)


@require_http_methods(["GET", "POST"])
def displacement_hotspot(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """One hotspot: its quotients with their inputs and trend, its areas on the map, and
    (for the CSIR) the buffer width, the split and the windows. Who may see the hotspot's
    indicator grid sees this page (404 otherwise); only the CSIR changes the set-up (403)."""
    hotspot = get_hotspot_for(request.user, pk)
    can_set = policy.is_csir(request.user)
    setup = services.setup_for(hotspot)
    initial = {
        "buffer_metres": setup.buffer_metres,
        "window_months": setup.window_months,
        "split_on": setup.split_on,
    }
    form = SetupForm(request.POST or None, initial=initial)
    if request.method == "POST":
        if not can_set:
            raise PermissionDenied
        if form.is_valid():
            try:
                services.setup_set(hotspot=hotspot, by=request.user, **form.cleaned_data)
            except ValidationError as error:
                form.add_error(None, error)
            else:
                messages.success(request, _("Buffer and control areas saved."))
                return redirect("hotspots:displacement_hotspot", pk=hotspot.pk)
    trends = selectors.trends(hotspot)
    context = {
        "hotspot": hotspot,
        "setup": setup,
        "split": services.split_month(hotspot, setup if setup.pk else None),
        "trends": trends,
        "map": selectors.areas_map(hotspot, setup if setup.pk else None),
        "form": form,
        "can_set": can_set,
    }
    return render(request, "hotspots/displacement/hotspot.html", context)
