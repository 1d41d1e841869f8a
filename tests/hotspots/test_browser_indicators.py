"""Browser journey of the indicator grid, in Chromium: a cell is saved in place by htmx."""

import pytest
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.formats import date_format

from hotspots.models import IndicatorDefinition, IndicatorValue
from hotspots.selectors.indicators import add_months

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_police_member_saves_a_cell_without_reloading(page, login, police_member, hotspot_midi):
    month = add_months(timezone.localdate().replace(day=1), -1)
    shootings = IndicatorDefinition.objects.get(code="shootings")
    name = f"c-{shootings.pk}-{month:%Y-%m}"
    url = reverse("hotspots:indicator_grid", args=[hotspot_midi.pk])

    login(police_member)
    page.goto(f"{url}?year={month.year}")
    # A marker on the window survives only if the page never navigates.
    page.evaluate("window.__stayedOnPage = true")
    with translation.override("fr"):
        label = f"Fusillades, {date_format(month, 'F Y')}"
    cell = page.get_by_label(label, exact=True)
    assert cell.get_attribute("name") == f"{name}-value"
    cell.fill("3")
    cell.press("Tab")

    page.locator(f"#{name}-cell [data-saved='true']").wait_for()
    assert page.evaluate("window.__stayedOnPage") is True
    assert page.url.endswith(f"{url}?year={month.year}")
    assert page.locator("#grid-status").inner_text() != ""
    value = IndicatorValue.objects.get(hotspot=hotspot_midi, indicator=shootings, month=month)
    assert value.value == 3 and value.entered_by == police_member
