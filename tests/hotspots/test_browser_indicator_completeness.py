"""Browser journey (issue 14): the CSIR follows a missing indicator to the grid and fills it."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from hotspots.models import IndicatorDefinition, IndicatorValue
from hotspots.selectors.indicators import add_months

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_csir_follows_a_missing_indicator_to_the_grid_and_enters_it(
    page, login, csir_coordinator, police_member, hotspot_midi
):
    month = add_months(timezone.localdate().replace(day=1), -1)
    shootings = IndicatorDefinition.objects.get(code="shootings")
    seizures = IndicatorDefinition.objects.get(code="seizures")
    IndicatorValue.objects.create(
        hotspot=hotspot_midi,
        indicator=seizures,
        month=month,
        value=2,
        entered_by=police_member,
    )
    arrests = IndicatorDefinition.objects.get(code="drug_arrests")
    IndicatorValue.objects.create(
        hotspot=hotspot_midi,
        indicator=arrests,
        month=add_months(month, -1),
        value=2,
        entered_by=police_member,
    )
    prefix = f"c-{shootings.pk}-{month:%Y-%m}"
    completeness = reverse("hotspots:indicator_completeness")
    total = IndicatorDefinition.objects.count()

    login(csir_coordinator)
    # The home panel counts last month's gaps and leads to the completeness page.
    panel = page.locator("section", has=page.locator("#panel-indicators-missing"))
    assert panel.locator(".badge").inner_text() == str(total - 1)
    panel.get_by_role("link").click()
    page.wait_for_url(f"**{completeness}?month={month:%Y-%m}")
    cell = page.locator(f'td[data-hotspot="HS10"][data-month="{month:%Y-%m}"]')
    assert cell.inner_text().startswith(f"{100 // total}")

    # The missing shootings of Gare du Midi, named with the police that supplies them.
    row = page.locator("table.missing-table tr", has=page.locator(f'a[href$="#{prefix}-cell"]'))
    assert police_member.agency.name_fr in row.inner_text()
    row.get_by_role("link").click()
    page.wait_for_url(f"**#{prefix}-cell")

    with translation.override("fr"):
        label = f"Fusillades, {date_format(month, 'F Y')}"
    field = page.get_by_label(label, exact=True)
    field.fill("4")
    field.press("Tab")
    page.locator(f"#{prefix}-cell [data-saved='true']").wait_for()
    value = IndicatorValue.objects.get(hotspot=hotspot_midi, indicator=shootings, month=month)
    assert value.value == 4 and value.entered_by == csir_coordinator

    # A value far from the previous month's waits for an explicit confirmation.
    jump = f"c-{arrests.pk}-{month:%Y-%m}"
    field = page.locator(f"#{jump}-value")
    field.fill("50")
    field.press("Tab")
    page.locator(f"#{jump}-cell .cell-error").wait_for()
    assert "(2)" in page.locator(f"#{jump}-status").inner_text()
    assert not IndicatorValue.objects.filter(indicator=arrests, month=month).exists()
    page.locator(f"#{jump}-confirm").check()  # labelled "I confirm this value"
    page.locator(f"#{jump}-cell [data-saved='true']").wait_for()
    assert IndicatorValue.objects.get(indicator=arrests, month=month).value == 50

    # Back on the completeness page, the gaps are gone.
    page.goto(f"{completeness}?month={month:%Y-%m}")
    assert page.locator(f'a[href$="#{prefix}-cell"]').count() == 0
    assert cell.inner_text().startswith(f"{300 // total}")
