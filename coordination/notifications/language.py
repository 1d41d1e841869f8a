"""A person's preferred language sets their interface once they are signed in.

(Here, beside the notification preferences that also choose it, because it is set
through :func:`coordination.notifications.services.preferred_language_set`.)

``User.preferred_language`` is the person's language (their e-mails use it too). When they
sign in, :func:`apply_on_login` activates it and :class:`PreferredLanguageMiddleware` puts
it in the language cookie, so the pages after login are in their language on any device
(Django's ``LocaleMiddleware`` reads the cookie). Choosing FR/NL/EN with the switcher
while signed in changes ``preferred_language`` too (:func:`set_language`), so the choice
follows them to their next sign-in and their e-mails. Signed out, the switcher only sets
the cookie, as Django's own view does.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.http import HttpRequest, HttpResponse, HttpResponseBase
from django.utils import translation
from django.views.decorators.http import require_POST
from django.views.i18n import set_language as django_set_language

from coordination.notifications.services import preferred_language_set

LANGUAGES = frozenset(code for code, _name in settings.LANGUAGES)


def _set_cookie(response: HttpResponseBase, language: str) -> None:
    response.set_cookie(
        settings.LANGUAGE_COOKIE_NAME,
        language,
        max_age=settings.LANGUAGE_COOKIE_AGE,
        path=settings.LANGUAGE_COOKIE_PATH,
        domain=settings.LANGUAGE_COOKIE_DOMAIN,
        secure=settings.LANGUAGE_COOKIE_SECURE,
        httponly=settings.LANGUAGE_COOKIE_HTTPONLY,
        samesite=settings.LANGUAGE_COOKIE_SAMESITE,
    )


# Set on the request by :func:`apply_on_login`; the middleware puts it in the cookie.
PENDING = "_preferred_language"


@receiver(user_logged_in)
def apply_on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """A person who signs in gets their preferred language from this response on.

    Only a sign-in through the login pages (a POST of credentials or of a second-factor
    code): ``force_login`` in tests and scripts has no person choosing anything.
    """
    if request is None or request.method != "POST":
        return
    wanted = getattr(user, "preferred_language", "")
    if wanted in LANGUAGES:
        translation.activate(wanted)
        request.LANGUAGE_CODE = wanted
        setattr(request, PENDING, wanted)


class PreferredLanguageMiddleware:
    """Puts the language chosen at sign-in (:func:`apply_on_login`) in the language cookie,
    which Django's ``LocaleMiddleware`` then reads on every request."""

    def __init__(self, get_response: Callable[[HttpRequest], HttpResponseBase]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponseBase:
        response = self.get_response(request)
        wanted = getattr(request, PENDING, "")
        if wanted and request.COOKIES.get(settings.LANGUAGE_COOKIE_NAME) != wanted:
            _set_cookie(response, wanted)
        return response


@login_not_required
@require_POST
def set_language(request: HttpRequest) -> HttpResponse:
    """Django's ``set_language`` (cookie and redirect); signed in, it also records the
    choice as the person's preferred language (audited)."""
    response = django_set_language(request)
    language = request.POST.get("language", "")
    user = request.user
    if (
        user.is_authenticated
        and language in LANGUAGES
        and language != user.preferred_language
        and response.status_code in (302, 204)
    ):
        preferred_language_set(person=user, language=language)
    return response
