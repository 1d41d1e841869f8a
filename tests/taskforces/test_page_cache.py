"""The page cache: a page served again to the person who saw it (any of their browsers,
each with its own CSRF tokens), never after a write, never to anyone else
(coordination/core/pagecache.py, coordination/core/dataversion.py).

Every write path counts because the database counts the writes: ``QuerySet.update``,
``bulk_create``, raw SQL, a guardian grant or revocation. The views of police-judicial
items a cached page shows are recorded at each serving.
"""

from __future__ import annotations

import re
import threading
import time
from unittest import mock

import pytest
from django.contrib.messages import constants
from django.contrib.messages.storage.base import Message
from django.contrib.messages.storage.cookie import CookieStorage
from django.db import connection
from django.middleware.csrf import _does_token_match
from django.test import Client, RequestFactory, override_settings
from django.urls import reverse
from guardian.shortcuts import remove_perm

from coordination.audit import viewlog
from coordination.core import dataversion, pagecache
from coordination.models import AuditEntry
from taskforces.models import Action, TaskForce

pytestmark = [pytest.mark.django_db, pytest.mark.usefixtures("page_cache_on")]


@pytest.fixture
def page_cache_on():
    with override_settings(PAGE_CACHE_SECONDS=120):
        yield


def fetch(client, url: str, **extra):
    response = client.get(url, **extra)
    assert response.status_code == 200, response.status_code
    return response


def warm(client, url: str) -> None:
    """The page rendered and kept (and the browser's CSRF cookie set)."""
    fetch(client, url)
    fetch(client, url)


def hit(response) -> bool:
    return response.get("X-Page-Cache") == "hit"


def test_every_governed_table_counts_and_the_read_side_tables_do_not():
    tables = dataversion.tables()
    for model in (Action, TaskForce):
        assert model._meta.db_table in tables
    assert "guardian_userobjectpermission" in tables
    assert AuditEntry._meta.db_table not in tables  # the view log is written by reading


def test_the_version_moves_with_every_kind_of_write(cast):
    before = dataversion.current()
    Action.objects.filter(pk=cast.security.pk).update(title="Patrouilles renforcées")
    after_update = dataversion.current()
    assert after_update is not None and before is not None and after_update > before
    with connection.cursor() as cursor:
        cursor.execute(
            f"UPDATE {Action._meta.db_table} SET title = %s WHERE id = %s",  # noqa: S608
            ["Patrouilles de nuit", cast.security.pk],
        )
    assert dataversion.current() > after_update
    moved = dataversion.current()
    viewlog.record_view(actor=cast.police, target=cast.secret, via="plan_page")
    assert dataversion.current() == moved  # read-side rows do not count


def test_a_page_is_served_again_until_the_data_changes(client, cast):
    url = reverse("taskforces:plan", args=[cast.taskforce.pk])
    client.force_login(cast.coordinator)
    warm(client, url)
    again = fetch(client, url)
    assert hit(again)
    assert cast.security.title in again.content.decode()
    # A write by a path no service sees: the next page is rendered afresh and shows it.
    Action.objects.filter(pk=cast.security.pk).update(title="Contrôles coordonnés gare")
    fresh = fetch(client, url)
    assert not hit(fresh)
    assert "Contrôles coordonnés gare" in fresh.content.decode()


def test_a_page_is_never_served_to_another_person(client, cast):
    url = reverse("taskforces:plan", args=[cast.taskforce.pk])
    client.force_login(cast.police)
    warm(client, url)
    assert cast.secret.title in fetch(client, url).content.decode()
    other = Client()
    other.force_login(cast.association)
    first = fetch(other, url)
    assert not hit(first)
    assert cast.secret.title not in first.content.decode()
    fetch(other, url)
    kept = fetch(other, url)
    assert hit(kept) and cast.secret.title not in kept.content.decode()


def tokens(response) -> list[str]:
    """The page's CSRF tokens: its forms' and the one htmx sends (``hx-headers``)."""
    page = response.content.decode()
    found = re.findall(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]+)"', page)
    found += re.findall(r'"X-CSRFToken": "([A-Za-z0-9]+)"', page)
    return found


