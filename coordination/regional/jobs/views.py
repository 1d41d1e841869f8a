"""The scheduled-work page, for the CSIR only.

Anybody else gets 404, not 403: the page is not in their menu and does not exist for them.
"""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.template.response import TemplateResponse
from django.views.decorators.http import require_GET

from coordination.jobs.permissions import can_view_scheduled_work
from coordination.people.http import AuthenticatedHttpRequest
from coordination.regional.jobs import selectors


@require_GET
def scheduled_work(request: AuthenticatedHttpRequest) -> HttpResponse:
    if not can_view_scheduled_work(request.user):
        raise Http404
    context = selectors.scheduled_work()
    context["leader"] = selectors.scheduler_leader()
    return TemplateResponse(request, "coordination/jobs/page.html", context)
