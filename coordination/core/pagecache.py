"""The main pages kept in the cache for the session that saw them, until the data changes.

Most requests of the week are the same person reading the same pages again (the home,
the overview, a plan) while nothing changed. :class:`PageCacheMiddleware` keeps the
HTML a view returned for ``GET`` of a page named in ``settings.PAGE_CACHE_VIEWS`` and
gives it back to the *same person* (any of their signed-in browsers) as long as:

* the **data version** (:mod:`coordination.core.dataversion`, kept by the database's own
  triggers on every governed table) has not changed: any write, by any path, makes a new
  key;
* the entry is younger than ``settings.PAGE_CACHE_SECONDS`` (bounds what depends on the
  clock within a day, e.g. "2 hours ago", and a deployment's new templates);
* it is the same Brussels day (late, due soon, "in N days"), the same language, the same
  address and query string, the same htmx request headers.

Never one person's view for another: the key holds the person (their id and the hash
that signs their sessions: a new password starts afresh). Nothing else of a session
is on a page but its CSRF tokens: they are taken out when the page is kept (each token
of the page is checked against the rendering request's secret, whatever template wrote
it) and a token of the serving request's own secret is put in their place, so the forms
of a page served to a person's other browser post with that browser's token. A change
of permissions, membership or role is a write, hence a new version. Every access check
of the view ran when the entry was made; the middlewares before this one (sign-in, two
factors, lock-out) run on every request. A person's second browser, a new sign-in or a
new day's first visit thus costs one rendering per person, not one per browser.

One rendering at a time per person and page: while a request renders a page, the same
page asked for by the same person (another browser, a reload) waits for it up to
:data:`RENDER_WAIT_SECONDS` instead of rendering it again (a burst of first visits no
longer renders each page once per browser).

A browser that has no CSRF cookie yet (a session made elsewhere) is served and kept
too: it gets a secret of its own, set as its cookie by Django's CSRF middleware.

Not kept: responses other than 200 ``text/html``, responses that set a cookie, pages
rendered while flash messages were pending. The views of
police-judicial items a page showed (:mod:`coordination.audit.viewlog`, through
:func:`keep_with_page`) are kept with it and recorded again each time it is served. If
the cache is unreachable the page is rendered as usual.
"""

from __future__ import annotations

import contextlib
import hashlib
import logging
import re
import time
from collections.abc import Callable
from typing import Any, cast

from django.conf import settings
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse
from django.http.response import HttpResponseBase
from django.middleware.csrf import CSRF_TOKEN_LENGTH, get_token
from django.middleware.csrf import _does_token_match as _token_matches  # type: ignore[attr-defined]
from django.utils import timezone, translation

from coordination.core import dataversion

logger = logging.getLogger(__name__)

KEY_PREFIX = "page"
#: The request headers a view may answer differently (htmx partials, history restore).
VARY_HEADERS = (
    "HTTP_HX_REQUEST",
    "HTTP_HX_TARGET",
    "HTTP_HX_TRIGGER_NAME",
    "HTTP_HX_HISTORY_RESTORE_REQUEST",
    "HTTP_HX_BOOSTED",
)
#: The response headers kept with the page (the others are set again on the way out).
KEPT_HEADERS = ("Content-Type", "Content-Language", "Vary", "HX-Push-Url", "HX-Retarget")
_STATE = "_page_cache"
_LOCK = "_page_cache_rendering"
#: While a page is rendered for a person, the same page asked for by them again (another
#: browser, a double click) waits for it, at most :data:`RENDER_WAIT_SECONDS`, then is
#: rendered anyway; the mark expires after :data:`RENDER_LOCK_SECONDS` if its request died.
RENDER_LOCK_SECONDS = 10
RENDER_WAIT_SECONDS = 3.0
RENDER_POLL_SECONDS = 0.02

#: What a request noted while its page was rendered and must note again when the page is
#: served from the cache: name → (read it off the request, put it back on a request).
#: Registered by the layers above (the view log of police-judicial items).
_companions: dict[str, tuple[Callable[[HttpRequest], Any], Callable[[HttpRequest, Any], None]]] = {}


def keep_with_page(
    name: str, save: Callable[[HttpRequest], Any], restore: Callable[[HttpRequest, Any], None]
) -> None:
    """Keep ``save(request)`` with each cached page; ``restore`` it on each serving."""
    _companions[name] = (save, restore)


def enabled() -> bool:
    return settings.PAGE_CACHE_SECONDS > 0


def _pending_messages(request: HttpRequest) -> bool:
    storage: Any = getattr(request, "_messages", None)
    if storage is None:
        return False
    return bool(storage._queued_messages) or bool(storage._loaded_messages)


def page_key(request: HttpRequest, version: int) -> str:
    """The entry's key: who (the person), what page, which data, which day."""
    user: Any = request.user
    parts = [
        str(user.pk),
        user.get_session_auth_hash(),
        request.get_full_path(),
        translation.get_language() or "",
        timezone.localdate().isoformat(),
        str(version),
        *(request.META.get(header, "") for header in VARY_HEADERS),
    ]
    digest = hashlib.blake2b("\x1f".join(parts).encode(), digest_size=20).hexdigest()
    return f"{KEY_PREFIX}:{digest}"


