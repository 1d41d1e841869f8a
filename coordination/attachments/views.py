"""Attachments: upload (htmx or plain form), new version, withdrawal, verified download."""

from __future__ import annotations

import logging
from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.db.models import Model
from django.http import FileResponse, Http404, HttpResponse
from django.http.response import HttpResponseBase
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import patch_vary_headers
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coordination.attachments import permissions, selectors, services
from coordination.attachments.forms import AttachmentForm, WithdrawForm
from coordination.attachments.models import Attachment
from coordination.audit import viewlog
from coordination.core.htmx import wants_fragment
from coordination.people.http import AuthenticatedHttpRequest

logger = logging.getLogger(__name__)
PANEL = "attachments/_panel.html"


def _next(request: AuthenticatedHttpRequest, default: str) -> str:
    """Back to the page the form was on, if it is one of ours."""
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return default


def _panel(request: AuthenticatedHttpRequest, obj: Model, **context: Any) -> HttpResponse:
    context = {"object": obj, "attachment_next": _next(request, ""), **context}
    response = render(request, PANEL, context)
    patch_vary_headers(response, ["HX-Request"])
    return response


@require_http_methods(["GET", "POST"])
def upload(request: AuthenticatedHttpRequest, kind: str, object_id: int) -> HttpResponse:
    """A new document on the object (its page's panel posts here, with or without htmx)."""
    obj, _provider = permissions.get_target_for(request.user, kind, object_id, "attach")
    form = AttachmentForm(request.POST or None, request.FILES or None, target=obj)
    if request.method == "POST" and form.is_valid():
        try:
            attachment = services.attachment_add(
                obj=obj, upload=form.cleaned_data["file"], by=request.user
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            if wants_fragment(request):
                return _panel(request, obj, attachment_saved=attachment)
            messages.success(request, _("The document is attached."))
            return redirect(_next(request, attachment_url(attachment)))
    if wants_fragment(request):
        return _panel(request, obj, attachment_form=form)
    context = {"form": form, "object": obj, "next": _next(request, "")}
    status = 400 if form.is_bound else 200
    return render(request, "attachments/upload.html", context, status=status)


def attachment_url(attachment: Attachment) -> str:
    return reverse("attachments:detail", args=[attachment.pk])


@require_GET
def detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """A document with all its versions; its new-version and withdrawal forms."""
    attachment = permissions.get_attachment_for(request.user, pk)
    context = {
        "attachment": attachment,
        "object": attachment.target,
        "versions": list(attachment.versions.select_related("uploaded_by").order_by("-number")),
        "may_attach": permissions.may_attach(request.user, services.target_of(attachment)),
        "form": AttachmentForm(),
        "withdraw_form": WithdrawForm(),
    }
    return render(request, "attachments/detail.html", context)


@require_http_methods(["GET", "POST"])
def upload_version(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    attachment = permissions.get_attachment_for(request.user, pk, "attach")
    form = AttachmentForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        try:
            version = services.attachment_add_version(
                attachment=attachment, upload=form.cleaned_data["file"], by=request.user
            )
        except ValidationError as error:
            form.add_error("file", error)
        else:
            messages.success(
                request, _("Version %(number)s is uploaded.") % {"number": version.number}
            )
            return redirect("attachments:detail", pk=attachment.pk)
    context = {"form": form, "object": attachment.target, "attachment": attachment}
    return render(request, "attachments/upload.html", context, status=400 if form.is_bound else 200)


@require_http_methods(["GET", "POST"])
def withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    attachment = permissions.get_attachment_for(request.user, pk, "attach")
    form = WithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.attachment_withdraw(
                attachment=attachment, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The document is withdrawn; its versions are kept."))
            return redirect("attachments:detail", pk=attachment.pk)
    context = {"form": form, "attachment": attachment, "object": attachment.target}
    return render(request, "attachments/withdraw.html", context)


@require_GET
def download(request: AuthenticatedHttpRequest, pk: int, number: int) -> HttpResponseBase:
    """One version of a document, through the object's permission check, verified against
    its SHA-256 before a byte is sent."""
    version = permissions.get_version_for(request.user, pk, number)
    try:
        content = selectors.verified_copy(version)
    except FileNotFoundError as missing:
        logger.error("Attachment %s v%s: the file is missing.", pk, number)
        raise Http404 from missing
    except selectors.ChecksumMismatch:
        # Never send a file that is not the one uploaded and recorded: say so instead.
        logger.error("Attachment %s v%s does not match its SHA-256; download refused.", pk, number)
        context = {"attachment": version.attachment, "version": version}
        return render(request, "attachments/refused.html", context, status=409)
    response = FileResponse(
        content,
        as_attachment=True,
        filename=version.original_name,
        content_type=version.media_type,
    )
    response["X-Content-Type-Options"] = "nosniff"
    response["Cache-Control"] = "private, no-store"
    # A document of a police-judicial item shows that item: recorded like a page view
    # (with the action an update or escalation belongs to, which decides its circle).
    owner = version.attachment.target
    viewlog.shown(request, [owner, getattr(owner, "action", None)], via=viewlog.VIA_ATTACHMENT)
    return response
