"""The task-force demo data: complete, fast and idempotent."""

from __future__ import annotations

import datetime as dt
import time

import pytest
from django.test.utils import override_settings
from django.utils import timezone

from coordination.regional.demo import seed as coordination_demo
from hotspots import demo as hotspot_demo
from hotspots.models import Hotspot
from taskforces import demo
from taskforces.models import (
    Action,
    ActionUpdate,
    Escalation,
    Meeting,
    MeetingDecision,
    PlanVersion,
    TaskForce,
)
from taskforces.selectors import actions as action_selectors
from taskforces.selectors import plans as plan_selectors

pytestmark = pytest.mark.django_db
QUIET = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}


@pytest.fixture
def base():
    with override_settings(MAILERS=QUIET):
        agencies = coordination_demo.seed_agencies()
        people = coordination_demo.seed_people(agencies)
        coordination_demo.seed_strategy(by=people["csir.coordinator"])
        hotspots = hotspot_demo.seed(people=people)
    return people, hotspots, agencies


def test_demo_task_forces(base):
    people, hotspots, agencies = base
    started = time.monotonic()
    demo.seed(people=people, hotspots=hotspots, agencies=agencies)
    elapsed = time.monotonic() - started
    assert elapsed < 30, f"the task-force demo took {elapsed:.1f}s"

    active = Hotspot.objects.filter(status=Hotspot.Status.ACTIVE)
    assert TaskForce.objects.filter(hotspot__in=active).count() == active.count() >= 10
    for taskforce in TaskForce.objects.filter(hotspot__in=active).select_related("hotspot"):
        kinds = set(taskforce.memberships.values_list("agency__kind", flat=True))
        assert len(kinds) >= 4, taskforce
        count = taskforce.plan.actions.count()
        assert 15 <= count <= 40, (taskforce, count)
        assert set(taskforce.plan.actions.values_list("axis", flat=True)) == {
            "security",
            "prevention",
            "neighbourhood",
        }
        assert taskforce.meetings.exists()
    states = {
        tf.hotspot.code: plan_selectors.current_version(tf.plan).state
        for tf in TaskForce.objects.select_related("hotspot", "plan")
    }
    assert states["HS08"] == PlanVersion.State.RETURNED
    assert states["HS12"] == PlanVersion.State.SUBMITTED
    assert states["HS10"] == PlanVersion.State.DRAFT  # changed since validation
    assert states["HS01"] == PlanVersion.State.VALIDATED
    assert Escalation.objects.filter(resolved_at__isnull=True).count() >= 1
    assert Action.objects.filter(status=Action.Status.BLOCKED).exists()
    assert Action.objects.filter(confidentiality="police_judicial").exists()
    assert Action.objects.filter(action_selectors.late_condition(timezone.localdate())).exists()
    assert ActionUpdate.objects.filter(at__lt=timezone.now() - dt.timedelta(days=300)).exists()
    assert Meeting.objects.filter(starts_at__gt=timezone.now()).exists()
    assert Meeting.objects.filter(starts_at__lt=timezone.now()).exists()
    # Decisions are read by every member: none names a police-judicial action.
    secret_titles = set(
        Action.objects.filter(confidentiality="police_judicial").values_list("title", flat=True)
    )
    for text in MeetingDecision.objects.values_list("text", flat=True):
        assert not any(title in text for title in secret_titles)
    for username in ("tfl.hs10.coordinator", "police.midi", "transit", "parquet", "pjf"):
        assert username in people

    # Idempotent.
    counts = (Action.objects.count(), ActionUpdate.objects.count(), Meeting.objects.count())
    demo.seed(people=people, hotspots=hotspots, agencies=agencies)
    assert (Action.objects.count(), ActionUpdate.objects.count(), Meeting.objects.count()) == counts
