"""Response headers every page of the portal carries."""

from __future__ import annotations

from collections.abc import Callable

from django.http import HttpRequest, HttpResponseBase
from django.utils.cache import patch_cache_control


class PrivateNoStoreMiddleware:
    """``Cache-Control: private, no-store`` on every response the portal's views build.

    Pages, exports (the plan CSV can hold police-judicial rows), PDFs and calendar feeds
    are personal: no shared cache (proxy, CDN) may keep them, and no browser may write them
    to disk. A response already marked ``public`` by its view keeps its own policy, unless
    a person is signed in. Static files never reach this middleware: WhiteNoise answers
    them first, with their own long-lived caching.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        user = getattr(request, "user", None)
        signed_in = bool(user is not None and user.is_authenticated)
        if signed_in or "public" not in response.get("Cache-Control", ""):
            # Merged with the view's own directives; ``private`` replaces ``public``.
            patch_cache_control(response, private=True, no_store=True)
        return response
