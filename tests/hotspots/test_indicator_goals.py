"""Indicators as RSR and DHIS2 users expect (issue 14, item 2): baselines and targets,
completeness per month and hotspot with reminders, warnings on implausible jumps, and a
CSV import that reads French and Dutch column names."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from coordination.core import charts
from coordination.models import Agency, AuditEntry, Notification
from coordination.notifications.services import message
from hotspots import panels_indicators, tasks
from hotspots.models import (
    Hotspot,
    IndicatorDefinition,
    IndicatorGoal,
    IndicatorReminder,
    IndicatorValue,
)
from hotspots.selectors import indicators as selectors
from hotspots.services import indicators as services
from tests.factories import AgencyFactory, HotspotFactory, UserFactory

pytestmark = pytest.mark.django_db


def months_back(count: int) -> dt.date:
    return selectors.add_months(timezone.localdate().replace(day=1), -count)


LAST_MONTH = months_back(1)
BEFORE = months_back(2)


@pytest.fixture
def english(client):
    client.cookies["django_language"] = "en"
    return client


def indicator(code: str) -> IndicatorDefinition:
    return IndicatorDefinition.objects.get(code=code)


def put(hotspot, code, value, by, month=LAST_MONTH) -> IndicatorValue:
    return IndicatorValue.objects.create(
        hotspot=hotspot, indicator=indicator(code), month=month, value=value, entered_by=by
    )


def prefix(code: str, month: dt.date = LAST_MONTH) -> str:
    return f"c-{indicator(code).pk}-{month:%Y-%m}"


def cell_post(client, hotspot, code, value, *, original="", confirm=False):
    key = prefix(code)
    data = {f"{key}-value": value, f"{key}-original": original}
    if confirm:
        data[f"{key}-confirm"] = "on"
    url = reverse("hotspots:indicator_cell", args=[hotspot.pk])
    return client.post(url, data, HTTP_HX_REQUEST="true")


def goal_url(hotspot, code: str) -> str:
    return reverse("hotspots:indicator_goal", args=[hotspot.pk, indicator(code).pk])


def upload(text: str, *, confirm: bool = False) -> dict:
    data: dict = {"file": SimpleUploadedFile("v.csv", text.encode(), content_type="text/csv")}
    if confirm:
        data["confirm_jumps"] = "on"
    return data


# --- Baselines and targets -------------------------------------------------------------


def test_police_sets_a_baseline_and_target_shown_on_grid_and_chart(
    english, police_member, hotspot_midi
):
    english.force_login(police_member)
    response = english.post(
        goal_url(hotspot_midi, "shootings"),
        {
            "baseline_value": "12",
            "baseline_on": "2025-01-01",
            "target_value": "5",
            "target_on": "2026-12-31",
        },
    )
    assert response.status_code == 302
    goal = IndicatorGoal.objects.get()
    assert (goal.baseline_value, goal.baseline_on) == (Decimal("12"), dt.date(2025, 1, 1))
    assert (goal.target_value, goal.target_on) == (Decimal("5"), dt.date(2026, 12, 31))
    assert goal.set_by == police_member and goal.superseded_at is None
    entry = AuditEntry.objects.get(action="indicator.goal_set")
    assert entry.changes["indicator"] == "shootings"
    assert entry.changes["target_value"] == [None, "5"]

    grid = english.get(reverse("hotspots:indicator_grid", args=[hotspot_midi.pk]))
    html = grid.content.decode()
    assert ">Baseline</th>" in html and ">Target</th>" in html
    row = grid.context["rows"][0]
    assert row["indicator"].code == "shootings"
    assert row["baseline"] == (Decimal("12.00"), dt.date(2025, 1, 1))
    assert row["target"] == (Decimal("5.00"), dt.date(2026, 12, 31))
    assert '<span class="cell-value">12</span>' in html

    chart = next(
        c for c in selectors.trend_charts(hotspot_midi) if c["indicator"].code == "shootings"
    )
    svg = str(chart["svg"])
    # A dashed target line and a dotted baseline line, each named in words.
    assert 'class="chart-target"' in svg and 'class="chart-baseline"' in svg
    assert ">Target 5</text>" in svg and ">Baseline 12</text>" in svg
    assert "Target: 5 by" in svg and "Baseline: 12 (" in svg


def test_changing_a_goal_keeps_the_history(client, csir_analyst, hotspot_midi):
    shootings = indicator("shootings")
    first = services.goal_set(
        hotspot=hotspot_midi,
        indicator=shootings,
        baseline_value=Decimal("10"),
        baseline_on=dt.date(2025, 1, 1),
        target_value=None,
        target_on=None,
        by=csir_analyst,
    )
    second = services.goal_set(
        hotspot=hotspot_midi,
        indicator=shootings,
        baseline_value=Decimal("10"),
        baseline_on=dt.date(2025, 1, 1),
        target_value=Decimal("4"),
        target_on=dt.date(2027, 6, 30),
        by=csir_analyst,
    )
    assert first is not None and second is not None and first.pk != second.pk
    first.refresh_from_db()
    assert first.superseded_at is not None and second.superseded_at is None
    # Clearing both parts supersedes the version in force; nothing is ever deleted.
    assert (
        services.goal_set(
            hotspot=hotspot_midi,
            indicator=shootings,
            baseline_value=None,
            baseline_on=None,
            target_value=None,
            target_on=None,
            by=csir_analyst,
        )
        is None
    )
    assert IndicatorGoal.objects.count() == 2
    assert not IndicatorGoal.objects.filter(superseded_at__isnull=True).exists()
    assert AuditEntry.objects.filter(action="indicator.goal_set").count() == 3
    client.force_login(csir_analyst)
    page = client.get(goal_url(hotspot_midi, "shootings"))
    assert len(page.context["history"]) == 2


def test_a_goal_value_without_its_date_is_refused(english, police_member, hotspot_midi):
    english.force_login(police_member)
    response = english.post(goal_url(hotspot_midi, "shootings"), {"target_value": "5"})
    assert response.status_code == 200
    assert "Give the date of this value." in response.content.decode()
    response = english.post(
        goal_url(hotspot_midi, "shootings"), {"baseline_value": "5", "baseline_on": "9999-01-01"}
    )
    assert response.status_code == 200
    assert not IndicatorGoal.objects.exists()


def test_goal_page_refuses_those_who_do_not_enter_the_values(
    client,
    association_member,
    cores_member,
    police_member,
    csir_analyst,
    hotspot_midi,
    hotspot_molenbeek,
):
    data = {"target_value": "1", "target_on": "2026-12-31"}
    client.force_login(association_member)  # enters prevention figures, not police ones
    assert client.get(goal_url(hotspot_midi, "shootings")).status_code == 403
    assert client.post(goal_url(hotspot_midi, "shootings"), data).status_code == 403
    assert client.get(goal_url(hotspot_midi, "outreach_contacts")).status_code == 200
    client.force_login(cores_member)
    assert client.post(goal_url(hotspot_midi, "shootings"), data).status_code == 403
    client.force_login(police_member)  # zone Midi, not Molenbeek's zone
    assert client.post(goal_url(hotspot_molenbeek, "shootings"), data).status_code == 403
    proposed = HotspotFactory(status=Hotspot.Status.PROPOSED, proposed_by=csir_analyst)
    assert client.get(goal_url(proposed, "shootings")).status_code == 404
    missing = reverse("hotspots:indicator_goal", args=[hotspot_midi.pk, 99999])
    assert client.get(missing).status_code == 404
    assert not IndicatorGoal.objects.exists()
    client.logout()
    assert client.get(goal_url(hotspot_midi, "shootings")).status_code == 302


# --- Completeness ------------------------------------------------------------------------


def _completeness(client, month: dt.date | None = None):
    url = reverse("hotspots:indicator_completeness")
    return client.get(f"{url}?month={month:%Y-%m}" if month else url)


def test_completeness_figures_equal_the_rows(
    english, csir_coordinator, csir_analyst, police_member, hotspot_midi, hotspot_molenbeek
):
    put(hotspot_midi, "shootings", 3, csir_analyst)
    put(hotspot_midi, "drug_arrests", 2, csir_analyst)
    put(hotspot_midi, "shootings", 5, csir_analyst, month=BEFORE)
    put(hotspot_molenbeek, "outreach_contacts", 40, csir_analyst)
    closed = HotspotFactory(status=Hotspot.Status.CLOSED, proposed_by=csir_analyst)
    english.force_login(csir_coordinator)
    response = _completeness(english)
    assert response.status_code == 200
    report = response.context["report"]
    count = IndicatorDefinition.objects.count()
    assert [h.code for h, _cells in report.rows] == ["HS10", "HS12"]  # not the closed one
    for hotspot, cells in report.rows:
        for cell in cells:
            rows = IndicatorValue.objects.filter(hotspot=hotspot, month=cell.month).count()
            assert (cell.entered, cell.expected) == (rows, count)
            assert cell.percent == rows * 100 // count
    midi_last = report.rows[0][1][-1]
    assert midi_last.month == LAST_MONTH and midi_last.entered == 2
    html = response.content.decode()
    assert f'data-hotspot="HS10" data-month="{LAST_MONTH:%Y-%m}">25&nbsp;%' in html
    # The missing list of last month: every (hotspot, indicator) without a row.
    entered = set(
        IndicatorValue.objects.filter(month=LAST_MONTH).values_list("hotspot_id", "indicator_id")
    )
    expected = {
        (h.pk, i.pk)
        for h in (hotspot_midi, hotspot_molenbeek)
        for i in IndicatorDefinition.objects.all()
    }
    missing = response.context["missing"]
    assert {(g.hotspot.pk, g.indicator.pk) for g in missing} == expected - entered
    assert all(g.hotspot != closed for g in missing)
    # The supplier of a police figure at Gare du Midi is the police of zone Midi.
    seizures = next(
        g for g in missing if g.hotspot == hotspot_midi and g.indicator.code == "seizures"
    )
    assert seizures.agencies == [police_member.agency]
    assert police_member.agency.name in html
    assert f'href="{seizures.url}"' in html
    assert seizures.url.endswith(f"?year={LAST_MONTH.year}#{prefix('seizures')}-cell")
    assert "Remind the supplying agencies now" in html


def test_values_are_due_from_the_month_of_approval(csir_analyst):
    hotspot = HotspotFactory(proposed_by=csir_analyst)
    hotspot.approved_at = timezone.now()
    hotspot.save(update_fields=["approved_at"])
    hotspots = list(selectors.expected_hotspots(Hotspot.objects.filter(pk=hotspot.pk)))
    report = selectors.completeness(hotspots, selectors.recent_months(3))
    assert [cell.expected for cell in report.rows[0][1]] == [0, 0, 0]
    assert report.missing == []


def _hotspots_with_values(count: int, by) -> None:
    indicators = list(IndicatorDefinition.objects.all())
    for _ in range(count):
        hotspot = HotspotFactory(proposed_by=by)
        for month in selectors.recent_months(3):
            for item in indicators[::2]:
                IndicatorValue.objects.create(
                    hotspot=hotspot, indicator=item, month=month, value=1, entered_by=by
                )


def test_completeness_page_queries_do_not_grow_with_the_data(
    client, csir_coordinator, csir_analyst, police_member
):
    client.force_login(csir_coordinator)
    _hotspots_with_values(1, csir_analyst)
    _completeness(client)  # warm the session and the caches
    with CaptureQueriesContext(connection) as small:
        assert _completeness(client).status_code == 200
    _hotspots_with_values(6, csir_analyst)
    AgencyFactory(kind=Agency.Kind.ASSOCIATION)
    with CaptureQueriesContext(connection) as large:
        response = _completeness(client)
    assert len(response.context["report"].rows) == 7
    assert len(small) == len(large)


def test_completeness_page_for_other_roles(client, police_member, csir_analyst, hotspot_midi):
    proposed = HotspotFactory(status=Hotspot.Status.PROPOSED, proposed_by=csir_analyst)
    client.force_login(police_member)
    response = _completeness(client)
    assert response.status_code == 200
    codes = [h.code for h, _cells in response.context["report"].rows]
    assert hotspot_midi.code in codes and proposed.code not in codes
    assert "Remind the supplying agencies now" not in response.content.decode()
    # Only the CSIR reminds; the others may read but not remind.
    url = reverse("hotspots:indicator_remind")
    assert client.post(url, {"month": f"{LAST_MONTH:%Y-%m}"}).status_code == 403
    assert client.get(url).status_code == 405
    assert not IndicatorReminder.objects.exists()
    client.logout()
    assert _completeness(client).status_code == 302


def test_a_bad_month_falls_back_to_last_month(client, csir_coordinator, hotspot_midi):
    client.force_login(csir_coordinator)
    for text in ("x", "2999-01", "0000-00", "2020-13"):
        response = client.get(reverse("hotspots:indicator_completeness"), {"month": text})
        assert response.status_code == 200 and response.context["month"] == LAST_MONTH


# --- Reminders -----------------------------------------------------------------------------


def test_reminders_are_sent_once_per_gap_and_agency(
    csir_analyst, police_member, association_member, hotspot_midi
):
    put(hotspot_midi, "shootings", 3, csir_analyst)
    first = services.remind_missing(month=LAST_MONTH)
    # Police: 3 police figures missing; association: 2; commune: no commune agency here.
    assert first.reminders == 5
    assert IndicatorReminder.objects.filter(agency=police_member.agency).count() == 3
    told = Notification.objects.filter(kind="indicator_missing")
    assert {n.recipient for n in told} == {police_member, association_member}
    police_note = told.get(recipient=police_member)
    assert police_note.params["month"] == f"{LAST_MONTH:%m/%Y}"
    assert "Fusillades" not in police_note.params["missing"]  # entered already
    assert "HS10 Gare du Midi (Arrestations" in police_note.params["missing"]
    assert "Inbeslagnames van verdovende middelen" in police_note.params["missing_nl"]
    assert police_note.url.startswith(reverse("hotspots:indicator_grid", args=[hotspot_midi.pk]))
    with translation.override("nl"):
        text = message(police_note)
    assert "HS10 Zuidstation" in text and f"{LAST_MONTH:%m/%Y}" in text
    # A second run, by the job or by hand, tells nobody again.
    again = services.remind_missing(month=LAST_MONTH)
    assert (again.reminders, again.told, again.already) == (0, 0, 5)
    assert tasks.remind_missing_indicators.apply().get() == 0
    assert Notification.objects.filter(kind="indicator_missing").count() == 2
    assert IndicatorReminder.objects.count() == 5
    # A gap that appears in another agency's indicator later is still reminded.
    local = AgencyFactory(kind=Agency.Kind.COMMUNE, commune=hotspot_midi.communes.first())
    UserFactory(agency=local)
    assert services.remind_missing(month=LAST_MONTH).reminders == 2


def test_an_agency_gets_one_reminder_for_all_its_hotspots(
    csir_analyst, police_member, hotspot_midi
):
    other = HotspotFactory(code="HS20", communes=["21013"], proposed_by=csir_analyst)
    services.remind_missing(month=LAST_MONTH)
    note = Notification.objects.get(kind="indicator_missing", recipient=police_member)
    assert "HS10 " in note.params["missing"] and f"{other.code} " in note.params["missing"]
    assert note.url == f"{reverse('hotspots:indicator_completeness')}?month={LAST_MONTH:%Y-%m}"
    assert IndicatorReminder.objects.filter(agency=police_member.agency).count() == 8


def test_the_monthly_job_is_scheduled_and_reminds_last_month(
    settings, csir_analyst, police_member, hotspot_midi
):
    entry = settings.CELERY_BEAT_SCHEDULE["remind-missing-indicators"]
    assert entry["task"] == "hotspots.remind_missing_indicators"
    assert tasks.remind_missing_indicators.apply().get() == 1  # the police member
    assert set(IndicatorReminder.objects.values_list("month", flat=True)) == {LAST_MONTH}


def test_csir_reminds_now_from_the_completeness_page(
    english, csir_coordinator, police_member, hotspot_midi
):
    english.force_login(csir_coordinator)
    url = reverse("hotspots:indicator_remind")
    response = english.post(url, {"month": f"{BEFORE:%Y-%m}"}, follow=True)
    assert response.redirect_chain[-1][0].endswith(f"?month={BEFORE:%Y-%m}")
    assert "Reminders sent: 4 missing values, 1 people told" in response.content.decode()
    assert set(IndicatorReminder.objects.values_list("month", flat=True)) == {BEFORE}
    assert IndicatorReminder.objects.filter(sent_by=csir_coordinator).count() == 4
    assert AuditEntry.objects.get(action="indicator.remind").changes["reminders"] == 4
    english.post(url, {"month": f"{BEFORE:%Y-%m}"})
    assert Notification.objects.filter(kind="indicator_missing").count() == 1


# --- Implausible jumps ---------------------------------------------------------------------


def test_a_jump_needs_a_confirmation(english, police_member, hotspot_midi):
    put(hotspot_midi, "shootings", 10, police_member, month=BEFORE)
    english.force_login(police_member)
    response = cell_post(english, hotspot_midi, "shootings", "40")
    html = response.content.decode()
    assert "40 is far from last month&#x27;s value (10)." in html
    assert f'name="{prefix("shootings")}-confirm"' in html
    assert "I confirm this value" in html
    assert not IndicatorValue.objects.filter(month=LAST_MONTH).exists()
    # Confirmed, it is saved, and the audit says so.
    response = cell_post(english, hotspot_midi, "shootings", "40", confirm=True)
    assert "cell-saved" in response.content.decode()
    assert IndicatorValue.objects.get(month=LAST_MONTH).value == 40
    entry = AuditEntry.objects.get(action="indicator.value_set")
    assert entry.changes["jump_confirmed"] is True
    assert entry.changes["previous_month_value"] == "10.00"


def test_the_jump_rule(settings):
    assert not services.is_jump(Decimal(10), Decimal(30))  # 3× exactly is plausible
    assert services.is_jump(Decimal(10), Decimal("30.01"))
    assert services.is_jump(Decimal(9), Decimal("2.99"))
    assert not services.is_jump(Decimal(9), Decimal(3))
    assert not services.is_jump(None, Decimal(1000))  # nothing to compare with
    assert not services.is_jump(Decimal(10), None)
    assert not services.is_jump(Decimal(0), Decimal(10))
    assert services.is_jump(Decimal(0), Decimal(11))
    settings.INDICATOR_JUMP_FACTOR = 5
    assert not services.is_jump(Decimal(10), Decimal(40))


def test_a_small_change_is_saved_at_once(english, police_member, hotspot_midi):
    put(hotspot_midi, "shootings", 10, police_member, month=BEFORE)
    english.force_login(police_member)
    response = cell_post(english, hotspot_midi, "shootings", "12")
    assert "cell-saved" in response.content.decode()
    assert "jump_confirmed" not in AuditEntry.objects.get(action="indicator.value_set").changes


def test_the_grid_form_without_javascript_asks_to_confirm(english, police_member, hotspot_midi):
    put(hotspot_midi, "shootings", 10, police_member, month=BEFORE)
    english.force_login(police_member)
    url = f"{reverse('hotspots:indicator_grid', args=[hotspot_midi.pk])}?year={LAST_MONTH.year}"
    key = prefix("shootings")
    response = english.post(url, {f"{key}-value": "100", f"{key}-original": ""})
    assert response.status_code == 200
    assert f'name="{key}-confirm"' in response.content.decode()
    assert not IndicatorValue.objects.filter(month=LAST_MONTH).exists()
    data = {f"{key}-value": "100", f"{key}-original": "", f"{key}-confirm": "on"}
    assert english.post(url, data).status_code == 302
    assert IndicatorValue.objects.get(month=LAST_MONTH).value == 100


def test_import_lists_jumps_and_saves_only_when_confirmed(english, csir_analyst, hotspot_midi):
    put(hotspot_midi, "shootings", 2, csir_analyst, month=BEFORE)
    text = (
        "hotspot;indicator;month;value\n"
        f"HS10;shootings;{LAST_MONTH:%Y-%m};20\n"
        f"HS10;drug_arrests;{LAST_MONTH:%Y-%m};4\n"
    )
    english.force_login(csir_analyst)
    url = reverse("hotspots:indicator_import")
    response = english.post(url, upload(text))
    assert response.status_code == 200
    result = response.context["result"]
    assert result.needs_confirmation and [j.line for j in result.jumps] == [2]
    assert result.jumps[0].previous == 2
    assert "Nothing was imported yet: please confirm" in response.content.decode()
    assert not IndicatorValue.objects.filter(month=LAST_MONTH).exists()
    response = english.post(url, upload(text, confirm=True))
    assert response.status_code == 302
    assert IndicatorValue.objects.filter(month=LAST_MONTH).count() == 2
    entry = AuditEntry.objects.get(action="indicator.import")
    assert entry.changes["jumps_confirmed"] == [
        ["HS10", "shootings", f"{LAST_MONTH:%Y-%m}", "2.00", "20"]
    ]


def test_import_compares_with_the_previous_month_of_the_file(csir_analyst, hotspot_midi):
    text = (
        "hotspot,indicator,month,value\n"
        f"HS10,shootings,{BEFORE:%Y-%m},1\n"
        f"HS10,shootings,{LAST_MONTH:%Y-%m},9\n"
    )
    result = services.import_csv(file_bytes_or_text=text, by=csir_analyst)
    assert result.needs_confirmation and [j.line for j in result.jumps] == [3]
    assert not IndicatorValue.objects.exists()


def test_an_import_with_errors_saves_nothing_even_confirmed(csir_analyst, hotspot_midi):
    put(hotspot_midi, "shootings", 2, csir_analyst, month=BEFORE)
    text = (
        "hotspot;indicator;month;value\n"
        f"HS10;shootings;{LAST_MONTH:%Y-%m};20\n"
        f"HS99;shootings;{LAST_MONTH:%Y-%m};1\n"
        f"HS10;nope;{LAST_MONTH:%Y-%m};1\n"
    )
    result = services.import_csv(file_bytes_or_text=text, by=csir_analyst, confirm_jumps=True)
    assert not result.ok and [e.line for e in result.errors] == [3, 4]
    assert IndicatorValue.objects.count() == 1


# --- Headers in French and Dutch -----------------------------------------------------------


@pytest.mark.parametrize(
    "header",
    [
        "Hotspot;Indicateur;Mois;Valeur",
        "HOTSPOT;INDICATEUR;MOIS;VALEUR",
        "hotspot;indicator;maand;waarde",
        " Hotspot ; Indicator ; Maand ; Waarde ",
        "hotspot;indicateur;Période;valeur",
        "Valeur;Mois;Indicateur;Hotspot",
    ],
)
def test_import_reads_french_and_dutch_headers(csir_analyst, hotspot_midi, header):
    values = {"Hotspot": "HS10", "Indicateur": "shootings", "Mois": f"{LAST_MONTH:%Y-%m}"}
    order = ["Hotspot", "Indicateur", "Mois", "Valeur"]
    if header.startswith("Valeur"):
        order.reverse()
    line = ";".join(values.get(name, "3") for name in order)
    result = services.import_csv(file_bytes_or_text=f"{header}\n{line}\n", by=csir_analyst)
    assert result.ok and result.created == 1
    value = IndicatorValue.objects.get()
    assert (value.hotspot, value.indicator.code, value.month, value.value) == (
        hotspot_midi,
        "shootings",
        LAST_MONTH,
        3,
    )


def test_a_bad_header_lists_the_names_in_the_reader_language(client, csir_analyst, hotspot_midi):
    client.force_login(csir_analyst)
    url = reverse("hotspots:indicator_import")
    text = f"hotspot;indicateur;mes;valeur\nHS10;shootings;{LAST_MONTH:%Y-%m};1\n"
    client.cookies["django_language"] = "fr"
    reasons = client.post(url, upload(text)).context["result"].errors[0].reasons[0]
    assert "hotspot, indicateur, mois, valeur" in reasons and "mois" in reasons.split(":")[-1]
    client.cookies["django_language"] = "nl"
    reasons = client.post(url, upload(text)).context["result"].errors[0].reasons[0]
    assert "hotspot, indicator, maand, waarde" in reasons
    assert not IndicatorValue.objects.exists()


def test_the_template_file_names_the_columns_in_the_reader_language(
    client, csir_analyst, cores_member
):
    client.force_login(csir_analyst)
    url = reverse("hotspots:indicator_import_template")
    client.cookies["django_language"] = "nl"
    assert client.get(url).content.decode("utf-8-sig").strip() == "hotspot,indicator,maand,waarde"
    client.cookies["django_language"] = "fr"
    assert client.get(url).content.decode("utf-8-sig").strip() == "hotspot,indicateur,mois,valeur"
    client.force_login(cores_member)
    assert client.get(url).status_code == 403


# --- The CSIR's home panel ---------------------------------------------------------------


def test_csir_home_counts_the_values_missing_last_month(
    english, csir_coordinator, police_member, csir_analyst, hotspot_midi
):
    put(hotspot_midi, "shootings", 1, csir_analyst)
    put(hotspot_midi, "seizures", 1, csir_analyst)
    count, month = panels_indicators.missing_last_month(csir_coordinator)
    assert month == LAST_MONTH
    assert count == IndicatorDefinition.objects.count() - 2
    english.force_login(csir_coordinator)
    html = english.get(reverse("home:index")).content.decode()
    assert "Indicators missing last month" in html
    assert f'<span class="badge">{count}</span>' in html
    assert f"{reverse('hotspots:indicator_completeness')}?month={LAST_MONTH:%Y-%m}" in html
    english.force_login(police_member)
    assert (
        "Indicators missing last month" not in english.get(reverse("home:index")).content.decode()
    )


def test_chart_without_goal_is_unchanged():
    points = [("Jan", 1.0), ("Feb", 2.0)]
    plain = charts.line_chart_svg(points=points, title="T")
    assert "chart-target" not in plain and "Target" not in plain
    with_target = charts.line_chart_svg(
        points=points, title="T", target=charts.Reference(value=8, when="31/12/2026")
    )
    # The axis grows to show a target above every value.
    assert ">10</text>" in with_target and "Target: 8 by 31/12/2026." in with_target
