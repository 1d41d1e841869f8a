"""The demo reads as real: working days, sensible dates, no English, French and Dutch.

The demo is seeded once for the module (about 30 s on SQLite) and rolled back at the end.
"""

from __future__ import annotations

import csv
import datetime as dt
import io
import re

import pytest
from django.core.management import call_command
from django.db import transaction
from django.db.models import Min, Q
from django.utils import timezone

from coordination.core import workdays
from coordination.models import CoresMeeting, User
from coordination.regional.bulletins.models import Bulletin
from hotspots import demo as hotspot_demo
from hotspots.models import Hotspot, PoliceOrder
from reporting.models import Report
from taskforces import demo as taskforce_demo
from taskforces.models import (
    Action,
    ActionUpdate,
    DisplacementReport,
    Escalation,
    Meeting,
    MeetingDecision,
    TaskForce,
)

pytestmark = pytest.mark.django_db
ENGLISH_WORDS = {"the", "and", "is", "where", "earlier", "straddles", "two", "ran"}


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """The whole demo, seeded once for the module and rolled back after its tests."""
    # DEMO_ALLOWED is on in the test settings.
    with django_db_blocker.unblock(), transaction.atomic():
        call_command("seed_demo", stdout=io.StringIO())
        yield
        transaction.set_rollback(True)


def _local(moment: dt.datetime) -> dt.datetime:
    return timezone.localtime(moment)  # Europe/Brussels


def _words(text: str) -> set[str]:
    return set(re.findall(r"[a-zà-ÿ]+", text.lower()))


# --- Dates ------------------------------------------------------------------------------------


def test_task_force_meetings_fall_on_working_days_at_office_hours(demo):
    meetings = list(Meeting.objects.all())
    assert len(meetings) > 100
    for meeting in meetings:
        start = _local(meeting.starts_at)
        assert workdays.is_working_day(start.date()), (meeting.pk, start)
        assert dt.time(8, 0) <= start.time() <= dt.time(18, 0), (meeting.pk, start)
    # A meeting that took place has its minutes; the next ones do not yet.
    past = Meeting.objects.filter(starts_at__lt=timezone.now())
    assert past.exists() and not past.filter(minutes="").exists()
    assert Meeting.objects.filter(starts_at__gt=timezone.now(), minutes="").exists()


def test_cores_meetings_bulletins_and_escalations_are_on_working_days(demo):
    for held_on in CoresMeeting.objects.values_list("held_on", flat=True):
        assert workdays.is_working_day(held_on), held_on
    for published in Bulletin.objects.values_list("published_at", flat=True):
        assert workdays.is_working_day(_local(published).date()), published
    for escalation in Escalation.objects.all():
        assert workdays.is_working_day(_local(escalation.raised_at).date())
        if escalation.resolved_at:
            assert escalation.raised_at < escalation.resolved_at <= timezone.now()
    # The year of follow-up notes is written on working days.
    days = {_local(at).date() for at in ActionUpdate.objects.values_list("at", flat=True)}
    backdated = [day for day in days if day < timezone.localdate() - dt.timedelta(days=30)]
    assert backdated and all(workdays.is_working_day(day) for day in backdated)


def test_members_join_after_the_task_force_opens_and_before_its_first_meeting(demo):
    taskforces = TaskForce.objects.select_related("hotspot").annotate(
        first_meeting=Min("meetings__starts_at")
    )
    assert taskforces.count() >= 10
    for taskforce in taskforces:
        assert taskforce.created_at >= taskforce.hotspot.activated_at, taskforce
        assert taskforce.first_meeting is not None
        memberships = list(taskforce.memberships.all())
        assert len(memberships) >= 5
        for membership in memberships:
            assert taskforce.created_at <= membership.joined_at, (taskforce, membership.user)
            assert membership.joined_at < taskforce.first_meeting, (taskforce, membership.user)
        # Nobody attended a meeting held before they joined.
        for meeting in taskforce.meetings.prefetch_related("participants"):
            for person in meeting.participants.all():
                if person.status != "attended":
                    continue
                joined = next(m.joined_at for m in memberships if m.user_id == person.user_id)
                assert joined < meeting.starts_at


def test_a_presented_report_is_presented_after_its_period_ended(demo):
    presented = Report.objects.filter(presented_at__isnull=False).select_related("presented_at")
    assert sorted(presented.values_list("language", flat=True)) == ["fr", "nl"]
    for report in presented:
        assert report.period_start < report.period_end < report.presented_at.held_on, report
        assert report.presented_at.held_on <= timezone.localdate()


# --- Language ---------------------------------------------------------------------------------


def test_no_english_note_in_the_hotspot_descriptions(demo):
    with (hotspot_demo.DATA / "hotspots_2024.csv").open(encoding="utf-8") as fh:
        notes = {row["note"] for row in csv.DictReader(fh) if row["note"]}
    assert notes  # the data file still has its English remarks: they must not show
    for hotspot in Hotspot.objects.all():
        assert hotspot.description not in notes, hotspot.code
        assert not _words(hotspot.description) & ENGLISH_WORDS, hotspot.code
        assert not _words(hotspot.description_translation) & ENGLISH_WORDS, hotspot.code
    for code in ("HS06", "HS10", "HS11"):
        hotspot = Hotspot.objects.get(code=code)
        assert hotspot.language == "fr"
        assert hotspot.description.startswith("Le périmètre s'étend sur")
        assert hotspot.description_translation.startswith("De perimeter ligt op")
        assert hotspot.shown("description", "nl").text == hotspot.description_translation


