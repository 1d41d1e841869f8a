"""Publishing a report: the French and Dutch versions in one action, and only CoReS
meetings held once the report's period is over."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.messages import get_messages
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.urls import reverse
from django.utils import timezone

from coordination.models import AuditEntry, CoresMeeting
from reporting import services
from reporting.models import Report

pytestmark = pytest.mark.django_db

Status, Audience = Report.Status, Report.Audience
END = dt.date(2026, 9, 30)
START = dt.date(2026, 4, 1)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def _report(language: str = "fr", **fields) -> Report:
    """A ready regional report row with a stand-in PDF (publication reads no content)."""
    defaults = {
        "kind": Report.Kind.REGIONAL,
        "scope": "region",
        "period_start": START,
        "period_end": END,
        "language": language,
        "audience": Audience.CORES,
        "version": 1,
        "status": Status.READY,
        "sha256": "0" * 64,
    }
    report = Report(**(defaults | fields))
    if report.status == Status.READY:
        report.pdf.save("test.pdf", ContentFile(b"%PDF-1.4 stand-in"), save=False)
    report.save()
    return report


@pytest.fixture
def meetings(csir_coordinator):
    def meeting(day: dt.date) -> CoresMeeting:
        return CoresMeeting.objects.create(held_on=day, created_by=csir_coordinator)

    return {
        "before": meeting(dt.date(2026, 6, 15)),  # during the period
        "last_day": meeting(END),
        "after": meeting(dt.date(2026, 10, 20)),
    }


def _messages(response) -> list[str]:
    return [str(m) for m in get_messages(response.wsgi_request)]


# --- Only meetings held once the period is over ---------------------------------------


def test_the_form_offers_only_meetings_on_or_after_the_end_of_the_period(
    client, csir_coordinator, meetings
):
    report = _report()
    client.force_login(csir_coordinator)
    response = client.get(reverse("reporting:detail", args=[report.pk]))
    offered = set(response.context["meeting_form"].fields["meeting"].queryset)
    assert offered == {meetings["last_day"], meetings["after"]}
    page = response.content.decode()
    assert f'value="{meetings["after"].pk}"' in page
    assert f'value="{meetings["before"].pk}"' not in page


def test_an_earlier_meeting_is_refused_by_the_page_and_the_service(
    client, csir_coordinator, meetings
):
    report = _report()
    client.force_login(csir_coordinator)
    url = reverse("reporting:publish", args=[report.pk])
    response = client.post(url, {"meeting": meetings["before"].pk})
    assert response.status_code == 302
    assert any("on or after the last day" in m for m in _messages(response))
    report.refresh_from_db()
    assert not report.published and report.presented_at is None

    with pytest.raises(ValidationError, match="held before"):
        services.report_publish(report=report, by=csir_coordinator, meeting=meetings["before"])
    with pytest.raises(ValidationError, match="held before"):
        services.report_publish_languages(
            report=report, by=csir_coordinator, meeting=meetings["before"]
        )
    services.report_publish(report=report, by=csir_coordinator, meeting=meetings["after"])
    # Recording the meeting afterwards follows the same rule.
    response = client.post(
        reverse("reporting:meeting", args=[report.pk]), {"meeting": meetings["before"].pk}
    )
    report.refresh_from_db()
    assert report.presented_at == meetings["after"]
    with pytest.raises(ValidationError):
        services.report_link_meeting(report=report, by=csir_coordinator, meeting=meetings["before"])
    services.report_link_meeting(report=report, by=csir_coordinator, meeting=meetings["last_day"])
    report.refresh_from_db()
    assert report.presented_at == meetings["last_day"]


# --- French and Dutch in one action ---------------------------------------------------


def test_publishing_one_language_publishes_the_other_built_one(client, csir_coordinator, meetings):
    french, dutch = _report("fr"), _report("nl")
    other_period = _report("nl", period_start=dt.date(2025, 10, 1), period_end=dt.date(2026, 3, 31))
    pj = _report("nl", audience=Audience.POLICE_JUDICIAL)
    client.force_login(csir_coordinator)

    page = client.get(reverse("reporting:detail", args=[french.pk])).content.decode()
    assert "Publish FR and NL" in page
    assert "built: published together" in page

    response = client.post(
        reverse("reporting:publish", args=[french.pk]), {"meeting": meetings["after"].pk}
    )
    assert response.status_code == 302
    assert any("French, Dutch" in m for m in _messages(response))
    for report in (french, dutch, other_period, pj):
        report.refresh_from_db()
    assert french.published and dutch.published
    assert french.presented_at == dutch.presented_at == meetings["after"]
    assert french.published_by == dutch.published_by == csir_coordinator
    # Another period or audience is another report: untouched.
    assert not other_period.published and not pj.published
    # One audit entry per version.
    audited = AuditEntry.objects.filter(action="report.publish")
    assert sorted(audited.values_list("target_id", flat=True)) == sorted(
        [str(french.pk), str(dutch.pk)]
    )


def test_the_current_version_of_the_other_language_is_the_one_published(csir_coordinator):
    french = _report("fr", version=2)
    old_dutch = _report("nl", version=1)
    dutch = _report("nl", version=2)
    done = services.report_publish_languages(report=french, by=csir_coordinator)
    assert {r.pk for r in done.published} == {french.pk, dutch.pk}
    old_dutch.refresh_from_db()
    assert not old_dutch.published


@pytest.mark.parametrize("status", [Status.QUEUED, Status.RUNNING, Status.FAILED])
def test_a_version_not_built_yet_is_left_and_said(client, csir_coordinator, meetings, status):
    french, dutch = _report("fr"), _report("nl", status=status)
    client.force_login(csir_coordinator)
    page = client.get(reverse("reporting:detail", args=[french.pk])).content.decode()
    assert "not built yet" in page
    assert "Publish FR and NL" not in page and "Publish the report" in page

    response = client.post(
        reverse("reporting:publish", args=[french.pk]), {"meeting": meetings["after"].pk}
    )
    notes = _messages(response)
    assert any("Published: French." in m for m in notes)
    assert any("The Dutch version is not built yet" in m for m in notes)
    french.refresh_from_db()
    dutch.refresh_from_db()
    assert french.published and not dutch.published and dutch.status == status


def test_an_already_published_sibling_stays_as_it_was(csir_coordinator, meetings):
    earlier = timezone.now() - dt.timedelta(days=3)
    dutch = _report(
        "nl",
        published=True,
        published_at=earlier,
        published_by=csir_coordinator,
        presented_at=meetings["last_day"],
    )
    french = _report("fr")
    done = services.report_publish_languages(
        report=french, by=csir_coordinator, meeting=meetings["after"]
    )
    assert [r.pk for r in done.published] == [french.pk] and done.waiting == []
    dutch.refresh_from_db()
    assert dutch.published_at == earlier and dutch.presented_at == meetings["last_day"]
    assert AuditEntry.objects.filter(action="report.publish").count() == 1


def test_nothing_is_published_when_the_report_itself_cannot_be(csir_coordinator, csir_analyst):
    french, dutch = _report("fr", status=Status.FAILED), _report("nl")
    with pytest.raises(ValidationError):
        services.report_publish_languages(report=french, by=csir_coordinator)
    with pytest.raises(ValidationError):
        services.report_publish_languages(report=dutch, by=csir_analyst)
    dutch.refresh_from_db()
    assert not dutch.published
    assert not AuditEntry.objects.filter(action="report.publish").exists()


def test_the_dutch_page_publishes_the_french_too(client, csir_coordinator):
    french, dutch = _report("fr"), _report("nl")
    client.force_login(csir_coordinator)
    page = client.get(reverse("reporting:detail", args=[dutch.pk])).content.decode()
    assert "Publish NL and FR" in page
    client.post(reverse("reporting:publish", args=[dutch.pk]), {"meeting": ""})
    french.refresh_from_db()
    assert french.published and french.presented_at is None
