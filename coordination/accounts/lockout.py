"""django-axes hooks: the client's address, and the lock-out signal."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.http import HttpRequest

from coordination.accounts.services import lockout_recorded


def client_ip(request: HttpRequest) -> str | None:
    """The address a lock-out is counted against (``AXES_CLIENT_IP_CALLABLE``).

    Behind ``LOGIN_TRUSTED_PROXIES`` reverse proxies, each appends the address it received
    from to X-Forwarded-For: the entry that many places from the end is the one the
    outermost trusted proxy saw. Anything further left was written by the client and is
    ignored. Without proxies, the connection's own address.
    """
    proxies = settings.LOGIN_TRUSTED_PROXIES
    if proxies > 0:
        forwarded = [
            part.strip()
            for part in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",")
            if part.strip()
        ]
        if len(forwarded) >= proxies:
            return forwarded[-proxies]
    return request.META.get("REMOTE_ADDR")


def on_locked_out(sender: Any, request: HttpRequest, username: str | None, **kwargs: Any) -> None:
    """Audit the lock-out once: when this failure crossed the limit.

    Axes sends the signal again for each attempt refused while locked; then it has not
    counted the attempt (``axes_failures_since_start`` is None) and nothing is recorded.
    """
    failures = getattr(request, "axes_failures_since_start", None)
    if failures is None:
        return
    lockout_recorded(
        username=username or "",
        ip_address=kwargs.get("ip_address") or "",
        failures=failures,
    )
