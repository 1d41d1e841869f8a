"""The strategy page: the periods, the one in force and the decision due."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from coordination.people import permissions
from coordination.strategy import selectors


@require_GET
def strategy(request: HttpRequest) -> HttpResponse:
    if not permissions.can_read_regional_overview(request.user):
        raise PermissionDenied
    return render(request, "coordination/strategy.html", {"summary": selectors.strategy_summary()})
