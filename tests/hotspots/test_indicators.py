"""Indicators: the monthly grid per hotspot, htmx cells, CSV import/export, trend charts."""

from __future__ import annotations

import csv
import datetime as dt
import io
import xml.etree.ElementTree as ET
from decimal import Decimal

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coordination.core import charts
from coordination.models import AuditEntry
from hotspots import demo_indicators
from hotspots.models import Hotspot, IndicatorDefinition, IndicatorValue
from hotspots.selectors import indicators as selectors
from hotspots.services import indicators as services
from tests.factories import HotspotFactory

pytestmark = pytest.mark.django_db

SVG = "{http://www.w3.org/2000/svg}"


def parse_svg(markup: str) -> ET.Element:
    """The chart as XML: our own output, so the standard parser is fine here."""
    return ET.fromstring(markup)  # noqa: S314


def months_back(count: int) -> dt.date:
    """The first day of the month ``count`` months before the current one."""
    return selectors.add_months(timezone.localdate().replace(day=1), -count)


LAST_MONTH = months_back(1)


@pytest.fixture
def english(client):
    """Assertions read the English msgids, whatever the catalogues say."""
    client.cookies["django_language"] = "en"
    return client


def indicator(code: str) -> IndicatorDefinition:
    return IndicatorDefinition.objects.get(code=code)


def key(code: str, month: dt.date = LAST_MONTH) -> str:
    return f"c-{indicator(code).pk}-{month:%Y-%m}"


def cell_post(client, hotspot, code, value, *, month=LAST_MONTH, original="", htmx=True):
    prefix = key(code, month)
    data = {f"{prefix}-value": value, f"{prefix}-original": original}
    extra = {"HTTP_HX_REQUEST": "true"} if htmx else {}
    return client.post(reverse("hotspots:indicator_cell", args=[hotspot.pk]), data, **extra)


def grid_url(hotspot, year=LAST_MONTH.year) -> str:
    return f"{reverse('hotspots:indicator_grid', args=[hotspot.pk])}?year={year}"


def put(hotspot, code, value, by, month=LAST_MONTH) -> IndicatorValue:
    return IndicatorValue.objects.create(
        hotspot=hotspot, indicator=indicator(code), month=month, value=value, entered_by=by
    )


def upload(text: str | bytes, name: str = "values.csv") -> dict:
    content = text.encode() if isinstance(text, str) else text
    return {"file": SimpleUploadedFile(name, content, content_type="text/csv")}


# --- The grid ---------------------------------------------------------------------------


def test_starter_set_is_seeded():
    codes = list(IndicatorDefinition.objects.values_list("code", flat=True))
    assert len(codes) == 8 and "shootings" in codes and "outreach_contacts" in codes


def test_grid_for_csir_shows_values_and_inputs(english, csir_coordinator, hotspot_midi):
    put(hotspot_midi, "shootings", Decimal("7"), csir_coordinator)
    put(hotspot_midi, "outreach_contacts", Decimal("42.5"), csir_coordinator)
    english.force_login(csir_coordinator)
    response = english.get(grid_url(hotspot_midi))
    assert response.status_code == 200
    html = response.content.decode()
    assert f'name="{key("shootings")}-value" value="7"' in html
    assert f'name="{key("outreach_contacts")}-value" value="42.5"' in html
    assert 'type="number" min="0" step="any"' in html
    assert f'hx-post="{reverse("hotspots:indicator_cell", args=[hotspot_midi.pk])}"' in html
    assert 'hx-trigger="change"' in html
    # Every input has a label naming the indicator and the month.
    month = LAST_MONTH.strftime("%B %Y")
    assert f'for="{key("shootings")}-value">Fusillades, {month}</label>' in html
    assert ">Save</button>" in html


def test_grid_shows_names_in_the_reader_language(client, csir_coordinator, hotspot_midi):
    client.force_login(csir_coordinator)
    client.cookies["django_language"] = "nl"
    assert "Schietincidenten" in client.get(grid_url(hotspot_midi)).content.decode()
    client.cookies["django_language"] = "fr"
    assert "Fusillades" in client.get(grid_url(hotspot_midi)).content.decode()


