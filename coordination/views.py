"""Views of the regional layer: home, strategy, health check."""

from __future__ import annotations

from django.contrib.auth.decorators import login_not_required
from django.core.exceptions import PermissionDenied
from django.db import connection
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from coordination import permissions, selectors
from coordination.home import home_panels


@require_GET
def home(request: HttpRequest) -> HttpResponse:
    """'My work': what the signed-in person has to do, by role."""
    return render(request, "coordination/home.html", {"panels": home_panels(request.user)})


@require_GET
def strategy(request: HttpRequest) -> HttpResponse:
    if not permissions.can_read_regional_overview(request.user):
        raise PermissionDenied
    return render(request, "coordination/strategy.html", {"summary": selectors.strategy_summary()})


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers: the database answers, and the broker when one is configured."""
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {exc.__class__.__name__}"
    broker = selectors.broker_status()
    if broker is not None:
        checks["broker"] = broker
    healthy = all(value == "ok" for value in checks.values())
    return JsonResponse(
        {"status": "ok" if healthy else "error", "checks": checks}, status=200 if healthy else 503
    )