def test_some_demo_users_prefer_dutch(demo):
    dutch = User.objects.filter(preferred_language="nl")
    assert {"cores.member", "mayor.anderlecht", "police.midi"} <= set(
        dutch.values_list("username", flat=True)
    )
    roles = set(dutch.values_list("role", flat=True))
    assert {User.Role.MAYOR, User.Role.CORES_MEMBER} <= roles
    assert User.objects.filter(preferred_language="fr").count() > dutch.count()


def _has_dutch(field: str) -> Q:
    return Q(language="nl") | ~Q(**{f"{field}_translation": ""})


@pytest.mark.parametrize(
    ("model", "field", "low", "high"),
    [
        (Action, "title", 0.35, 0.8),
        (ActionUpdate, "comment", 0.35, 0.8),
        (Meeting, "minutes", 0.3, 0.8),
        (MeetingDecision, "text", 0.3, 0.8),
    ],
)
def test_a_realistic_share_of_the_content_is_in_dutch(demo, model, field, low, high):
    total = model.objects.count()
    dutch = model.objects.filter(_has_dutch(field)).count()
    assert low <= dutch / total <= high, (model.__name__, dutch, total)
    # Some of it was written in Dutch, and some still waits for its translation.
    assert model.objects.filter(language="nl").exists()
    assert model.objects.filter(model.needs_translation()).exists()


def test_dutch_texts_are_dutch_and_their_translations_french(demo):
    dutch = set(taskforce_demo.NL.values())
    french = set(taskforce_demo.NL)
    originals = Action.objects.filter(language="nl")
    assert originals.exists()
    for action in originals:
        assert action.title in dutch, action.title
        assert action.title_translation in french | {""}
        assert action.shown("title", "fr").text in french
    for action in Action.objects.filter(language="fr").exclude(title_translation=""):
        assert action.title in french and action.title_translation in dutch
    # A Dutch reader sees Dutch where a translation exists and the marked original elsewhere.
    translated = Action.objects.filter(language="fr").exclude(title_translation="").first()
    assert translated.shown("title", "nl").text == taskforce_demo.NL[translated.title]
    waiting = Action.objects.filter(language="fr", title_translation="").first()
    assert waiting.shown("title", "nl").untranslated


def test_orders_bulletins_and_displacements_are_bilingual_in_part(demo):
    regional = PoliceOrder.objects.filter(scope="regional")
    assert regional.exists()
    assert not regional.filter(signatory_translation="").exists()
    assert PoliceOrder.objects.filter(language="nl").exists()
    assert PoliceOrder.objects.filter(PoliceOrder.needs_translation()).exists()
    assert Bulletin.objects.filter(language="nl").exclude(title_translation="").exists()
    assert Bulletin.objects.filter(Bulletin.needs_translation()).exists()
    assert DisplacementReport.objects.filter(language="nl").exists()
    resolved = Escalation.objects.get(resolved_at__isnull=False)
    assert resolved.reason_translation and resolved.resolution_translation


def test_seeding_again_changes_nothing(demo):
    def state():
        return (
            User.objects.count(),
            Action.objects.count(),
            ActionUpdate.objects.count(),
            Meeting.objects.count(),
            Bulletin.objects.count(),
            Report.objects.count(),
            sorted(Action.objects.values_list("language", "title", "title_translation")),
            sorted(
                TaskForce.objects.values_list(
                    "memberships__user__username", "memberships__joined_at"
                )
            ),
            sorted(Hotspot.objects.values_list("code", "description", "description_translation")),
        )

    before = state()
    call_command("seed_demo", stdout=io.StringIO())
    assert state() == before


# --- Working days -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("day", "working"),
    [
        (dt.date(2026, 12, 7), True),  # a Monday
        (dt.date(2026, 12, 5), False),  # a Saturday
        (dt.date(2026, 12, 6), False),  # a Sunday
        (dt.date(2026, 12, 25), False),  # Christmas
        (dt.date(2026, 4, 6), False),  # Easter Monday
        (dt.date(2026, 5, 8), False),  # Iris Day (Brussels)
        (dt.date(2026, 5, 14), False),  # Ascension
        (dt.date(2026, 5, 25), False),  # Whit Monday
        (dt.date(2026, 7, 21), False),  # National Day
        (dt.date(2025, 4, 21), False),  # Easter Monday 2025
        (dt.date(2026, 4, 7), True),
    ],
)
def test_working_days(day, working):
    assert workdays.is_working_day(day) is working


def test_moving_to_a_working_day():
    saturday = dt.date(2026, 12, 5)
    assert workdays.on_or_before(saturday) == dt.date(2026, 12, 4)
    assert workdays.on_or_after(saturday) == dt.date(2026, 12, 7)
    assert workdays.on_or_after(dt.date(2026, 12, 25)) == dt.date(2026, 12, 28)
    assert workdays.add_working_days(dt.date(2026, 12, 4), 1) == dt.date(2026, 12, 7)
    assert workdays.add_working_days(dt.date(2026, 12, 7), -1) == dt.date(2026, 12, 4)
    assert workdays.add_working_days(dt.date(2026, 12, 24), 1) == dt.date(2026, 12, 28)