def test_grid_of_a_bad_year_falls_back_to_this_year(client, csir_coordinator, hotspot_midi):
    client.force_login(csir_coordinator)
    response = client.get(f"{reverse('hotspots:indicator_grid', args=[hotspot_midi.pk])}?year=x")
    assert response.status_code == 200
    assert response.context["year"] == timezone.localdate().year


def test_future_months_are_not_editable(client, csir_coordinator, hotspot_midi):
    client.force_login(csir_coordinator)
    response = client.get(grid_url(hotspot_midi, timezone.localdate().year))
    cells = [c for row in response.context["rows"] for c in row["cells"]]
    this_month = timezone.localdate().replace(day=1)
    assert all(c["editable"] == (c["month"] <= this_month) for c in cells)


def test_cores_member_reads_the_grid_but_cannot_enter(
    client, cores_member, csir_coordinator, hotspot_midi
):
    put(hotspot_midi, "shootings", Decimal("3"), csir_coordinator)
    client.force_login(cores_member)
    response = client.get(grid_url(hotspot_midi))
    assert response.status_code == 200
    html = response.content.decode()
    assert 'type="number"' not in html
    assert '<span class="cell-value">3</span>' in html
    assert cell_post(client, hotspot_midi, "shootings", "4").status_code == 403
    assert (
        client.post(grid_url(hotspot_midi), {f"{key('shootings')}-value": "4"}).status_code == 403
    )
    assert IndicatorValue.objects.get().value == 3


def test_police_enters_police_indicators_in_its_zone_only(
    client, police_member, hotspot_midi, hotspot_molenbeek
):
    client.force_login(police_member)
    response = client.get(grid_url(hotspot_midi))
    assert f'name="{key("shootings")}-value"' in response.content.decode()
    assert f'name="{key("outreach_contacts")}-value"' not in response.content.decode()

    assert cell_post(client, hotspot_midi, "shootings", "2").status_code == 200
    assert cell_post(client, hotspot_midi, "outreach_contacts", "20").status_code == 403
    # Molenbeek lies in another police zone: readable, not enterable.
    assert client.get(grid_url(hotspot_molenbeek)).status_code == 200
    assert cell_post(client, hotspot_molenbeek, "shootings", "2").status_code == 403
    assert list(IndicatorValue.objects.values_list("hotspot__code", "indicator__code")) == [
        ("HS10", "shootings")
    ]


def test_association_enters_outreach_not_shootings(client, association_member, hotspot_midi):
    client.force_login(association_member)
    assert cell_post(client, hotspot_midi, "outreach_contacts", "35").status_code == 200
    assert cell_post(client, hotspot_midi, "shootings", "1").status_code == 403
    assert IndicatorValue.objects.get().indicator.code == "outreach_contacts"


def test_unknown_hotspot_is_404(client, csir_coordinator):
    client.force_login(csir_coordinator)
    assert client.get(reverse("hotspots:indicator_grid", args=[999999])).status_code == 404
    assert client.get(reverse("hotspots:indicator_export", args=[999999])).status_code == 404
    response = client.post(
        reverse("hotspots:indicator_cell", args=[999999]),
        {f"{key('shootings')}-value": "1"},
        HTTP_HX_REQUEST="true",
    )
    assert response.status_code == 404


def test_proposed_hotspot_is_404_for_police(client, police_member, csir_coordinator):
    proposed = HotspotFactory(status=Hotspot.Status.PROPOSED, communes=["21001"])
    client.force_login(police_member)
    assert client.get(grid_url(proposed)).status_code == 404
    assert cell_post(client, proposed, "shootings", "1").status_code == 404
    assert client.get(reverse("hotspots:indicator_export", args=[proposed.pk])).status_code == 404
    client.force_login(csir_coordinator)
    assert client.get(grid_url(proposed)).status_code == 200


def test_anonymous_is_sent_to_login(client, hotspot_midi):
    response = client.get(grid_url(hotspot_midi))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_wrong_methods(client, csir_coordinator, hotspot_midi):
    client.force_login(csir_coordinator)
    assert client.get(reverse("hotspots:indicator_cell", args=[hotspot_midi.pk])).status_code == 405
    export = reverse("hotspots:indicator_export", args=[hotspot_midi.pk])
    assert client.post(export).status_code == 405
    assert client.delete(grid_url(hotspot_midi)).status_code == 405


# --- One cell with htmx -------------------------------------------------------------------


