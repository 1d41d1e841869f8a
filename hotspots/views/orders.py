"""Views of police orders: list, record, read, correct, download the signed PDF.

There is no delete view: an order is a legal act and stays in the record.
"""

from __future__ import annotations

import io
import logging
from pathlib import PurePath
from typing import IO, cast

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coordination.core.bounds import parse_id
from coordination.core.htmx import htmx_partial
from coordination.people.http import AuthenticatedHttpRequest
from hotspots import permissions
from hotspots.forms.orders import OrderFilterForm, OrderForm, order_initial
from hotspots.models import OrderDocument
from hotspots.permissions import (
    can_change_order,
    can_create_order,
    get_hotspot_for,
    get_order_for,
    visible_orders,
)
from hotspots.selectors import orders as selectors
from hotspots.services import orders as services

logger = logging.getLogger(__name__)


@require_GET
@htmx_partial("orders-table")
def order_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = OrderFilterForm(request.GET)
    wanted = filters.values(request)
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
    if hotspot_id := parse_id(request.GET.get("hotspot")):
        hotspot = get_hotspot_for(user, hotspot_id)
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
        "documents": selectors.document_versions(order),
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
def order_document(request: AuthenticatedHttpRequest, pk: int) -> HttpResponseBase:
    """The current signed document (the latest version), checked against its SHA-256."""
    order = get_order_for(request.user, pk)
    if not order.document:
        raise Http404
    latest = order.documents.order_by("-number").first()
    if latest is None:
        # Attached outside the services, before versions existed: nothing to check against.
        try:
            handle = order.document.open("rb")
        except FileNotFoundError as missing:
            raise Http404 from missing
        return _pdf_response(handle, PurePath(cast(str, order.document.name)).name)
    latest.order = order
    return _verified_download(request, latest)


@require_GET
def order_document_version(
    request: AuthenticatedHttpRequest, pk: int, number: int
) -> HttpResponseBase:
    """One version of the signed document, for whoever may see the order."""
    return _verified_download(request, permissions.get_order_document_for(request.user, pk, number))


def _verified_download(
    request: AuthenticatedHttpRequest, document: OrderDocument
) -> HttpResponseBase:
    try:
        content = selectors.verified_content(document)
    except FileNotFoundError as missing:
        raise Http404 from missing
    except selectors.DocumentMismatch:
        # Never stream a file that is not the one signed and recorded: say so instead.
        logger.error(
            "Police order %s document v%s does not match its SHA-256; download refused.",
            document.order_id,
            document.number,
        )
        context = {"order": document.order, "document": document}
        return render(request, "hotspots/orders/document_refused.html", context, status=409)
    name = f"{PurePath(cast(str, document.file.name)).stem}.pdf"
    return _pdf_response(io.BytesIO(content), name)


def _pdf_response(handle: IO[bytes], filename: str) -> FileResponse:
    response = FileResponse(
        handle, as_attachment=True, filename=filename, content_type="application/pdf"
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
