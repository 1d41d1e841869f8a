"""A person's preferred language sets their interface after login; the FR/NL/EN switcher
used while signed in changes it (issue 12)."""

from __future__ import annotations

import pytest
from django.conf import settings
from django.urls import reverse

from coordination.models import AuditEntry
from tests.factories import TEST_PASSWORD, UserFactory

pytestmark = pytest.mark.django_db
COOKIE = settings.LANGUAGE_COOKIE_NAME


def test_the_preferred_language_sets_the_interface_after_login(client):
    person = UserFactory(username="lezer", preferred_language="nl")
    client.cookies[COOKIE] = "fr"  # the browser last showed French (signed out)
    response = client.post(
        reverse("login"), {"username": "lezer", "password": TEST_PASSWORD, "next": "/"}
    )
    assert response.status_code == 302
    assert response.cookies[COOKIE].value == "nl"  # the cookie follows the person
    page = client.get(reverse("notifications:list"))
    assert page.status_code == 200
    assert page.headers["Content-Language"] == "nl"
    assert '<html lang="nl"' in page.content.decode()
    assert person.preferred_language == "nl"


def test_a_login_without_a_person_choosing_changes_nothing(client):
    """``force_login`` (tests, scripts) is not a sign-in: the cookie decides."""
    client.force_login(UserFactory(username="script", preferred_language="nl"))
    client.cookies[COOKIE] = "en"
    assert client.get(reverse("notifications:list")).headers["Content-Language"] == "en"


def test_the_switcher_signed_in_changes_the_preferred_language(client):
    person = UserFactory(username="reader", preferred_language="fr")
    client.force_login(person)
    response = client.post(reverse("set_language"), {"language": "en", "next": "/"})
    assert response.status_code == 302 and response.cookies[COOKIE].value == "en"
    person.refresh_from_db()
    assert person.preferred_language == "en"
    entry = AuditEntry.objects.get(action="user.language")
    assert entry.actor == person and entry.changes == {"preferred_language": ["fr", "en"]}
    assert client.get(reverse("notifications:list")).headers["Content-Language"] == "en"
    person.refresh_from_db()
    # The same choice again records nothing; a language the portal lacks changes nothing.
    client.post(reverse("set_language"), {"language": "en", "next": "/"})
    client.post(reverse("set_language"), {"language": "de", "next": "/"})
    person.refresh_from_db()
    assert person.preferred_language == "en"
    assert AuditEntry.objects.filter(action="user.language").count() == 1


def test_the_switcher_signed_out_only_sets_the_cookie(client):
    response = client.post(reverse("set_language"), {"language": "nl", "next": "/"})
    assert response.status_code == 302 and response.cookies[COOKIE].value == "nl"
    assert not AuditEntry.objects.exists()
    assert client.get(reverse("set_language")).status_code == 405
