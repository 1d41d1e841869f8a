"""Browser journey: the mayor of Saint-Gilles finds his commune's pending posting of the
regional order on the register and records it as done."""

import datetime as dt

import pytest
from django.utils import timezone

from hotspots.models import MeasureType, PoliceOrder, PublicationStep
from hotspots.services.order_register import amendment_record
from hotspots.services.orders import order_create

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]


def test_mayor_marks_his_communes_posting_done(
    page, login, csir_coordinator, mayor_saint_gilles, mayor_anderlecht, hotspot_midi
):
    order = order_create(
        by=csir_coordinator,
        scope=PoliceOrder.Scope.REGIONAL,
        title_fr="Arrêté du Ministre-Président du 26 février 2025",
        title_nl="Verordening van de Minister-President van 26 februari 2025",
        measures=[MeasureType.ALCOHOL_BAN],
        legal_reference="NLC art. 134ter",
        signatory="Le Ministre-Président",
        signed_on=dt.date(2025, 2, 26),
        valid_from=dt.date(2025, 3, 4),
        valid_until=dt.date(2025, 9, 3),
    )
    amendment = amendment_record(
        order=order,
        by=csir_coordinator,
        kind="original",
        signed_on=dt.date(2025, 2, 26),
        valid_from=dt.date(2025, 3, 4),
        valid_until=dt.date(2025, 9, 3),
        measures=[MeasureType.ALCOHOL_BAN],
        hotspots=[hotspot_midi],
    )
    own = amendment.steps.get(kind=PublicationStep.Kind.POSTED, commune__nis_code="21013")
    other = amendment.steps.get(kind=PublicationStep.Kind.POSTED, commune__nis_code="21001")

    login(mayor_saint_gilles)
    page.goto("/hotspots/orders/register/")
    mine = page.locator("#my-steps").locator("xpath=..")
    assert mine.get_by_role("link").count() == 1
    mine.get_by_role("link").click()
    row = page.locator(f"#step-{own.pk}")
    assert "Saint-Gilles" in row.inner_text()
    # Another commune's step has no button for him.
    assert page.locator(f"#step-{other.pk} form").count() == 0
    today = timezone.localdate()
    # The date field is labelled (whatever the language); it is filled by keyboard.
    assert row.locator(f"label[for=done-on-{own.pk}]").count() == 1
    row.locator(f"#done-on-{own.pk}").fill(today.isoformat())
    row.get_by_role("button").click()
    page.locator(f"#step-{own.pk} .status-done").wait_for()
    assert page.locator(f"#step-{own.pk} form").count() == 0
    own.refresh_from_db()
    assert (own.done_on, own.done_by) == (today, mayor_saint_gilles)
    other.refresh_from_db()
    assert other.done_on is None