def test_htmx_cell_saves_and_returns_the_partial_audited(english, police_member, hotspot_midi):
    english.force_login(police_member)
    response = cell_post(english, hotspot_midi, "shootings", "4")
    assert response.status_code == 200
    html = response.content.decode()
    assert html.lstrip().startswith("<td") and "<html" not in html
    assert f'id="{key("shootings")}-cell"' in html
    assert 'data-saved="true"' in html and "saved" in html
    assert 'hx-swap-oob="innerHTML:#grid-status"' in html
    value = IndicatorValue.objects.get()
    assert (value.value, value.entered_by, value.month) == (Decimal(4), police_member, LAST_MONTH)
    entry = AuditEntry.objects.get(action="indicator.value_set")
    assert entry.actor == police_member and entry.target_id == str(hotspot_midi.pk)
    assert entry.changes == {
        "indicator": "shootings",
        "month": f"{LAST_MONTH:%Y-%m}",
        "value": [None, "4"],
    }

    cell_post(english, hotspot_midi, "shootings", "6", original="4")
    assert IndicatorValue.objects.get().value == 6
    assert AuditEntry.objects.filter(action="indicator.value_set").first().changes["value"] == [
        "4.00",
        "6",
    ]
    # Emptying the cell removes the value, audited too.
    cell_post(english, hotspot_midi, "shootings", "", original="6")
    assert not IndicatorValue.objects.exists()
    assert AuditEntry.objects.get(action="indicator.value_delete").changes["value"] == [
        "6.00",
        None,
    ]


def test_htmx_cell_shows_the_error_and_saves_nothing(english, police_member, hotspot_midi):
    english.force_login(police_member)
    response = cell_post(english, hotspot_midi, "shootings", "-3")
    assert response.status_code == 200
    html = response.content.decode()
    assert "cell-invalid" in html and 'aria-invalid="true"' in html
    assert "Enter a number of zero or more." in html
    response = cell_post(english, hotspot_midi, "shootings", "1.234")
    assert "Use at most two decimals." in response.content.decode()
    future = months_back(-2)
    response = cell_post(english, hotspot_midi, "shootings", "1", month=future)
    assert "This month has not begun yet." in response.content.decode()
    assert not IndicatorValue.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="indicator").exists()


def test_unchanged_cell_writes_nothing(client, police_member, hotspot_midi):
    put(hotspot_midi, "shootings", Decimal("5"), police_member)
    client.force_login(police_member)
    assert cell_post(client, hotspot_midi, "shootings", "5", original="5").status_code == 200
    assert not AuditEntry.objects.filter(action__startswith="indicator").exists()


def test_cell_post_without_one_cell_is_a_bad_request(client, police_member, hotspot_midi):
    client.force_login(police_member)
    url = reverse("hotspots:indicator_cell", args=[hotspot_midi.pk])
    assert client.post(url, {}, HTTP_HX_REQUEST="true").status_code == 400
    two = {f"{key('shootings')}-value": "1", f"{key('seizures')}-value": "2"}
    assert client.post(url, two, HTTP_HX_REQUEST="true").status_code == 400


def test_cell_post_without_htmx_goes_back_to_the_grid(client, police_member, hotspot_midi):
    client.force_login(police_member)
    response = cell_post(client, hotspot_midi, "shootings", "3", htmx=False)
    assert response.status_code == 302 and response["Location"] == grid_url(hotspot_midi)
    assert IndicatorValue.objects.get().value == 3


# --- The whole grid without JavaScript -----------------------------------------------------


def test_grid_post_saves_every_changed_cell(english, police_member, csir_analyst, hotspot_midi):
    earlier = LAST_MONTH.replace(month=1)  # in the same year, so on the same grid
    put(hotspot_midi, "seizures", Decimal("9"), csir_analyst)
    put(hotspot_midi, "identity_checks", Decimal("100"), csir_analyst, month=earlier)
    english.force_login(police_member)
    data = {
        f"{key('shootings')}-value": "2",
        f"{key('shootings')}-original": "",
        f"{key('drug_arrests', earlier)}-value": "12.5",
        f"{key('drug_arrests', earlier)}-original": "",
        f"{key('seizures')}-value": "11",
        f"{key('seizures')}-original": "9",
        # Unchanged on this page, though someone else may have changed it since.
        f"{key('identity_checks', earlier)}-value": "80",
        f"{key('identity_checks', earlier)}-original": "80",
    }
    response = english.post(grid_url(hotspot_midi), data, follow=True)
    assert response.redirect_chain[-1][0] == grid_url(hotspot_midi)
    assert "Values saved: 3." in response.content.decode()
    values = dict(
        IndicatorValue.objects.values_list("indicator__code", "value").order_by("indicator__code")
    )
    assert values == {
        "drug_arrests": Decimal("12.5"),
        "identity_checks": Decimal(100),
        "seizures": Decimal(11),
        "shootings": Decimal(2),
    }
    assert AuditEntry.objects.filter(action="indicator.value_set").count() == 3


