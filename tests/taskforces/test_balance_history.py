"""The axis balance reads per action the updates of its window and its latest update
(issue 16, the index on (action, at)): the figures stay those of the whole history."""

from __future__ import annotations

import datetime as dt

import pytest
from django.utils import timezone

from coordination.models import Axis
from taskforces.models import Action
from taskforces.selectors.balance import balances_for, balances_for_audience
from tests.factories import UserFactory
from tests.taskforces.test_axis_balance import axis_actions, plan_for, update

pytestmark = pytest.mark.django_db

PJ = Action.Confidentiality.POLICE_JUDICIAL
SECURITY, PREVENTION = Axis.SECURITY, Axis.PREVENTION


def weeks(delta: dt.timedelta) -> float:
    return delta / dt.timedelta(weeks=1)


@pytest.fixture
def author(db):
    return UserFactory(username="author")


def test_the_latest_update_is_found_beyond_the_window(hotspot_midi, author, csir_coordinator):
    plan = plan_for(hotspot_midi, weeks=60)
    actions = axis_actions(plan)
    for weeks_ago in (50, 30, 20):
        update(actions[SECURITY], weeks_ago=weeks_ago, author=author)
    update(actions[PREVENTION], weeks_ago=1, author=author)
    update(actions[PREVENTION], weeks_ago=12, author=author)
    result = balances_for(csir_coordinator, [plan.taskforce_id])[plan.taskforce_id]
    security, prevention = result.axis(SECURITY), result.axis(PREVENTION)
    now = timezone.now()
    assert security.updates == 0
    assert security.last_update is not None
    assert weeks(now - security.last_update) == pytest.approx(20, abs=0.01)
    assert prevention.updates == 1
    assert prevention.last_update is not None
    assert weeks(now - prevention.last_update) == pytest.approx(1, abs=0.01)
    # Seen from before the last updates: the ones after that moment do not count.
    earlier = now - dt.timedelta(weeks=25)
    past = balances_for(csir_coordinator, [plan.taskforce_id], as_of=earlier)
    last_then = past[plan.taskforce_id].axis(SECURITY).last_update
    assert last_then is not None
    assert weeks(security.last_update - last_then) == pytest.approx(10, abs=0.01)
    assert past[plan.taskforce_id].axis(PREVENTION).last_update is None


def test_a_later_police_judicial_update_is_skipped_for_outsiders(
    hotspot_midi, author, csir_analyst, csir_coordinator
):
    plan = plan_for(hotspot_midi)
    actions = axis_actions(plan)
    update(actions[SECURITY], weeks_ago=10, author=author)
    update(actions[SECURITY], weeks_ago=1, author=author, confidentiality=PJ)
    pk = plan.taskforce_id
    outside = balances_for(csir_analyst, [pk])[pk].axis(SECURITY)
    inside = balances_for(csir_coordinator, [pk])[pk].axis(SECURITY)
    assert (outside.updates, inside.updates) == (0, 1)
    assert outside.last_update is not None and inside.last_update is not None
    assert weeks(inside.last_update - outside.last_update) == pytest.approx(9, abs=0.01)
    cores = balances_for_audience([pk], police_judicial=False)[pk].axis(SECURITY)
    circle = balances_for_audience([pk], police_judicial=True)[pk].axis(SECURITY)
    assert (cores.updates, cores.last_update) == (0, outside.last_update)
    assert (circle.updates, circle.last_update) == (1, inside.last_update)
