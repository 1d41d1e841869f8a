"""Views that belong to no feature: the health check for load balancers, the favicon."""

from __future__ import annotations

from typing import Any

import redis
from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import HttpRequest, HttpResponseRedirect, JsonResponse
from django.templatetags.static import static
from django.utils.cache import patch_cache_control
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from coordination.core import registry


def broker_status() -> str | None:
    """'ok' when the Celery broker answers, an error text when not, None when there is none."""
    if not settings.REDIS_URL:
        return None
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as exc:
        return f"error: {exc.__class__.__name__}"
    return "ok"


@login_not_required
@never_cache
@require_GET
def healthz(request: HttpRequest) -> JsonResponse:
    """For load balancers and monitoring.

    The status (200 or 503) says whether this web node can serve: the database answers.
    ``checks`` also says whether the broker answers, when one is configured: a broker down
    makes the status "degraded" but keeps 200, as a stale heartbeat (worker or beat down)
    does: a load balancer would otherwise pull every web node for a fault they cannot
    mend, while the portal still serves its pages and the outbox keeps the follow-up work
    until the broker is back. ``detail`` adds, for monitoring, what the apps registered
    (``registry.add_health_detail``): the heartbeat's age and whether it is stale, the
    outbox rows pending and the age of the oldest. Monitoring alerts on a "degraded"
    status and on ``detail.heartbeat.stale``.
    No secret: no address, host name or error message, only exception class names.
    """
    checks: dict[str, str] = {}
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
        checks["database"] = "ok"
    except Exception as exc:
        checks["database"] = f"error: {exc.__class__.__name__}"
    broker = broker_status()
    if broker is not None:
        checks["broker"] = broker
    healthy = checks["database"] == "ok"
    degraded = healthy and any(value != "ok" for value in checks.values())
    detail: dict[str, Any] = {}
    if checks["database"] == "ok":
        for key, read in registry.health_details():
            try:
                detail[key] = read()
            except Exception as exc:
                detail[key] = {"error": exc.__class__.__name__}
    return JsonResponse(
        {
            "status": ("degraded" if degraded else "ok") if healthy else "error",
            "checks": checks,
            "detail": detail,
        },
        status=200 if healthy else 503,
    )


#: How long a browser keeps ``/favicon.ico``'s answer (a day: the icon may change with a
#: release, and the static file it points to carries its own long cache).
FAVICON_MAX_AGE = 24 * 60 * 60


@login_not_required
@require_GET
def favicon(request: HttpRequest) -> HttpResponseRedirect:
    """Browsers ask for ``/favicon.ico`` whatever the page says: send them to the SVG icon.

    A temporary redirect, cached for a day: a permanent one would pin the (hashed) static
    name in browsers for good.
    """
    response = HttpResponseRedirect(static("favicon.svg"))
    patch_cache_control(response, public=True, max_age=FAVICON_MAX_AGE)
    return response