def test_grid_post_with_a_bad_cell_saves_nothing(english, police_member, hotspot_midi):
    english.force_login(police_member)
    data = {
        f"{key('shootings')}-value": "2",
        f"{key('seizures')}-value": "-1",
    }
    response = english.post(grid_url(hotspot_midi), data)
    assert response.status_code == 200
    html = response.content.decode()
    assert "nothing was saved" in html and "Enter a number of zero or more." in html
    assert f'name="{key("seizures")}-value" value="-1"' in html
    assert not IndicatorValue.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="indicator").exists()


def test_grid_post_of_a_cell_one_may_not_enter_is_refused(client, police_member, hotspot_midi):
    client.force_login(police_member)
    data = {f"{key('shootings')}-value": "2", f"{key('outreach_contacts')}-value": "3"}
    assert client.post(grid_url(hotspot_midi), data).status_code == 403
    assert not IndicatorValue.objects.exists()


# --- CSV import -----------------------------------------------------------------------------


def month_text(count: int) -> str:
    return f"{months_back(count):%Y-%m}"


def test_import_a_good_file_saves_all(english, police_member, hotspot_midi):
    english.force_login(police_member)
    text = (
        "hotspot,indicator,month,value\n"
        f"HS10,shootings,{month_text(1)},2\n"
        f"HS10,shootings,{month_text(2)},3\n"
        f"HS10,seizures,{month_text(1)},14.5\n"
    )
    response = english.post(reverse("hotspots:indicator_import"), upload(text), follow=True)
    assert response.status_code == 200
    assert "3 new values" in response.content.decode()
    assert IndicatorValue.objects.count() == 3
    entry = AuditEntry.objects.get(action="indicator.import")
    assert entry.actor == police_member
    assert (entry.changes["created"], entry.changes["updated"]) == (3, 0)


def test_import_with_one_bad_line_saves_nothing(english, police_member, hotspot_midi):
    english.force_login(police_member)
    text = (
        "hotspot,indicator,month,value\n"
        f"HS10,shootings,{month_text(1)},2\n"
        f"HS10,shootings,{month_text(2)},-3\n"
        f"HS10,seizures,{month_text(1)},14\n"
    )
    response = english.post(reverse("hotspots:indicator_import"), upload(text))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Nothing was imported" in html
    assert '<td class="num">3</td>' in html
    assert "Value “-3” is not a number of zero or more." in html
    assert not IndicatorValue.objects.exists()
    assert not AuditEntry.objects.filter(action__startswith="indicator").exists()


def test_import_lists_every_bad_line(
    english, police_member, hotspot_midi, hotspot_molenbeek, csir_analyst
):
    HotspotFactory(code="HS77", status=Hotspot.Status.PROPOSED, communes=["21001"])
    english.force_login(police_member)
    future = month_text(-3)
    text = (
        "hotspot,indicator,month,value\n"
        f"HS10,shootings,{month_text(1)},2\n"  # 2: good
        f"HS99,shootings,{month_text(1)},2\n"  # 3: unknown hotspot
        f"HS10,gunfights,{month_text(1)},2\n"  # 4: unknown indicator
        "HS10,shootings,2025/01,2\n"  # 5: bad month
        f"HS10,shootings,{future},2\n"  # 6: future
        f"HS10,seizures,{month_text(1)},many\n"  # 7: not a number
        f"HS10,shootings,{month_text(1)},3\n"  # 8: duplicate of line 2
        f"HS12,shootings,{month_text(1)},1\n"  # 9: another police zone
        f"HS10,outreach_contacts,{month_text(1)},1\n"  # 10: not a police indicator
        f"HS77,shootings,{month_text(1)},1\n"  # 11: a proposal the police cannot see
    )
    result = services.import_csv(file_bytes_or_text=text, by=police_member)
    reasons = {error.line: " ".join(error.reasons) for error in result.errors}
    assert sorted(reasons) == [3, 4, 5, 6, 7, 8, 9, 10, 11]
    assert "Unknown hotspot code “HS99”" in reasons[3]
    assert "Unknown indicator code “gunfights”" in reasons[4]
    assert "is not written YYYY-MM" in reasons[5]
    assert "is in the future" in reasons[6]
    assert "not a number" in reasons[7]
    assert "line 2" in reasons[8]
    assert "You may not enter this indicator" in reasons[9]
    assert "You may not enter this indicator" in reasons[10]
    assert "Unknown hotspot code “HS77”" in reasons[11]
    assert not IndicatorValue.objects.exists()

    response = english.post(reverse("hotspots:indicator_import"), upload(text))
    html = response.content.decode()
    for line in reasons:
        assert f'<td class="num">{line}</td>' in html


