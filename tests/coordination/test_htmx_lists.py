"""Every list that pushes its URL (``hx-push-url``) goes through ``coordination.core.htmx``:
its responses vary on ``HX-Request``, an htmx request gets the fragment, and a history
restore (``HX-History-Restore-Request``) gets the whole page."""

from __future__ import annotations

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db

PUSHING_LISTS = [
    "overview:page",
    "audit:list",
    "search:page",
    "bulletins:list",
    "hotspots:orders",
    "hotspots:order_register",
    "hotspots:list_history",
    "taskforces:my_actions",
    "taskforces:practices",
    "taskforces:displacements",
]


@pytest.mark.parametrize("name", PUSHING_LISTS)
def test_a_pushed_list_varies_on_htmx_and_restores_the_whole_page(client, csir_coordinator, name):
    client.force_login(csir_coordinator)
    url = reverse(name)
    page = client.get(url)
    fragment = client.get(url, headers={"HX-Request": "true"})
    restore = client.get(url, headers={"HX-Request": "true", "HX-History-Restore-Request": "true"})
    for response in (page, fragment, restore):
        assert response.status_code == 200
        assert "HX-Request" in response["Vary"]
    assert "<html" in page.content.decode() and "<html" in restore.content.decode()
    assert "<html" not in fragment.content.decode()
