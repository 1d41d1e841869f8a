"""Headers: nothing the portal builds for a person is kept by a shared cache or on disk."""

from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse

from coordination.core.middleware import PrivateNoStoreMiddleware
from tests.coordination.test_settings import PRODUCTION, _manage


def directives(response) -> set[str]:
    return {part.strip() for part in response["Cache-Control"].split(",")}


@pytest.mark.parametrize(
    "name", ["home:index", "hotspots:list", "overview:page", "notifications:list"]
)
def test_every_signed_in_page_is_private_and_not_stored(client, csir_coordinator, name):
    client.force_login(csir_coordinator)
    response = client.get(reverse(name))
    assert response.status_code == 200
    assert {"private", "no-store"} <= directives(response)


def test_the_login_page_and_the_health_check_are_not_stored_either(client, db):
    for url in (reverse("login"), reverse("core:healthz")):
        response = client.get(url)
        assert {"private", "no-store"} <= directives(response), url


def test_a_refusal_is_not_stored(client, db, csir_analyst):
    client.force_login(csir_analyst)
    response = client.get("/hotspots/999999/")
    assert response.status_code == 404
    assert {"private", "no-store"} <= directives(response)


def test_static_files_keep_their_own_caching(client, db):
    response = client.get("/static/css/portal.css")
    if response.status_code == 404:
        pytest.skip("no portal.css in this layout")
    assert "no-store" not in response.get("Cache-Control", "")


def test_public_directive_is_replaced_for_a_signed_in_person(rf: RequestFactory, csir_analyst):
    def view(request):
        response = HttpResponse("x")
        response["Cache-Control"] = "public, max-age=600"
        return response

    request = rf.get("/")
    request.user = csir_analyst
    response = PrivateNoStoreMiddleware(view)(request)
    assert "public" not in directives(response)
    assert {"private", "no-store"} <= directives(response)


def test_cookies_are_secure_in_production():
    code = (
        "from django.conf import settings as s; "
        "print(s.LANGUAGE_COOKIE_SECURE, s.LANGUAGE_COOKIE_HTTPONLY, s.SESSION_COOKIE_SECURE, "
        "s.CSRF_COOKIE_SECURE)"
    )
    result = _manage("shell", "--no-imports", "-c", code, **PRODUCTION)
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines()[-1].split() == ["True", "True", "True", "True"]