def test_the_same_persons_other_browser_is_served_with_its_own_form_tokens(cast):
    url = reverse("taskforces:plan", args=[cast.taskforce.pk])
    first = Client(enforce_csrf_checks=True)
    first.force_login(cast.police)
    warm(first, url)
    second = Client(enforce_csrf_checks=True)
    second.force_login(cast.police)  # another sign-in: its own session and CSRF secret
    fetch(second, reverse("notifications:list"))  # its CSRF cookie
    served = fetch(second, url)
    assert hit(served)
    assert cast.secret.title in served.content.decode()
    first_secret = first.cookies["csrftoken"].value
    second_secret = second.cookies["csrftoken"].value
    assert first_secret != second_secret
    found = tokens(served)
    assert len(found) >= 2, "the page has forms and htmx headers"
    for token in found:
        assert _does_token_match(token, second_secret)
        assert not _does_token_match(token, first_secret)
    # Its forms post with those tokens (Django's CSRF check on), and nothing else changed.
    page = served.content.decode()
    assert page.count(found[0]) >= len(found)
    posted = second.post(
        reverse("set_language"),
        {"language": "nl", "next": url, "csrfmiddlewaretoken": found[0]},
    )
    assert posted.status_code == 302


def test_a_browser_without_a_csrf_cookie_yet_is_served_and_given_its_own(cast):
    """A session made elsewhere (another sign-in, a script): no CSRF cookie yet. It is
    served the person's kept page with tokens of a secret made for it, set as its cookie;
    and a page it renders is kept for the person's other browsers."""
    url = reverse("taskforces:plan", args=[cast.taskforce.pk])
    first = Client(enforce_csrf_checks=True)
    first.force_login(cast.police)
    assert "csrftoken" not in first.cookies
    rendered = fetch(first, url)
    assert not hit(rendered)
    first_secret = first.cookies["csrftoken"].value  # set by the rendering
    second = Client(enforce_csrf_checks=True)
    second.force_login(cast.police)
    assert "csrftoken" not in second.cookies
    served = fetch(second, url)
    assert hit(served)  # kept from the first browser's first visit
    second_secret = served.cookies["csrftoken"].value
    assert second_secret != first_secret
    found = tokens(served)
    assert len(found) >= 2
    assert all(_does_token_match(token, second_secret) for token in found)
    assert not any(_does_token_match(token, first_secret) for token in found)
    posted = second.post(
        reverse("set_language"),
        {"language": "nl", "next": url, "csrfmiddlewaretoken": found[0]},
    )
    assert posted.status_code == 302


def test_signing_in_leaves_the_pages_kept_but_a_change_of_person_does_not(client, cast):
    url = reverse("taskforces:plan", args=[cast.taskforce.pk])
    client.force_login(cast.coordinator)
    warm(client, url)
    before = dataversion.current()
    other = Client()
    other.force_login(cast.police)  # last_login written
    assert dataversion.current() == before
    assert hit(fetch(client, url))
    type(cast.police).objects.filter(pk=cast.police.pk).update(first_name="Renée")
    assert dataversion.current() > before
    assert not hit(fetch(client, url))


def test_a_revoked_object_permission_is_not_hidden_by_the_cache(client, cast):
    url = reverse("taskforces:detail", args=[cast.taskforce.pk])
    client.force_login(cast.association)
    warm(client, url)
    assert hit(fetch(client, url))
    remove_perm("view_taskforce", cast.association, cast.taskforce)
    assert client.get(url).status_code == 404


def test_the_police_judicial_views_are_recorded_each_time_a_kept_page_is_served(client, cast):
    url = reverse("taskforces:plan", args=[cast.taskforce.pk])
    client.force_login(cast.police)
    warm(client, url)
    before = AuditEntry.objects.filter(action=viewlog.VIEW_ACTION, actor=cast.police).count()
    assert hit(fetch(client, url))
    entries = AuditEntry.objects.filter(action=viewlog.VIEW_ACTION, actor=cast.police)
    assert entries.count() == before + 1
    last = entries.latest("pk")
    assert last.target_id == str(cast.secret.pk)
    assert last.changes == {"via": "plan_page"}
    assert last.target_repr == cast.secret.title


def test_htmx_partials_and_full_pages_are_kept_apart(client, cast):
    url = reverse("taskforces:my_actions")
    client.force_login(cast.police)
    warm(client, url)
    full = fetch(client, url)
    partial = fetch(client, url, HTTP_HX_REQUEST="true")
    assert not hit(partial)
    assert b"<html" in full.content and b"<html" not in partial.content


