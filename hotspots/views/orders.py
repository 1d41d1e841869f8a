"""Views of police orders: list, record, read, correct, download the signed PDF.

There is no delete view: an order is a legal act and stays in the record.
"""

from __future__ import annotations

from pathlib import PurePath
from typing import cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coordination.core.htmx import htmx_partial
from coordination.people.http import AuthenticatedHttpRequest
from hotspots import permissions
from hotspots.forms.orders import OrderFilterForm, OrderForm, order_initial
from hotspots.permissions import (
    can_change_order,
    can_create_order,
    get_hotspot_for,
    get_order_for,
    visible_orders,
)
from hotspots.selectors import orders as selectors
from hotspots.services import orders as services


@require_GET
@htmx_partial("orders-table")
def order_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = OrderFilterForm(request.GET)
    wanted = filters.cleaned_data if filters.is_valid() else {}
    orders = selectors.orders_for_list(
        request.user, state=wanted.get("state"), scope=wanted.get("scope")
    )
    context = {
        "orders": orders,
        "filters": filters,
        "can_record": permissions.may_record_orders(request.user),
    }
    return TemplateResponse(request, "hotspots/orders/list.html", context)


@require_http_methods(["GET", "POST"])
def order_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    user = request.user
    initial = {}
    if request.GET.get("hotspot", "").isdigit():
        hotspot = get_hotspot_for(user, int(request.GET["hotspot"]))
        if not can_create_order(user, hotspot):
            raise PermissionDenied
        initial = {"hotspot": hotspot.pk, "scope": "local"}
    elif not permissions.may_record_orders(user):
        raise PermissionDenied
    form = OrderForm(request.POST or None, request.FILES or None, user=user, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            order = services.order_create(by=user, **form.service_fields())
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The police order is recorded."))
            return redirect("hotspots:order_detail", pk=order.pk)
    return render(request, "hotspots/orders/form.html", {"form": form, "order": None})


@require_GET
def order_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    order = get_order_for(request.user, pk)
    context = {
        "order": order,
        "extensions": visible_orders(request.user).filter(extends=order).order_by("valid_from"),
        "can_change": can_change_order(request.user, order),
    }
    return render(request, "hotspots/orders/detail.html", context)


@require_http_methods(["GET", "POST"])
def order_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    order = get_order_for(request.user, pk, "change")
    form = OrderForm(
        request.POST or None,
        request.FILES or None,
        user=request.user,
        order=order,
        initial=order_initial(order),
    )
    if request.method == "POST" and form.is_valid():
        fields = form.service_fields()
        if fields["document"] is None:
            del fields["document"]
        try:
            services.order_update(order=order, by=request.user, **fields)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The police order is updated."))
            return redirect("hotspots:order_detail", pk=order.pk)
    return render(request, "hotspots/orders/form.html", {"form": form, "order": order})


@require_GET
def order_document(request: AuthenticatedHttpRequest, pk: int) -> FileResponse:
    order = get_order_for(request.user, pk)
    if not order.document:
        raise Http404
    try:
        handle = order.document.open("rb")
    except FileNotFoundError as missing:
        raise Http404 from missing
    response = FileResponse(
        handle,
        as_attachment=True,
        filename=PurePath(cast(str, order.document.name)).name,
        content_type="application/pdf",
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
