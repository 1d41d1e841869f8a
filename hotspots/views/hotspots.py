"""Hotspot pages: the regional list and map, a hotspot, proposals and the mayors' decisions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse, JsonResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coordination.core import geo, registry
from coordination.core.htmx import htmx_partial
from coordination.models import Commune, PoliceZone
from coordination.people.http import AuthenticatedHttpRequest
from hotspots import permissions
from hotspots.forms.hotspots import (
    CloseForm,
    DecisionForm,
    HotspotFilterForm,
    HotspotForm,
    PerimeterChangeForm,
    PerimeterDecisionForm,
    PerimeterForm,
)
from hotspots.models import Hotspot, PerimeterDecision, PerimeterVersion
from hotspots.selectors import hotspots as selectors
from hotspots.selectors import indicators as indicator_selectors
from hotspots.selectors import orders as order_selectors
from hotspots.services import hotspots as services

Version = PerimeterVersion.State


@require_GET
@htmx_partial("hotspot-table")
def hotspot_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = HotspotFilterForm(request.GET).filters(request)
    pages = _pages_shown(request.GET.get("pages", ""))
    every, hotspots = selectors.hotspot_list(
        request.user, **filters, limit=pages * selectors.LIST_PAGE
    )
    more = {name: value for name, value in filters.items() if value} | {"pages": str(pages + 1)}
    context = {
        # The table shows a page at a time; the caption counts and the map draws them all.
        "hotspots": hotspots,
        "hotspots_total": len(every),
        "more_query": urlencode(more) if len(hotspots) < len(every) else "",
        "filters": filters,
        "statuses": Hotspot.Status.choices,
        # The filter's choices: names only, never the boundaries.
        "communes": Commune.objects.defer("boundary").order_by("name_fr"),
        "zones": PoliceZone.objects.order_by("number"),
        "map": selectors.region_map(
            every,
            title=_("Hotspots of the Brussels-Capital Region"),
            arrows=registry.map_arrows(request.user),
        ),
        "active_range": selectors.active_range(),
        "can_propose": permissions.can_propose_hotspot(request.user),
    }
    return TemplateResponse(request, "hotspots/list.html", context)


def _pages_shown(raw: str) -> int:
    """How many pages of the list to show (``?pages=``): 1 to 100, 1 for anything else."""
    if len(raw) <= 3 and raw.isascii() and raw.isdigit():
        return min(max(int(raw), 1), 100)
    return 1


@require_GET
def hotspot_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    hotspot = permissions.get_hotspot_for(request.user, pk)
    user = request.user
    versions = selectors.perimeter_versions(user, hotspot)
    change = selectors.pending_change(user, hotspot, versions)
    context = {
        "hotspot": hotspot,
        "zones": selectors.police_zones_of(hotspot),
        "decisions": hotspot.decisions.select_related("commune", "decided_by"),
        "map": selectors.hotspot_map(
            hotspot, title=hotspot.name, proposed=change.proposed if change else None
        ),
        "versions": versions,
        "change": change,
        "in_force": next((v for v in versions if v.state == Version.IN_FORCE), None),
        "orders": order_selectors.in_force(hotspot),
        "charts": indicator_selectors.trend_charts(hotspot),
        "can_change": permissions.can_change_hotspot(user, hotspot),
        "can_request_approval": permissions.can_request_approval(user, hotspot),
        "my_decision": permissions.pending_decision(user, hotspot),
        "can_activate": permissions.can_govern(user, hotspot)
        and hotspot.status == Hotspot.Status.APPROVED,
        "can_close": permissions.can_govern(user, hotspot)
        and hotspot.status in (Hotspot.Status.APPROVED, Hotspot.Status.ACTIVE),
        "can_add_order": permissions.can_create_order(user, hotspot),
    }
    return render(request, "hotspots/detail.html", context)


@require_http_methods(["GET", "POST"])
def hotspot_propose(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not permissions.can_propose_hotspot(request.user):
        raise PermissionDenied
    form = HotspotForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        hotspot = services.hotspot_propose(by=request.user, **form.cleaned_data)
        messages.success(request, _("Hotspot proposed. Draw its perimeter, then ask the mayors."))
        return redirect("hotspots:perimeter", pk=hotspot.pk)
    return render(request, "hotspots/form.html", {"form": form, "hotspot": None})


@require_http_methods(["GET", "POST"])
def hotspot_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    hotspot = permissions.get_hotspot_for(request.user, pk, "change")
    initial = {f: getattr(hotspot, f) for f in services.EDITABLE_FIELDS}
    form = HotspotForm(request.POST or None, initial=initial, user=request.user, editing=True)
    if request.method == "POST" and form.is_valid():
        services.hotspot_update(hotspot=hotspot, by=request.user, **form.cleaned_data)
        messages.success(request, _("Hotspot updated."))
        return redirect("hotspots:detail", pk=hotspot.pk)
    return render(request, "hotspots/form.html", {"form": form, "hotspot": hotspot})


@require_http_methods(["GET", "POST"])
def hotspot_perimeter(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Draw or paste the perimeter: the working draft before approval, afterwards a change
    proposed to the concerned mayors (the perimeter in force stays until they approve)."""
    hotspot = permissions.get_hotspot_for(request.user, pk, "change")
    governed = hotspot.status in services.GOVERNED_STATUSES
    form_class = PerimeterChangeForm if governed else PerimeterForm
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.hotspot_set_perimeter(
                hotspot=hotspot,
                by=request.user,
                perimeter=form.cleaned_data["perimeter"],
                reason=form.cleaned_data.get("reason", ""),
            )
        except geo.GeometryError as error:
            form.add_error("geojson", error.message)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            if version.state == Version.PROPOSED:
                messages.success(
                    request,
                    _(
                        "The new perimeter (version %(number)s) is sent to the mayors concerned; "
                        "the perimeter in force stays until they all approve it."
                    )
                    % {"number": version.number},
                )
            else:
                messages.success(request, _("Perimeter saved."))
            return redirect("hotspots:detail", pk=hotspot.pk)
    context = {
        "hotspot": hotspot,
        "form": form,
        "governed": governed,
        "pending": services.pending_change(hotspot) if governed else None,
        "map": selectors.hotspot_map(hotspot, title=hotspot.name),
    }
    return render(request, "hotspots/perimeter.html", context)


