"""The second factor, enforced on every page (TWO_FACTOR_ENFORCED)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any
from urllib.parse import urlencode

from django.conf import settings
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django_htmx.http import HttpResponseClientRedirect

from coordination.people.two_factor import has_second_factor, must_use_two_factor

# The pages a signed-in person reaches before the second step (with the views marked
# login_not_required: the login page, the language switch, /healthz, the admin's login).
EXEMPT_NAMESPACE = "two_factor"
EXEMPT_NAMES = frozenset({"logout"})
# A person who needs no second step is asked again after this long: a new role, a
# circle joined or an app set up elsewhere takes effect without signing out.
RECHECK_SECONDS = 300
_SESSION_KEY = "two_factor_not_due_until"


def second_factor_due(request: HttpRequest) -> bool:
    """Whether the signed-in person must pass the second step before going on: they must
    use two factors or have set up an app, and have not verified this session."""
    user: Any = request.user
    if not settings.TWO_FACTOR_ENFORCED or not user.is_authenticated or user.is_verified():
        return False
    checked = request.session.get(_SESSION_KEY)
    if checked and checked[0] == user.pk and checked[1] > time.time():
        return False
    due = must_use_two_factor(user) or has_second_factor(user)
    if not due:
        request.session[_SESSION_KEY] = [user.pk, time.time() + RECHECK_SECONDS]
    return due


def second_step_url(request: HttpRequest) -> str:
    """Where the second step happens: the code, or the set-up for a person without app."""
    name = "two_factor:verify" if has_second_factor(request.user) else "two_factor:enrol"  # type: ignore[arg-type]
    target = request.get_full_path() if request.method == "GET" else ""
    if request.htmx and request.htmx.current_url_abs_path:  # type: ignore[attr-defined]
        target = request.htmx.current_url_abs_path  # type: ignore[attr-defined]
    url = reverse(name)
    return f"{url}?{urlencode({'next': target})}" if target else url


class TwoFactorMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        return self.get_response(request)

    def process_view(
        self, request: HttpRequest, view_func: Callable, view_args: Any, view_kwargs: Any
    ) -> HttpResponse | None:
        if not getattr(view_func, "login_required", True):
            return None
        match = request.resolver_match
        if match is not None and (
            EXEMPT_NAMESPACE in match.namespaces or match.url_name in EXEMPT_NAMES
        ):
            return None
        if not second_factor_due(request):
            return None
        url = second_step_url(request)
        if request.htmx:  # type: ignore[attr-defined]
            return HttpResponseClientRedirect(url)
        return HttpResponseRedirect(url)