def test_import_accepts_bom_semicolons_and_decimal_comma(police_member, hotspot_midi):
    text = (
        "\ufeffHotspot;Indicator;Month;Value\r\n"
        f"HS10;shootings;{month_text(1)};2\r\n"
        f"hs10;seizures;{month_text(1)};12,5\r\n"
        "\r\n"
    )
    result = services.import_csv(file_bytes_or_text=text.encode("utf-8"), by=police_member)
    assert result.ok, result.errors
    assert result.created == 2
    assert IndicatorValue.objects.get(indicator__code="seizures").value == Decimal("12.5")


def test_import_replaces_values_and_records_the_old_ones(police_member, hotspot_midi):
    put(hotspot_midi, "shootings", Decimal(5), police_member)
    put(hotspot_midi, "seizures", Decimal(1), police_member)
    text = (
        "hotspot,indicator,month,value\n"
        f"HS10,shootings,{month_text(1)},7\n"
        f"HS10,seizures,{month_text(1)},1\n"
    )
    result = services.import_csv(file_bytes_or_text=text, by=police_member)
    assert (result.created, result.updated, result.unchanged) == (0, 1, 1)
    assert IndicatorValue.objects.get(indicator__code="shootings").value == 7
    entry = AuditEntry.objects.get(action="indicator.import")
    assert entry.changes["replaced"] == [["HS10", "shootings", month_text(1), "5.00", "7"]]


def test_import_refuses_files_that_are_not_csv_text(english, police_member):
    english.force_login(police_member)
    url = reverse("hotspots:indicator_import")
    response = english.post(url, upload("a,b", name="values.xlsx"))
    assert "Choose a CSV file" in response.content.decode()
    big = b"hotspot,indicator,month,value\n" + b"x" * (2 * 1024 * 1024)
    assert "the limit is" in english.post(url, upload(big)).content.decode()
    result = services.import_csv(file_bytes_or_text="\xff".encode("latin-1"), by=police_member)
    assert result.errors[0].reasons == ["The file is not UTF-8 text."]
    result = services.import_csv(file_bytes_or_text="a,b,c\n1,2,3\n", by=police_member)
    assert "must name the columns" in result.errors[0].reasons[0]
    huge = "hotspot,indicator,month,value\n" + "x" * 200_000
    result = services.import_csv(file_bytes_or_text=huge, by=police_member)
    assert result.errors[0].reasons == ["This line cannot be read as CSV."]


def test_import_refuses_more_than_5000_lines(police_member, hotspot_midi):
    lines = ["hotspot,indicator,month,value"] + [f"HS10,shootings,{month_text(1)},1"] * (
        services.MAX_IMPORT_LINES + 1
    )
    result = services.import_csv(file_bytes_or_text="\n".join(lines), by=police_member)
    assert len(result.errors) == 1 and "more than" in result.errors[0].reasons[0]


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("csir_analyst", 200),
        ("police_member", 200),
        ("association_member", 200),
        ("mayor_anderlecht", 200),
        ("cores_member", 403),
    ],
)
def test_import_page_is_offered_to_suppliers_only(client, request, who, status):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("hotspots:indicator_import")).status_code == status


# --- CSV export ----------------------------------------------------------------------------


