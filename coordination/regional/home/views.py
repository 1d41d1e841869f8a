"""The home page ('my work'): the panels the apps registered for the signed-in person."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from coordination.audit import viewlog
from coordination.core.registry import home_panels
from coordination.people.http import AuthenticatedHttpRequest


@require_GET
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """'My work': what the signed-in person has to do, by role."""
    panels = home_panels(request.user)
    # The panels show the items of their context's lists (actions, escalations of actions).
    shown = [item for p in panels for v in p.context.values() if isinstance(v, list) for item in v]
    viewlog.shown(request, shown, via=viewlog.VIA_HOME)
    return render(request, "coordination/home.html", {"panels": panels})
