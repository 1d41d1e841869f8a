"""Browser journey of two-factor authentication, in Chromium: a CSIR analyst without an app
is led to the set-up at sign-in, reads the key off the page, confirms it with a code made
from it, sees the recovery codes once, and the next sign-in asks for a code."""

from __future__ import annotations

import base64

import pytest
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from coordination.audit.models import AuditEntry

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def _code(secret_base32: str, *, step_ahead: int = 0) -> str:
    padded = secret_base32 + "=" * (-len(secret_base32) % 8)
    totp = TOTP(base64.b32decode(padded), drift=step_ahead)
    return f"{totp.token():06d}"


def test_set_up_at_sign_in_then_sign_in_with_the_code(
    page, login, browser, live_server, settings, csir_analyst
):
    settings.TWO_FACTOR_ENFORCED = True

    login(csir_analyst)
    page.wait_for_url("**/accounts/two-factor/set-up/**")
    assert page.locator("svg.qr-code").is_visible()
    secret = page.locator("#totp-secret").inner_text().replace(" ", "")
    assert len(secret) == 32

    # A wrong code first: refused, the same key stays on the page.
    page.locator("input[name=code]").fill("000000")
    page.locator("main button[type=submit]").click()
    assert page.locator(".field-errors").is_visible()
    assert page.locator("#totp-secret").inner_text().replace(" ", "") == secret

    page.locator("input[name=code]").fill(_code(secret))
    page.locator("main button[type=submit]").click()
    codes = page.locator("#recovery-codes code").all_inner_texts()
    assert len(codes) == 10
    page.locator("main a.button").click()
    page.get_by_role("navigation", name="Navigation principale").wait_for()
    assert TOTPDevice.objects.get(user=csir_analyst).confirmed
    assert AuditEntry.objects.filter(action="two_factor_enrolled").count() == 1

    # The next sign-in, in a fresh browser: password, then the code (the next time step's:
    # the one just used is spent).
    context = browser.new_context(base_url=live_server.url, locale="fr-BE")
    other = context.new_page()
    try:
        other.goto("/accounts/login/")
        other.locator("input[name=username]").fill(csir_analyst.username)
        other.locator("input[name=password]").fill("correct-horse-battery-staple")
        other.locator("main button[type=submit]").click()
        other.wait_for_url("**/accounts/two-factor/verify/**")
        other.locator("input[name=code]").fill(_code(secret, step_ahead=1))
        other.locator("main button[type=submit]").click()
        other.get_by_role("navigation", name="Navigation principale").wait_for()
        assert "/accounts/" not in other.url
    finally:
        context.close()

    # And a recovery code, through the login fixture's second step.
    page.context.clear_cookies()
    login(csir_analyst, code=codes[0])
    page.get_by_role("navigation", name="Navigation principale").wait_for()
    assert AuditEntry.objects.filter(action="two_factor_recovery_code_used").count() == 1
