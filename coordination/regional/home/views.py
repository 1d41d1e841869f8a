"""The home page ('my work'): the panels the apps registered for the signed-in person."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from coordination.core.registry import home_panels
from coordination.people.http import AuthenticatedHttpRequest


@require_GET
def home(request: AuthenticatedHttpRequest) -> HttpResponse:
    """'My work': what the signed-in person has to do, by role."""
    return render(request, "coordination/home.html", {"panels": home_panels(request.user)})