def _lookup_key(request: HttpRequest) -> str | None:
    """The key for this request, or ``None`` when it may not be served from or kept."""
    if not enabled() or request.method != "GET":
        return None
    match = request.resolver_match
    if match is None or match.view_name not in settings.PAGE_CACHE_VIEWS:
        return None
    user = getattr(request, "user", None)
    session = getattr(request, "session", None)
    if user is None or not user.is_authenticated or session is None or not session.session_key:
        return None
    if _pending_messages(request):
        return None
    version = dataversion.current()
    if version is None:
        return None
    return page_key(request, version)


#: A CSRF token as Django writes it (64 letters and digits), alone.
_TOKEN = re.compile(rb"(?<![A-Za-z0-9])[A-Za-z0-9]{%d}(?![A-Za-z0-9])" % CSRF_TOKEN_LENGTH)


def _without_tokens(content: bytes, secret: str) -> list[bytes]:
    """``content`` cut where the CSRF tokens of ``secret`` were, to be joined again with a
    token of the serving request (Django's own check tells a token from other text of 64
    letters and digits)."""
    parts: list[bytes] = []
    start = 0
    for match in _TOKEN.finditer(content):
        if _token_matches(match.group().decode(), secret):
            parts.append(content[start : match.start()])
            start = match.end()
    parts.append(content[start:])
    return parts


def _keep(request: HttpRequest, response: HttpResponseBase) -> dict[str, Any] | None:
    if response.status_code != 200 or response.streaming or response.cookies:
        return None
    if not response.get("Content-Type", "").startswith("text/html"):
        return None
    if not isinstance(response, HttpResponse) or _pending_messages(request):
        return None
    # The secret the page's tokens were made of: the browser's, or the one get_token made
    # for it while the page was rendered; none, no token in the page.
    secret = request.META.get("CSRF_COOKIE", "")
    return {
        "content": _without_tokens(response.content, secret) if secret else [response.content],
        "headers": {h: response[h] for h in KEPT_HEADERS if h in response},
        "companions": {name: save(request) for name, (save, _r) in _companions.items()},
    }


def _serve(request: HttpRequest, entry: dict[str, Any]) -> HttpResponse:
    # The tokens of this browser's own secret (one for all: each is valid).
    token = get_token(request).encode()
    response = HttpResponse(token.join(entry["content"]))
    for header, value in entry["headers"].items():
        response[header] = value
    for name, kept in entry["companions"].items():
        if name in _companions:
            _companions[name][1](request, kept)
    response["X-Page-Cache"] = "hit"
    return response


def _awaited(key: str) -> dict[str, Any] | None:
    """The entry another request is rendering under ``key``, once kept; ``None`` if it
    is not kept in time, or if that request ended without keeping it (a page with flash
    messages, an error): this request then renders the page itself."""
    deadline = time.monotonic() + RENDER_WAIT_SECONDS
    while time.monotonic() < deadline:
        time.sleep(RENDER_POLL_SECONDS)
        entries = cache.get_many([key, f"{key}:{_LOCK}"])
        if key in entries:
            return cast(dict[str, Any], entries[key])
        if f"{key}:{_LOCK}" not in entries:
            return None
    return None


class PageCacheMiddleware:
    """Serves and keeps the pages of ``PAGE_CACHE_VIEWS`` (see the module's docstring).

    Last in ``MIDDLEWARE``: sign-in, two factors and lock-out run before it on every
    request, and the view log middleware records the served entries' views after it.
    """

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        try:
            response = self.get_response(request)
            key = getattr(request, _STATE, None)
            if key is not None:
                entry = _keep(request, response)
                if entry is not None:
                    try:
                        cache.set(key, entry, settings.PAGE_CACHE_SECONDS)
                    except Exception:
                        logger.warning("Page cache unreachable: page not kept", exc_info=True)
            return response
        finally:
            lock = getattr(request, _LOCK, None)
            if lock is not None:
                with contextlib.suppress(Exception):
                    cache.delete(lock)

    def process_view(
        self, request: HttpRequest, view_func: Callable, view_args: Any, view_kwargs: Any
    ) -> HttpResponseBase | None:
        key = _lookup_key(request)
        if key is None:
            return None
        try:
            entry = cache.get(key)
            if entry is None and not cache.add(f"{key}:{_LOCK}", 1, RENDER_LOCK_SECONDS):
                # Another request of this person renders this page now: wait for it
                # rather than render it again (a burst of first visits, e.g. a morning).
                entry = _awaited(key)
            elif entry is None:
                setattr(request, _LOCK, f"{key}:{_LOCK}")
        except Exception:
            logger.warning("Page cache unreachable: page rendered", exc_info=True)
            return None
        if entry is not None:
            return _serve(request, entry)
        setattr(request, _STATE, key)
        return None
