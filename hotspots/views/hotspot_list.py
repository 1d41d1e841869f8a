"""The hotspot list over time: the list in force on a date with each hotspot's phase, the
changes with their sources, and a hotspot's exit criteria with their reviews.

Whoever may see hotspots reads these pages (each hotspot as ``visible_hotspots`` allows);
only the CSIR records a change, an exit criterion or a review (403 for the others)."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coordination.core.htmx import htmx_partial
from coordination.people.http import AuthenticatedHttpRequest
from hotspots.forms.hotspot_list import AsOfForm, ExitCriterionForm, ListChangeForm, ReviewForm
from hotspots.models import HotspotPhase
from hotspots.permissions import get_exit_criterion_for, get_hotspot_for, visible_hotspots
from hotspots.selectors import hotspot_list as selectors
from hotspots.services import hotspot_list as services

PAGE = "hotspots/list_history/page.html"


def _page(
    request: AuthenticatedHttpRequest, form: ListChangeForm | None = None
) -> TemplateResponse:
    user = request.user
    on = AsOfForm(request.GET).values(request).get("on") or timezone.localdate()
    hotspots = visible_hotspots(user)
    rows = selectors.with_criteria(selectors.list_as_of(on=on, hotspots=hotspots), on=on)
    counts = selectors.phase_counts(on=on, hotspots=hotspots)
    can_record = services.can_record(user)
    context: dict[str, Any] = {
        "on": on,
        "as_of": AsOfForm(initial={"on": on}),
        "rows": rows,
        "phases": [(HotspotPhase(p).label, counts[p]) for p in selectors.LISTED_PHASES],
        "exited": counts[HotspotPhase.EXITED],
        "changes": selectors.timeline(user),
        "can_record": can_record,
        "form": (form or ListChangeForm()) if can_record else None,
    }
    return TemplateResponse(request, PAGE, context)


@require_GET
@htmx_partial("as-of")
def list_history(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The list "as of" a date (default today), its changes and their sources."""
    return _page(request)


@require_POST
def list_change_record(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not services.can_record(request.user):
        raise PermissionDenied
    form = ListChangeForm(request.POST)
    if form.is_valid():
        try:
            services.list_change_record(by=request.user, **form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The change of the list is recorded."))
            on = form.cleaned_data["in_force_on"]
            return redirect(f"{reverse('hotspots:list_history')}?on={on:%Y-%m-%d}")
    return _page(request, form)


@require_http_methods(["GET", "POST"])
def exit_criteria(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A hotspot's exit criteria with every review; the CSIR adds a criterion (POST)."""
    hotspot = get_hotspot_for(request.user, pk)
    can_record = services.can_record(request.user)
    form = ExitCriterionForm(request.POST or None)
    if request.method == "POST":
        if not can_record:
            raise PermissionDenied
        if form.is_valid():
            services.exit_criterion_add(hotspot=hotspot, by=request.user, **form.cleaned_data)
            messages.success(request, _("The exit criterion is added."))
            return redirect("hotspots:exit_criteria", pk=hotspot.pk)
    criteria = hotspot.exit_criteria.prefetch_related("reviews__meeting")
    context = {
        "hotspot": hotspot,
        # One review form per criterion, each with its own ids (the page holds several).
        "criteria": [
            (c, ReviewForm(auto_id=f"id_c{c.pk}_%s") if can_record else None) for c in criteria
        ],
        "form": form if can_record else None,
    }
    return TemplateResponse(request, "hotspots/list_history/exit_criteria.html", context)


@require_POST
def exit_criterion_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    criterion = get_exit_criterion_for(request.user, pk, "review")
    form = ReviewForm(request.POST)
    if not form.is_valid():
        messages.error(
            request,
            _("The review was not recorded: %(errors)s")
            % {"errors": " ".join(str(e) for errors in form.errors.values() for e in errors)},
        )
    else:
        services.exit_criterion_review(criterion=criterion, by=request.user, **form.cleaned_data)
        messages.success(request, _("The review is recorded."))
    return redirect("hotspots:exit_criteria", pk=criterion.hotspot_id)