@require_GET
def perimeter_version_geojson(
    request: AuthenticatedHttpRequest, pk: int, number: int
) -> HttpResponse:
    """One version of the perimeter as a GeoJSON Feature, for whoever may read it."""
    version = permissions.get_perimeter_version_for(request.user, pk, number)
    feature = {
        "type": "Feature",
        "geometry": version.geometry,
        "properties": {
            "hotspot": version.hotspot.code,
            "version": version.number,
            "state": version.state,
            "proposed_at": version.proposed_at.isoformat(),
            "in_force_from": version.in_force_from.isoformat() if version.in_force_from else None,
            "ended_at": version.ended_at.isoformat() if version.ended_at else None,
        },
    }
    response = JsonResponse(feature, content_type="application/geo+json")
    filename = f"{version.hotspot.code}-perimeter-v{version.number}.geojson"
    response["Content-Disposition"] = f'attachment; filename="{filename}"'
    return response


@require_POST
def hotspot_request_approval(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    hotspot = permissions.get_hotspot_for(request.user, pk, "request_approval")
    services.hotspot_request_approval(hotspot=hotspot, by=request.user)
    messages.success(request, _("The mayors concerned have been asked for their decision."))
    return redirect("hotspots:detail", pk=hotspot.pk)


@require_http_methods(["GET", "POST"])
def hotspot_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A mayor's decision for their commune: on the hotspot, or on a change of its perimeter."""
    hotspot = permissions.get_hotspot_for(request.user, pk)
    decision = permissions.pending_decision(request.user, hotspot)
    if decision is None:
        return _already_decided(request, hotspot)
    if isinstance(decision, PerimeterDecision):
        return _decide_perimeter(request, hotspot, decision)
    form = DecisionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.hotspot_decide(
                hotspot=hotspot,
                by=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Your decision is recorded."))
            return redirect("hotspots:detail", pk=hotspot.pk)
    context = {"hotspot": hotspot, "decision": decision, "form": form}
    return render(request, "hotspots/decide.html", context)


def _already_decided(request: AuthenticatedHttpRequest, hotspot: Hotspot) -> HttpResponse:
    """The decide page once the mayor's commune has decided (the link in a notification,
    the back button, a second tab): what was decided, when and by whom, not a bare 403.
    Sent again, the form answers 409 (Conflict) with the same page and changes nothing."""
    taken = selectors.decision_taken(request.user, hotspot)
    if taken is None:
        raise PermissionDenied
    context = {
        "hotspot": hotspot,
        "taken": taken,
        "on_perimeter": isinstance(taken, PerimeterDecision),
    }
    status = 409 if request.method == "POST" else 200
    return render(request, "hotspots/decided.html", context, status=status)


def _decide_perimeter(
    request: AuthenticatedHttpRequest, hotspot: Hotspot, decision: PerimeterDecision
) -> HttpResponse:
    proposed = decision.version
    form = PerimeterDecisionForm(request.POST or None, initial={"version": proposed.number})
    if request.method == "POST" and form.is_valid():
        try:
            if form.cleaned_data["version"] != proposed.number:
                # Replaced by a newer proposal while the mayor was reading: they decide
                # only on what they saw.
                raise ValidationError(
                    _("The proposal changed while you were reading it: read the new one.")
                )
            services.perimeter_decide(
                version=proposed,
                by=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as error:
            # Keep what the mayor wrote; the form now carries the version the page shows.
            data = request.POST.copy()
            data["version"] = str(proposed.number)
            form = PerimeterDecisionForm(data)
            form.is_valid()
            form.add_error(None, error)
        else:
            messages.success(request, _("Your decision is recorded."))
            return redirect("hotspots:detail", pk=hotspot.pk)
    versions = selectors.perimeter_versions(request.user, hotspot)
    context = {
        "hotspot": hotspot,
        "decision": decision,
        "form": form,
        "change": selectors.pending_change(request.user, hotspot, versions),
        "map": selectors.hotspot_map(hotspot, title=hotspot.name, proposed=proposed),
    }
    return render(request, "hotspots/decide_perimeter.html", context)


@require_GET
def awaiting_decision(request: AuthenticatedHttpRequest) -> HttpResponse:
    """A mayor's list of hotspots awaiting their decision."""
    decisions = selectors.awaiting_decision(request.user)
    return render(request, "hotspots/awaiting.html", {"decisions": decisions})


@require_POST
def hotspot_activate(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    hotspot = permissions.get_hotspot_for(request.user, pk, "govern")
    try:
        services.hotspot_activate(hotspot=hotspot, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Hotspot activated."))
    return redirect("hotspots:detail", pk=hotspot.pk)


@require_http_methods(["GET", "POST"])
def hotspot_close(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    hotspot = permissions.get_hotspot_for(request.user, pk, "govern")
    form = CloseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.hotspot_close(
                hotspot=hotspot, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Hotspot closed."))
            return redirect("hotspots:detail", pk=hotspot.pk)
    return render(request, "hotspots/close.html", {"hotspot": hotspot, "form": form})
