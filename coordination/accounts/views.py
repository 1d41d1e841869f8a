"""The second step of signing in, the set-up of an authenticator app, the security page
and the lock-out page. Thin: the rules and writes are in coordination/people/two_factor.py."""

from __future__ import annotations

from http import HTTPStatus
from urllib.parse import urlencode

import segno
from django.conf import settings
from django.contrib import messages
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.shortcuts import redirect, render, resolve_url
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import get_language
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET, require_http_methods, require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from coordination.accounts.forms import CodeForm
from coordination.accounts.services import (
    recovery_codes_regenerate,
    second_factor_check,
    two_factor_enrol,
    two_factor_remove,
)
from coordination.people.http import AuthenticatedHttpRequest
from coordination.people.two_factor import (
    has_second_factor,
    must_use_two_factor,
    new_secret,
    recovery_codes_left,
    secret_base32,
    throttled_seconds,
)

# The secret of an app being set up waits in the session until its first code confirms it.
PENDING_KEY = "two_factor_pending_key"


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return resolve_url(settings.LOGIN_REDIRECT_URL)


def _with_next(name: str, request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next")
    url = reverse(name)
    return f"{url}?{urlencode({'next': target})}" if target else url


def _unverified(request: AuthenticatedHttpRequest) -> bool:
    """A person with an app who has not given a code this session: only the code step."""
    return not request.user.is_verified() and has_second_factor(request.user)  # type: ignore[attr-defined]


def _signed_in(request: HttpRequest, device) -> None:
    otp_login(request, device)
    # A new session id once verified: one seen before the second step is worth nothing.
    request.session.cycle_key()


@never_cache
@require_http_methods(["GET", "POST"])
def verify(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The second step: a code from the app or a recovery code."""
    user = request.user
    if user.is_verified():  # type: ignore[attr-defined]
        return HttpResponseRedirect(_next(request))
    if not has_second_factor(user):
        return redirect(_with_next("two_factor:enrol", request))
    form = CodeForm(request.POST or None, recovery=True)
    if request.method == "POST" and form.is_valid():
        code = form.cleaned_data["code"]
        wait = throttled_seconds(user=user, token=code)
        device = None if wait else second_factor_check(user=user, token=code)
        if device is not None:
            _signed_in(request, device)
            return HttpResponseRedirect(_next(request))
        if wait:
            form.add_error(
                "code",
                _("Too many wrong codes. Wait %(seconds)s seconds, then try again.")
                % {"seconds": wait},
            )
        else:
            form.add_error(
                "code",
                _(
                    "This code is not valid. Enter the code your app shows now (check the "
                    "phone's clock), or a recovery code you have not used yet."
                ),
            )
    return render(
        request,
        "two_factor/verify.html",
        {
            "form": form,
            "next": request.POST.get("next") or request.GET.get("next", ""),
            "help_email": settings.ACCOUNT_HELP_EMAIL,
        },
    )


@never_cache
@require_http_methods(["GET", "POST"])
def enrol(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Set up an authenticator app: QR code and secret, confirmed by a first code."""
    user = request.user
    if _unverified(request):
        # Replacing the app needs the current one: a password alone changes nothing.
        return redirect(_with_next("two_factor:verify", request))
    key = request.session.get(PENDING_KEY) or new_secret()
    request.session[PENDING_KEY] = key
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        enrolment = two_factor_enrol(user=user, key=key, token=form.cleaned_data["code"])
        if enrolment is not None:
            del request.session[PENDING_KEY]
            _signed_in(request, enrolment.device)
            return render(
                request,
                "two_factor/recovery_codes.html",
                {"codes": enrolment.recovery_codes, "next": _next(request), "enrolled": True},
            )
        form.add_error(
            "code",
            _(
                "This code does not match. Scan the QR code again (or type the key), then "
                "enter the code the app shows now."
            ),
        )
    device = TOTPDevice(user=user, key=key)
    qr = segno.make(device.config_url, error="m")
    return render(
        request,
        "two_factor/enrol.html",
        {
            "form": form,
            "qr_svg": qr.svg_inline(scale=5, light="white", svgclass="qr-code", title=_("QR code")),
            "secret": " ".join(secret_base32(key)[i : i + 4] for i in range(0, 32, 4)),
            "required": must_use_two_factor(user),
            "replacing": has_second_factor(user),
            "next": request.POST.get("next") or request.GET.get("next", ""),
        },
    )


@never_cache
@require_GET
def security(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The person's security page: their second factor and recovery codes."""
    user = request.user
    if _unverified(request):
        return redirect(_with_next("two_factor:verify", request))
    return render(
        request,
        "two_factor/index.html",
        {
            "enrolled": has_second_factor(user),
            "required": must_use_two_factor(user),
            "codes_left": recovery_codes_left(user),
        },
    )


@never_cache
@require_POST
def recovery_codes(request: AuthenticatedHttpRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working), shown once."""
    user = request.user
    if _unverified(request):
        return redirect("two_factor:verify")
    if not has_second_factor(user):
        messages.error(request, _("Set up an authenticator app first."))
        return redirect("two_factor:index")
    codes = recovery_codes_regenerate(user=user)
    return render(
        request,
        "two_factor/recovery_codes.html",
        {"codes": codes, "next": reverse("two_factor:index"), "enrolled": False},
    )


@require_POST
def turn_off(request: AuthenticatedHttpRequest) -> HttpResponse:
    """Remove one's own app and codes, for a person who need not use two factors."""
    user = request.user
    if _unverified(request):
        return redirect("two_factor:verify")
    if must_use_two_factor(user):
        messages.error(
            request,
            _(
                "Your role requires two-factor authentication: you can replace your app, "
                "not turn it off."
            ),
        )
        return redirect("two_factor:index")
    two_factor_remove(user=user, by=user)
    messages.success(request, _("Two-factor authentication is off."))
    return redirect("two_factor:index")


def locked_out(request: HttpRequest, original_response=None, credentials=None) -> HttpResponse:
    """The lock-out page (``AXES_LOCKOUT_CALLABLE``), HTTP 429.

    It says the same whether the account exists or not, and names no address or count
    beyond the configured cool-off: it tells an attacker nothing axes does not.
    """
    current = (get_language() or settings.LANGUAGE_CODE)[:2]
    return render(
        request,
        "registration/locked_out.html",
        {
            "minutes": int(settings.AXES_COOLOFF_TIME.total_seconds() // 60),
            "help_email": settings.ACCOUNT_HELP_EMAIL,
            # Brussels is bilingual: the message in the other official language(s) too.
            "other_languages": [code for code in ("fr", "nl") if code != current],
        },
        status=HTTPStatus.TOO_MANY_REQUESTS,
    )
