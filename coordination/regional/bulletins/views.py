"""Information exchange pages: CSIR bulletins and good practices shared between task forces."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from coordination.core import once
from coordination.core.htmx import htmx_partial
from coordination.people.http import AuthenticatedHttpRequest
from coordination.regional.bulletins import permissions as bulletin_permissions
from coordination.regional.bulletins import selectors, services
from coordination.regional.bulletins.forms import (
    BulletinCorrectionForm,
    BulletinFilterForm,
    BulletinForm,
    BulletinWithdrawForm,
    GoodPracticeForm,
)
from hotspots.forms.bilingual import bilingual_initial

PAGE_SIZE = 25


@require_GET
@htmx_partial("bulletin-table")
def bulletin_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    filters = BulletinFilterForm(request.GET)
    wanted = filters.values(request)
    bulletins = selectors.bulletin_list(
        request.user, kind=wanted.get("kind", ""), unread=wanted.get("unread", False)
    )
    context: dict[str, Any] = {
        "page": Paginator(bulletins, PAGE_SIZE).get_page(request.GET.get("page")),
        "filters": filters,
        "query": request.GET.copy(),
        "can_publish": bulletin_permissions.can_publish(request.user),
        "can_share": bulletin_permissions.sharing_taskforces(request.user).exists(),
        # The links to the create forms carry their one-time tokens (coordination.core.once).
        "new_token": once.fresh(),
        "share_token": once.fresh(),
    }
    context["query"].pop("page", None)
    return TemplateResponse(request, "coordination/bulletins/list.html", context)


def _already_published(request: AuthenticatedHttpRequest, done: once.AlreadyDone) -> HttpResponse:
    """The form was sent a second time (the back button): show what the first time made."""
    messages.info(
        request, _("Already published: this form was sent before, nothing was sent again.")
    )
    return redirect("bulletins:detail", pk=done.obj.pk)


def _form_page(request: AuthenticatedHttpRequest) -> dict[str, Any]:
    """What a create form page shows besides its form: the bulletin it already published,
    when the person came back to it after sending it."""
    token = once.parse(request.GET.get(once.FIELD)) if request.method == "GET" else None
    return {"sent": selectors.sent_with(request.user, token), "once_token": once.fresh()}


@require_http_methods(["GET", "POST"])
def bulletin_new(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not bulletin_permissions.can_publish(request.user):
        raise PermissionDenied
    form = BulletinForm(request.POST or None, initial={"once": once.token(request)})
    if request.method == "POST" and form.is_valid():
        try:
            bulletin = services.bulletin_publish(by=request.user, **form.cleaned_data)
        except once.AlreadyDone as done:
            return _already_published(request, done)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Bulletin published; its readers have been told."))
            return redirect("bulletins:detail", pk=bulletin.pk)
    context = {"form": form, "practice": False, **_form_page(request)}
    return render(request, "coordination/bulletins/form.html", context)


@require_http_methods(["GET", "POST"])
def good_practice_share(request: AuthenticatedHttpRequest) -> HttpResponse:
    taskforces = bulletin_permissions.sharing_taskforces(request.user)
    if not taskforces.exists():
        raise PermissionDenied
    form = GoodPracticeForm(
        request.POST or None, taskforces=taskforces, initial={"once": once.token(request)}
    )
    if request.method == "POST" and form.is_valid():
        try:
            bulletin = services.good_practice_share(by=request.user, **form.cleaned_data)
        except once.AlreadyDone as done:
            return _already_published(request, done)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Good practice shared with every task force."))
            return redirect("bulletins:detail", pk=bulletin.pk)
    context = {"form": form, "practice": True, **_form_page(request)}
    return render(request, "coordination/bulletins/form.html", context)


@require_GET
def bulletin_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Opening a bulletin is reading it: the receipt is recorded on the way."""
    bulletin = bulletin_permissions.get_bulletin_for(request.user, pk)
    services.bulletin_mark_read(bulletin=bulletin, user=request.user)
    context = selectors.bulletin_page(request.user, bulletin)
    return render(request, "coordination/bulletins/detail.html", context)


@require_GET
def bulletin_readers(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Who read the bulletin: for its author and the CSIR."""
    bulletin = bulletin_permissions.get_bulletin_for(request.user, pk, "readers")
    context = selectors.readers_page(bulletin)
    return render(request, "coordination/bulletins/readers.html", context)


@require_http_methods(["GET", "POST"])
def bulletin_correct(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Publish the corrected next version: the author or the CSIR."""
    bulletin = bulletin_permissions.get_bulletin_for(request.user, pk, "change")
    initial = {
        "once": once.token(request),
        "title": bulletin.title,
        "body": bulletin.body,
        **bilingual_initial(bulletin),
    }
    form = BulletinCorrectionForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            correction = services.bulletin_correct(
                bulletin=bulletin, by=request.user, **form.cleaned_data
            )
        except once.AlreadyDone as done:
            return _already_published(request, done)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Correction published; those who had read the bulletin have been told.")
            )
            return redirect("bulletins:detail", pk=correction.pk)
    context = {"form": form, "bulletin": bulletin, **_form_page(request)}
    return render(request, "coordination/bulletins/correct.html", context)


@require_http_methods(["GET", "POST"])
def bulletin_withdraw(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Withdraw the bulletin, with a reason: the author or the CSIR."""
    bulletin = bulletin_permissions.get_bulletin_for(request.user, pk, "change")
    form = BulletinWithdrawForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.bulletin_withdraw(
                bulletin=bulletin, by=request.user, reason=form.cleaned_data["reason"]
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(
                request, _("Bulletin withdrawn; those who had read it have been told.")
            )
            return redirect("bulletins:detail", pk=bulletin.pk)
    return render(
        request, "coordination/bulletins/withdraw.html", {"form": form, "bulletin": bulletin}
    )
