"""Every URL of the portal is behind the login, but the few public ones."""

import re

import pytest
from django.urls import URLPattern, URLResolver, get_resolver

pytestmark = pytest.mark.django_db

PUBLIC = {"/accounts/login/", "/healthz", "/i18n/setlang/", "/admin/login/"}
# A person's secret calendar address: calendar apps poll it without a session; an unknown
# token answers 404 (tests/taskforces/test_calendar_feed.py).
PUBLIC.add("/calendar/x.ics")
# Browsers ask for the icon before anyone signs in (tests/taskforces/test_small_faults.py).
PUBLIC.add("/favicon.ico")


def _urls(resolver=None, prefix: str = ""):
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            yield from _urls(entry, prefix + str(entry.pattern))
        elif isinstance(entry, URLPattern):
            yield prefix + str(entry.pattern)


def _concrete(pattern: str) -> str:
    """A sample URL for a route or regex pattern, with a plausible value per parameter."""
    url = re.sub(r"<int:\w+>", "1", pattern)
    url = re.sub(r"<(?:str|slug):\w+>", "x", url)
    url = re.sub(r"<uuid:\w+>", "00000000-0000-0000-0000-000000000000", url)
    url = re.sub(r"<path:\w+>", "x", url)
    url = re.sub(r"<\w+>", "x", url)
    url = re.sub(r"\(\?P<\w+>[^)]*\)", "1", url)  # admin regexes like (?P<app_label>...)
    url = url.replace("^", "").replace("$", "").replace("\\Z", "").replace("\\", "")
    return "/" + url.lstrip("/")


def test_every_url_needs_a_login(client):
    checked = 0
    for pattern in _urls():
        url = _concrete(pattern)
        if url in PUBLIC:
            continue
        response = client.get(url, follow=True)
        assert response.redirect_chain, f"{url} answered {response.status_code} without login"
        assert response.request["PATH_INFO"] == "/accounts/login/", url
        checked += 1
    assert checked > 10


def test_public_pages(client):
    assert client.get("/accounts/login/").status_code == 200
    assert client.get("/healthz").status_code == 200
    admin_login = client.get("/admin/login/?next=/admin/")
    assert admin_login.status_code == 302
    assert admin_login["Location"].startswith("/accounts/login/")
