"""The rows of the regional overview kept in the cache (issue 16): never one reader's row
shown to another, a write shows at once, one entry per language, the same queries."""

from __future__ import annotations

import re
import uuid

import pytest
from django.db import connection
from django.test import override_settings
from django.test.utils import CaptureQueriesContext
from django.utils import translation

from coordination.models import Agency, User
from coordination.regional.overview import rows as overview_rows
from coordination.regional.overview.selectors import OverviewFilters, regional_overview
from taskforces.models import Action, ActionPlan
from tests.factories import AgencyFactory, UserFactory
from tests.factories_taskforces import (
    ActionFactory,
    ActionPlanFactory,
    EscalationFactory,
    TaskForceFactory,
    member,
)
from tests.regional.test_overview import days

pytestmark = pytest.mark.django_db

URL = "/overview/"
PJ = Action.Confidentiality.POLICE_JUDICIAL


@pytest.fixture(autouse=True)
def own_cache():
    """A cache of this test's own (never the shared Redis: it is not flushed)."""
    caches = {
        "default": {
            "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
            "LOCATION": f"overview-{uuid.uuid4()}",
        }
    }
    with override_settings(CACHES=caches):
        yield


@pytest.fixture
def plan_midi(hotspot_midi) -> ActionPlan:
    return ActionPlanFactory(taskforce=TaskForceFactory(hotspot=hotspot_midi))


@pytest.fixture
def prosecutor(plan_midi) -> User:
    """A CoReS member of the prosecutor's office in the Midi task force's circle."""
    parquet = AgencyFactory(name_fr="Parquet", kind=Agency.Kind.PROSECUTOR)
    user = UserFactory(username="procureur", agency=parquet, role=User.Role.CORES_MEMBER)
    member(plan_midi.taskforce, user)
    return user


def row_html(client, user, code: str = "HS10", **params) -> str:
    """The HTML of the row of hotspot ``code`` on the page as ``user`` sees it."""
    client.force_login(user)
    response = client.get(URL, params)
    assert response.status_code == 200
    page = response.content.decode()
    rows = re.findall(r"<tr>\s*<th scope=\"row\".*?</tr>", page, flags=re.S)
    found = [row for row in rows if f"{code} " in row]
    assert len(found) == 1, rows
    return found[0]


def test_a_circle_members_row_is_never_shown_to_an_outsider(
    client, plan_midi, prosecutor, cores_member
):
    secret = ActionFactory(
        plan=plan_midi, due_on=days(-3), confidentiality=PJ, status=Action.Status.BLOCKED
    )
    EscalationFactory(action=secret)
    # The member of the circle first: the cache holds a row that counts the secret action.
    inside = row_html(client, prosecutor)
    assert '<span class="status status-late">1</span>' in inside
    assert '<span class="status status-blocked">1</span>' in inside
    # The outsider, on the same data, right after: nothing of it.
    outside = row_html(client, cores_member)
    assert "status-late" not in outside and "status-blocked" not in outside
    assert outside != inside
    # And the other way round, from the cache this time.
    assert row_html(client, prosecutor) == inside
    assert row_html(client, cores_member) == outside


def test_links_follow_the_reader(client, plan_midi, csir_coordinator, cores_member):
    """The plan link is there for the CSIR, not for a CoReS member outside the task force."""
    plan_url = f"/taskforces/{plan_midi.taskforce.pk}/"
    assert plan_url in row_html(client, csir_coordinator)
    assert plan_url not in row_html(client, cores_member)


def test_a_write_shows_at_once(client, plan_midi, csir_coordinator):
    before = row_html(client, csir_coordinator)
    assert "status-late" not in before
    ActionFactory(plan=plan_midi, due_on=days(-3))
    after = row_html(client, csir_coordinator)
    assert '<span class="status status-late">1</span>' in after
    hotspot = plan_midi.taskforce.hotspot
    hotspot.name_fr = "Gare du Midi renommée"
    hotspot.save(update_fields=["name_fr"])
    assert "Gare du Midi renommée" in row_html(client, csir_coordinator)


def test_one_entry_per_language(client, plan_midi, csir_coordinator):
    overview = regional_overview(csir_coordinator, OverviewFilters())
    (row,) = [row for row in overview.rows if row.hotspot.code == "HS10"]
    with translation.override("fr"):
        french_key = overview_rows.row_key(row)
        (french,) = overview_rows.rendered_rows([row])
    with translation.override("nl"):
        dutch_key = overview_rows.row_key(row)
        (dutch,) = overview_rows.rendered_rows([row])
    assert french_key != dutch_key
    assert "Gare du Midi" in french and "Zuidstation" in dutch
    assert "Zuidstation" not in french


def test_the_rows_come_from_the_cache_in_the_same_queries(
    client, plan_midi, csir_coordinator, monkeypatch
):
    ActionFactory(plan=plan_midi, due_on=days(-3))
    client.force_login(csir_coordinator)
    client.get(URL)  # warm up the process's caches (content types, permissions, map)
    with override_settings(
        CACHES={
            "default": {
                "BACKEND": "django.core.cache.backends.locmem.LocMemCache",
                "LOCATION": f"overview-{uuid.uuid4()}",
            }
        }
    ):
        with CaptureQueriesContext(connection) as cold:
            first = client.get(URL).content
        renders = []
        original = overview_rows.get_template

        def counting(name):
            renders.append(name)
            return original(name)

        monkeypatch.setattr(overview_rows, "get_template", counting)
        with CaptureQueriesContext(connection) as warm:
            second = client.get(URL).content
    assert renders == []  # every row from the cache
    assert len(warm.captured_queries) == len(cold.captured_queries)
    assert _rows(second) == _rows(first)


def _rows(content: bytes) -> list[str]:
    return re.findall(r"<tr>\s*<th scope=\"row\".*?</tr>", content.decode(), flags=re.S)
