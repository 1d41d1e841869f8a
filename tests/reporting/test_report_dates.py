"""Dates in the PDF are Brussels dates, the same days the web page shows (issue 12).

An escalation raised at 00:30 in Brussels on a day is 23:30 UTC the day before: taking
``.date()`` of the stored UTC datetime printed the day before, and a resolution at that
hour fell in a period that had ended the day before.
"""

from __future__ import annotations

import datetime as dt
import zoneinfo

import pytest
from django.urls import reverse
from django.utils import translation

from coordination.core.dates import long_date, short_date
from reporting import render, snapshot
from taskforces.models import Escalation
from tests.reporting import test_reporting
from tests.reporting.test_reporting import text_of

# The reporting tests' cast and region (a task force with a plan, orders, escalations).
cast = test_reporting.cast
region = test_reporting.region
pytestmark = pytest.mark.django_db
BRUSSELS = zoneinfo.ZoneInfo("Europe/Brussels")


def half_past_midnight(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(0, 30), tzinfo=BRUSSELS)


def _escalation(region, *, raised: dt.date, resolved: dt.date | None) -> Escalation:
    escalation = Escalation.objects.get(action=region.cast.prevention)
    Escalation.objects.filter(pk=escalation.pk).update(
        raised_at=half_past_midnight(raised),
        resolved_at=half_past_midnight(resolved) if resolved else None,
        resolution="Local trouvé." if resolved else "",
    )
    return escalation


def _midi_escalation(region, period_end: dt.date) -> dict:
    data = snapshot.build(
        kind="regional",
        hotspot_id=None,
        period_start=region.start,
        period_end=period_end,
        audience="cores",
        generated_at=half_past_midnight(region.end) + dt.timedelta(hours=12),
    )
    midi = next(h for h in data["hotspots"] if h["code"] == region.midi.code)
    (escalation,) = midi["escalations"]
    return escalation


def test_the_snapshot_takes_brussels_days(region):
    raised, resolved = region.end - dt.timedelta(days=20), region.end - dt.timedelta(days=4)
    _escalation(region, raised=raised, resolved=resolved)
    escalation = _midi_escalation(region, region.end)
    assert escalation["raised_on"] == raised.isoformat()  # not the UTC day before
    assert escalation["resolved_on"] == resolved.isoformat()
    # The period that ended the day before the resolution still sees it open.
    before = _midi_escalation(region, resolved - dt.timedelta(days=1))
    assert before["resolved_on"] is None and before["resolution"] == ""


def test_the_pdf_prints_the_days_the_web_page_shows(client, region):
    raised = region.end - dt.timedelta(days=17)  # a day no other date of the fixture falls on
    _escalation(region, raised=raised, resolved=None)
    data = snapshot.build(
        kind="regional",
        hotspot_id=None,
        period_start=region.start,
        period_end=region.end,
        audience="cores",
    )
    pdf, _pages = render.render_pdf(data, language="fr", meta={"version": 1})
    text = text_of(pdf)
    with translation.override("fr"):
        assert short_date(raised) in text
        assert short_date(raised - dt.timedelta(days=1)) not in text
        web_day = long_date(raised)
    client.force_login(region.coordinator)
    page = client.get(reverse("taskforces:escalations"), HTTP_ACCEPT_LANGUAGE="fr")
    assert page.status_code == 200
    assert f"le {web_day}" in page.content.decode() or web_day in page.content.decode()
