"""htmx list partials, one way everywhere (STYLE.md §5).

A filtered list pushes its URL (``hx-push-url``) and swaps only its results. The same URL
then answers two ways, so the response must say it varies on ``HX-Request`` (or a cache,
the browser's back button included, would serve the fragment as the page); and when htmx
restores history after a cache miss it asks for the URL again with ``HX-History-Restore-
Request``: that request needs the whole page, not the fragment.
"""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any

from django.http import HttpRequest, HttpResponse
from django.template.response import TemplateResponse
from django.utils.cache import patch_vary_headers


def wants_fragment(request: HttpRequest) -> bool:
    """An htmx request that swaps part of the page (not a history restore)."""
    htmx = getattr(request, "htmx", None)
    return bool(htmx) and not htmx.history_restore_request  # type: ignore[union-attr]


def htmx_partial(fragment: str) -> Callable[[Callable[..., Any]], Callable[..., HttpResponse]]:
    """Decorate a list view returning a ``TemplateResponse`` of its whole page: an htmx
    request gets the named partial ``fragment`` of that page instead; every response
    varies on ``HX-Request``. Without JavaScript the page works as it is."""

    def decorator(view: Callable[..., Any]) -> Callable[..., HttpResponse]:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            response = view(request, *args, **kwargs)
            if isinstance(response, TemplateResponse) and wants_fragment(request):
                response.template_name = f"{response.template_name}#{fragment}"
            patch_vary_headers(response, ["HX-Request"])
            return response

        return wrapped

    return decorator
