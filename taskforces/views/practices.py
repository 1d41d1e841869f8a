"""What worked where: the evaluation of an ended action (record, revise, submit, review)
and the shared library of validated practices."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coordination.audit import viewlog
from coordination.core.htmx import htmx_partial
from coordination.people.http import AuthenticatedHttpRequest
from taskforces import permissions
from taskforces.forms.practices import (
    EvaluationForm,
    PracticeFilterForm,
    ReviewForm,
    evaluation_initial,
    translation_form,
)
from taskforces.models import Action
from taskforces.selectors import practices as selectors
from taskforces.services import practices as services

PAGE_SIZE = 20


def _page(
    request: AuthenticatedHttpRequest, action: Action, review_form: ReviewForm | None = None
) -> HttpResponse:
    context = selectors.evaluation_page(request.user, action)
    context["review_form"] = review_form or ReviewForm()
    viewlog.shown(request, [action], via=viewlog.VIA_PRACTICES)
    return render(request, "taskforces/practices/evaluation.html", context)


@require_GET
def evaluation_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = permissions.get_evaluation_for(request.user, pk)
    return _page(request, action)


@require_http_methods(["GET", "POST"])
def evaluation_edit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Record the evaluation of an ended action, or revise it (a new version once validated)."""
    action = permissions.get_evaluation_for(request.user, pk, "record")
    context = selectors.evaluation_page(request.user, action)
    if not context["can_record"]:  # a version is with the CSIR
        messages.info(request, _("The evaluation is with the CSIR for review."))
        return redirect("taskforces:evaluation", pk=action.pk)
    base = context["open_version"] or context["current"]
    data = request.POST if request.method == "POST" else None
    form = EvaluationForm(data, initial=evaluation_initial(base), action=action)
    translation = translation_form(base, base.language if base else "fr", data)
    if data is not None and form.is_valid() and translation.is_valid():
        fields = dict(form.cleaned_data)
        try:
            services.evaluation_save(
                action=action,
                by=request.user,
                translations=translation.translation_fields(),
                **fields,
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Evaluation saved. Submit it to the CSIR when ready."))
            return redirect("taskforces:evaluation", pk=action.pk)
    context.update({"form": form, "translation_form": translation})
    viewlog.shown(request, [action], via=viewlog.VIA_PRACTICES)
    return render(request, "taskforces/practices/evaluation_form.html", context)


@require_POST
def evaluation_submit(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = permissions.get_evaluation_for(request.user, pk, "record")
    try:
        services.evaluation_submit(action=action, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Evaluation submitted to the CSIR for validation."))
    return redirect("taskforces:evaluation", pk=action.pk)


@require_POST
def evaluation_review(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    action = permissions.get_evaluation_for(request.user, pk, "review")
    form = ReviewForm(request.POST)
    if form.is_valid():
        review = (
            services.evaluation_validate
            if form.cleaned_data["decision"] == "validate"
            else services.evaluation_return
        )
        try:
            review(
                action=action,
                by=request.user,
                comment=form.cleaned_data["comment"],
                language=form.cleaned_data.get("language"),
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Review recorded."))
            return redirect("taskforces:evaluation", pk=action.pk)
    return _page(request, action, review_form=form)


@require_GET
@htmx_partial("practice-results")
def practice_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The shared library: validated practices across every hotspot, filtered."""
    filters = PracticeFilterForm(request.GET)
    wanted = filters.values(request)
    versions = selectors.practices(
        request.user,
        phenomenon=wanted.get("phenomenon", ""),
        axis=wanted.get("axis", ""),
        market=wanted.get("market", ""),
        effect=wanted.get("effect", ""),
    )
    page = Paginator(versions, PAGE_SIZE).get_page(request.GET.get("page"))
    items = selectors.decorate(request.user, list(page.object_list))
    query = request.GET.copy()
    query.pop("page", None)
    awaiting = selectors.awaiting_review(request.user)
    context: dict[str, Any] = {
        "page": page,
        "items": items,
        "filters": filters,
        "query": query,
        "awaiting": awaiting,
    }
    shown = [item["action"] for item in items] + [v.evaluation.action for v in awaiting]
    viewlog.shown(request, shown, via=viewlog.VIA_PRACTICES)
    return TemplateResponse(request, "taskforces/practices/list.html", context)