def test_export_round_trips_through_import(client, csir_analyst, hotspot_midi, hotspot_molenbeek):
    put(hotspot_midi, "shootings", Decimal(3), csir_analyst)
    put(hotspot_midi, "outreach_contacts", Decimal("40.25"), csir_analyst, month=months_back(3))
    put(hotspot_molenbeek, "resident_complaints", Decimal(12), csir_analyst)
    client.force_login(csir_analyst)
    response = client.get(reverse("hotspots:indicator_export_all"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    assert "attachment" in response["Content-Disposition"]
    exported = response.content
    before = set(IndicatorValue.objects.values_list("hotspot", "indicator", "month", "value"))
    IndicatorValue.objects.all().delete()

    result = services.import_csv(file_bytes_or_text=exported, by=csir_analyst)
    assert result.ok and result.created == 3
    after = set(IndicatorValue.objects.values_list("hotspot", "indicator", "month", "value"))
    assert after == before


def test_export_of_one_hotspot_and_of_what_one_sees(
    client, police_member, csir_analyst, hotspot_midi, hotspot_molenbeek
):
    proposed = HotspotFactory(code="HS77", status=Hotspot.Status.PROPOSED, communes=["21001"])
    put(hotspot_midi, "shootings", Decimal(3), csir_analyst)
    put(hotspot_molenbeek, "shootings", Decimal(4), csir_analyst)
    put(proposed, "shootings", Decimal(5), csir_analyst)
    client.force_login(police_member)
    one = client.get(reverse("hotspots:indicator_export", args=[hotspot_midi.pk]))
    rows = list(csv.reader(io.StringIO(one.content.decode("utf-8-sig"))))
    assert rows == [
        ["hotspot", "indicator", "month", "value"],
        ["HS10", "shootings", month_text(1), "3"],
    ]
    everything = client.get(reverse("hotspots:indicator_export_all")).content.decode("utf-8-sig")
    assert "HS10" in everything and "HS12" in everything and "HS77" not in everything


# --- Query counts --------------------------------------------------------------------------


def _fill(hotspot, by, months: int, extra_indicators: int = 0):
    for number in range(extra_indicators):
        IndicatorDefinition.objects.create(
            code=f"extra_{number}",
            name_fr=f"Extra {number}",
            name_nl=f"Extra {number}",
            unit_fr="faits",
            unit_nl="feiten",
            axis="security",
            supplier_kind="local_police",
            position=100 + number,
        )
    IndicatorValue.objects.bulk_create(
        IndicatorValue(
            hotspot=hotspot,
            indicator=definition,
            month=months_back(count),
            value=count,
            entered_by=by,
        )
        for definition in IndicatorDefinition.objects.all()
        for count in range(1, months + 1)
        if not IndicatorValue.objects.filter(
            hotspot=hotspot, indicator=definition, month=months_back(count)
        ).exists()
    )


def _grid_queries(client, hotspot) -> int:
    with CaptureQueriesContext(connection) as queries:
        assert client.get(grid_url(hotspot)).status_code == 200
    return len(queries)


def test_grid_queries_do_not_grow_with_the_data(client, police_member, csir_analyst, hotspot_midi):
    client.force_login(police_member)
    _fill(hotspot_midi, csir_analyst, months=2)
    small = _grid_queries(client, hotspot_midi)
    _fill(hotspot_midi, csir_analyst, months=24, extra_indicators=8)
    assert IndicatorDefinition.objects.count() == 16
    assert _grid_queries(client, hotspot_midi) == small


def test_trend_chart_queries_do_not_grow_with_the_data(csir_analyst, hotspot_midi):
    _fill(hotspot_midi, csir_analyst, months=2)
    with CaptureQueriesContext(connection) as small:
        assert len(selectors.trend_charts(hotspot_midi)) == 8
    _fill(hotspot_midi, csir_analyst, months=24, extra_indicators=8)
    with CaptureQueriesContext(connection) as large:
        assert len(selectors.trend_charts(hotspot_midi)) == 16
    assert len(small) == len(large) == 2


def test_trend_charts_give_latest_value_and_trend(csir_analyst, hotspot_midi):
    for count, value in [(6, 10), (5, 10), (4, 10), (3, 4), (2, 4), (1, 3)]:
        put(hotspot_midi, "shootings", Decimal(value), csir_analyst, month=months_back(count))
    chart = next(
        c for c in selectors.trend_charts(hotspot_midi) if c["indicator"].code == "shootings"
    )
    assert chart["latest"] == 3 and chart["latest_month"] == LAST_MONTH
    assert chart["trend"] == "down" and chart["improving"] is True
    parse_svg(str(chart["svg"]))


def test_trends_partial_renders(client, csir_analyst, hotspot_midi):
    from django.template.loader import render_to_string

    put(hotspot_midi, "shootings", Decimal(3), csir_analyst)
    html = render_to_string(
        "hotspots/indicators/_trends.html",
        {"charts": selectors.trend_charts(hotspot_midi), "hotspot": hotspot_midi},
    )
    assert html.count("<svg") == 8
    assert reverse("hotspots:indicator_grid", args=[hotspot_midi.pk]) in html
    assert "trend-flat" in html and "visually-hidden" in html


# --- Charts --------------------------------------------------------------------------------


def test_chart_is_valid_svg_with_gaps_and_last_value():
    points = [("Jan", 1.0), ("Feb", None), ("Mar", 3.0), ("Apr", 4.5), ("May", None)]
    svg = charts.line_chart_svg(points=points, title="Shootings", unit="facts")
    root = parse_svg(svg)
    assert root.tag == f"{SVG}svg" and root.get("role") == "img"
    assert root.find(f"{SVG}title").text == "Shootings"
    assert "4" in root.find(f"{SVG}desc").text
    assert len(root.findall(f"{SVG}polyline")) == 1  # Mar–Apr; Jan is a lone dot
    assert len(root.findall(f"{SVG}circle")) == 2  # the lone dot and the last value
    assert "<script" not in svg and "href" not in svg and "style=" not in svg
    labels = [t.text for t in root.findall(f"{SVG}text")]
    assert "5" in labels  # the rounded maximum of the y axis


def test_chart_escapes_every_label():
    evil = "<script>alert(1)</script>"
    svg = charts.line_chart_svg(points=[(evil, 1.0), ("b", 2.0)], title=evil, unit=evil)
    assert "<script>" not in svg and "&lt;script&gt;" in svg
    root = parse_svg(svg)
    assert root.find(f"{SVG}title").text == evil


def test_chart_without_any_value_still_parses():
    root = parse_svg(charts.line_chart_svg(points=[("a", None), ("b", None)], title="x"))
    assert root.find(f"{SVG}desc").text
    parse_svg(charts.line_chart_svg(points=[], title="empty"))


@pytest.mark.parametrize(
    ("values", "expected"),
    [
        ([10, 10, 10, 4, 4, 3], "down"),
        ([1, 1, 1, 2, 3, 2], "up"),
        ([10, 10, 10, 10, 10, 10.5], "flat"),
        ([None, None, None, 1, 2, 3], "flat"),
        ([0, 0, 0, 0, 1, 0], "up"),
        ([], "flat"),
    ],
)
def test_trend(values, expected):
    assert charts.trend(values) == expected


def test_nice_max():
    assert [charts.nice_max(v) for v in (0, 3, 7, 12, 180, 2.2)] == [1, 5, 10, 20, 200, 2.5]


# --- Demo ----------------------------------------------------------------------------------


def test_demo_values_are_deterministic_and_idempotent(
    csir_analyst, hotspot_midi, hotspot_molenbeek
):
    people = {"csir.analyst": csir_analyst}
    hotspots = {"HS10": hotspot_midi, "HS12": hotspot_molenbeek}
    demo_indicators.seed(people=people, hotspots=hotspots)
    assert IndicatorValue.objects.count() == 2 * 8 * 24
    assert IndicatorValue.objects.order_by("-month").first().month == LAST_MONTH
    assert AuditEntry.objects.filter(action="indicator.demo").count() == 2
    first = list(IndicatorValue.objects.values_list("hotspot", "indicator", "month", "value"))
    demo_indicators.seed(people=people, hotspots=hotspots)
    assert (
        list(IndicatorValue.objects.values_list("hotspot", "indicator", "month", "value")) == first
    )
    assert demo_indicators.series("HS10", "shootings") == demo_indicators.series(
        "HS10", "shootings"
    )
    outreach = demo_indicators.series("HS10", "outreach_contacts")
    assert sum(outreach[-6:]) > sum(outreach[:6])
