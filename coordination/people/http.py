"""The request as the portal's views receive it, for the type checker only.

LoginRequiredMiddleware lets only a signed-in person reach a view not marked
`login_not_required`, so `request.user` is a `User`; HtmxMiddleware adds `request.htmx`.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.http import HttpRequest

if TYPE_CHECKING:
    from django_htmx.middleware import HtmxDetails

    from coordination.people.models import User


class AuthenticatedHttpRequest(HttpRequest):
    user: User
    htmx: HtmxDetails
