"""Views of the register of police orders: what was in force where on a day, each order's
amendments and publication checklist; record an amendment; tick a publication step.

Nothing here deletes or undoes: amendments and steps done stay in the record.
"""

from __future__ import annotations

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coordination.core.htmx import htmx_partial, wants_fragment
from coordination.people.http import AuthenticatedHttpRequest
from hotspots.forms.order_register import (
    AmendmentForm,
    RegisterDateForm,
    StepDoneForm,
    amendment_initial,
)
from hotspots.permissions import can_amend_order, get_order_for, get_publication_step_for
from hotspots.selectors import order_register as selectors
from hotspots.services import order_register as services


@require_GET
@htmx_partial("register-in-force")
def order_register(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The register as of a day (today by default): a bad date is ignored and said."""
    form = RegisterDateForm(request.GET)
    on = form.values(request).get("on") or timezone.localdate()
    context = {
        "form": form,
        "register": selectors.register(request.user, on),
        "step_form": StepDoneForm(initial={"done_on": timezone.localdate()}),
    }
    return TemplateResponse(request, "hotspots/order_register/page.html", context)


@require_http_methods(["GET", "POST"])
def amendment_new(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    order = get_order_for(request.user, pk)
    if not can_amend_order(request.user, order):
        raise PermissionDenied
    latest = order.amendments.order_by("-number").prefetch_related("hotspots").first()
    form = AmendmentForm(
        request.POST or None,
        user=request.user,
        order=order,
        first=latest is None,
        initial=amendment_initial(order, latest),
    )
    if request.method == "POST" and form.is_valid():
        try:
            amendment = services.amendment_record(
                order=order, by=request.user, **form.service_fields()
            )
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("The change to the police order is recorded."))
            url = reverse("hotspots:order_register")
            return redirect(f"{url}?on={amendment.valid_from.isoformat()}#order-{order.pk}")
    context = {"form": form, "order": order, "latest": latest}
    return render(request, "hotspots/order_register/amendment_form.html", context)


@require_POST
def step_done(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Tick one publication step: a commune its own posting, the CSIR any step."""
    step = get_publication_step_for(request.user, pk, "tick")
    form = StepDoneForm(request.POST)
    error = ""
    if form.is_valid():
        try:
            step = services.step_mark_done(
                step=step, by=request.user, done_on=form.cleaned_data["done_on"]
            )
        except ValidationError as problem:
            error = " ".join(problem.messages)
    else:
        error = " ".join(str(message) for errors in form.errors.values() for message in errors)
    if wants_fragment(request):
        step = get_publication_step_for(request.user, pk)
        today = timezone.localdate()
        entry = selectors.StepEntry(
            step=step,
            can_tick=not step.is_done,
            late=step.is_late(today),
            mine=selectors.owns_step(request.user, step),
        )
        context = {"entry": entry, "step_form": form if error else StepDoneForm(), "error": error}
        response = render(request, "hotspots/order_register/_step_row.html", context)
        response["Vary"] = "HX-Request"
        return response
    if error:
        messages.error(request, error)
    else:
        messages.success(request, _("The publication step is recorded as done."))
    return redirect(f"{reverse('hotspots:order_register')}#step-{step.pk}")
