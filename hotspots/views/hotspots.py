"""Hotspot pages: the regional list and map, a hotspot, proposals and the mayors' decisions."""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coordination.core import geo, registry
from coordination.models import Commune, PoliceZone
from coordination.people.http import AuthenticatedHttpRequest
from hotspots import permissions
from hotspots.forms.hotspots import CloseForm, DecisionForm, HotspotForm, PerimeterForm
from hotspots.models import Hotspot
from hotspots.selectors import hotspots as selectors
from hotspots.selectors import indicators as indicator_selectors
from hotspots.selectors import orders as order_selectors
from hotspots.services import hotspots as services


@require_GET
def hotspot_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "") for key in ("status", "commune", "zone")}
    hotspots = selectors.hotspot_list(request.user, **filters)
    context = {
        "hotspots": hotspots,
        "filters": filters,
        "statuses": Hotspot.Status.choices,
        "communes": Commune.objects.order_by("name_fr"),
        "zones": PoliceZone.objects.order_by("number"),
        "map": selectors.region_map(
            hotspots,
            title=_("Hotspots of the Brussels-Capital Region"),
            arrows=registry.map_arrows(request.user),
        ),
        "active_range": selectors.active_range(),
        "can_propose": permissions.can_propose_hotspot(request.user),
    }
    return render(request, "hotspots/list.html", context)


@require_GET
def hotspot_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    hotspot = permissions.get_hotspot_for(request.user, pk)
    user = request.user
    context = {
        "hotspot": hotspot,
        "zones": selectors.police_zones_of(hotspot),
        "decisions": hotspot.decisions.select_related("commune", "decided_by"),
        "map": selectors.hotspot_map(hotspot, title=hotspot.name),
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
    hotspot = permissions.get_hotspot_for(request.user, pk, "change")
    form = PerimeterForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.hotspot_set_perimeter(
                hotspot=hotspot, by=request.user, perimeter=form.cleaned_data["perimeter"]
            )
        except geo.GeometryError as error:
            form.add_error("geojson", error.message)
        else:
            messages.success(request, _("Perimeter saved."))
            return redirect("hotspots:detail", pk=hotspot.pk)
    context = {
        "hotspot": hotspot,
        "form": form,
        "map": selectors.hotspot_map(hotspot, title=hotspot.name),
    }
    return render(request, "hotspots/perimeter.html", context)


@require_POST
def hotspot_request_approval(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    hotspot = permissions.get_hotspot_for(request.user, pk, "request_approval")
    services.hotspot_request_approval(hotspot=hotspot, by=request.user)
    messages.success(request, _("The mayors concerned have been asked for their decision."))
    return redirect("hotspots:detail", pk=hotspot.pk)


@require_http_methods(["GET", "POST"])
def hotspot_decide(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    hotspot = permissions.get_hotspot_for(request.user, pk, "decide")
    decision = permissions.pending_decision(request.user, hotspot)
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