def test_pages_with_flash_messages_are_neither_served_nor_kept(client, cast):
    url = reverse("taskforces:plan", args=[cast.taskforce.pk])
    client.force_login(cast.coordinator)
    warm(client, url)
    storage = CookieStorage(RequestFactory().get("/"))
    client.cookies[storage.cookie_name] = storage._encode(
        [Message(constants.SUCCESS, "Plan enregistré")]
    )
    shown = fetch(client, url)
    assert not hit(shown) and "Plan enregistré" in shown.content.decode()
    after = fetch(client, url)
    assert hit(after) and "Plan enregistré" not in after.content.decode()


def test_the_page_is_rendered_when_the_cache_is_unreachable(client, cast):
    url = reverse("taskforces:plan", args=[cast.taskforce.pk])
    client.force_login(cast.coordinator)
    fetch(client, url)
    with (
        mock.patch("coordination.core.pagecache.cache.get", side_effect=ConnectionError),
        mock.patch("coordination.core.pagecache.cache.set", side_effect=ConnectionError),
    ):
        response = fetch(client, url)
    assert not hit(response)
    assert cast.security.title in response.content.decode()


def test_off_when_the_setting_is_zero(client, cast):
    url = reverse("taskforces:plan", args=[cast.taskforce.pk])
    client.force_login(cast.coordinator)
    with override_settings(PAGE_CACHE_SECONDS=0):
        warm(client, url)
        assert not hit(fetch(client, url))


def test_a_database_without_the_data_version_serves_every_page_uncached(client, cast, monkeypatch):
    """Code deployed before ``migrate`` ran: no number, no cache, no error."""
    url = reverse("taskforces:plan", args=[cast.taskforce.pk])
    client.force_login(cast.coordinator)
    monkeypatch.setattr(dataversion, "SEQUENCE", "portal_data_version_not_migrated")
    assert dataversion.current() is None
    warm(client, url)
    response = fetch(client, url)
    assert not hit(response) and cast.security.title in response.content.decode()


def _kept_key(client, url: str) -> tuple[str, dict]:
    """The key and entry under which ``url`` is kept for ``client``'s person."""
    keys: list[str] = []
    original = pagecache.cache.set

    def spy(key, value, *args, **kwargs):
        keys.append(key)
        return original(key, value, *args, **kwargs)

    with mock.patch.object(pagecache.cache, "set", side_effect=spy):
        fetch(client, url)
    assert keys, "the page was kept"
    return keys[-1], pagecache.cache.get(keys[-1])


def _rendering_elsewhere(client, url: str) -> tuple[str, dict, str]:
    """As if another browser of the same person were rendering ``url`` now: its entry
    gone and its render mark set. The key, the entry it had and the mark."""
    key, entry = _kept_key(client, url)
    pagecache.cache.delete(key)
    lock = f"{key}:{pagecache._LOCK}"
    assert pagecache.cache.add(lock, 1, 10)
    return key, entry, lock


def test_a_page_being_rendered_for_the_person_is_awaited_not_rendered_again(client, cast):
    url = reverse("taskforces:plan", args=[cast.taskforce.pk])
    client.force_login(cast.coordinator)
    key, entry, lock = _rendering_elsewhere(client, url)

    def rendered_elsewhere():
        pagecache.cache.set(key, entry, 60)
        pagecache.cache.delete(lock)

    timer = threading.Timer(0.3, rendered_elsewhere)
    started = time.monotonic()
    timer.start()
    with mock.patch("taskforces.views.plans._plan_page", side_effect=AssertionError) as view:
        served = fetch(client, url)
    timer.join()
    assert hit(served) and time.monotonic() - started >= 0.3
    assert cast.security.title in served.content.decode()
    assert not view.called


def test_a_page_whose_rendering_ended_unkept_is_rendered_by_the_waiting_request(client, cast):
    url = reverse("taskforces:plan", args=[cast.taskforce.pk])
    client.force_login(cast.coordinator)
    key, _entry, lock = _rendering_elsewhere(client, url)
    timer = threading.Timer(0.2, lambda: pagecache.cache.delete(lock))
    timer.start()
    served = fetch(client, url)
    timer.join()
    assert not hit(served) and cast.security.title in served.content.decode()
    # Its own rendering is kept, and its mark removed.
    assert pagecache.cache.get(key) is not None
    assert pagecache.cache.get(lock) is None
