"""Browser journey: a mayor records a local police order with its signed PDF."""

import datetime as dt
import importlib

import pytest
from django.apps import apps
from django.utils import timezone, translation

from coordination.models import Commune
from hotspots.models import PoliceOrder

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]

PDF = (
    b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n1 0 obj<</Type/Catalog>>endobj\ntrailer<</Root 1 0 R>>\n%%EOF\n"
)


@pytest.fixture(autouse=True)
def _reference_communes(transactional_db) -> None:
    """An earlier transactional test flushes the migrated communes; load them again."""
    if not Commune.objects.exists():
        importlib.import_module("coordination.migrations.0002_reference_data").load(apps, None)


def test_mayor_records_a_local_order_with_its_pdf(
    page, login, settings, tmp_path, mayor_anderlecht, hotspot_midi
):
    settings.MEDIA_ROOT = tmp_path
    today = timezone.localdate()
    login(mayor_anderlecht)
    page.goto(f"/hotspots/orders/new/?hotspot={hotspot_midi.pk}")

    form = page.locator("main form[method=post]")
    assert form.locator("select[name=hotspot]").input_value() == str(hotspot_midi.pk)
    form.locator("input[name=scope][value=local]").check()
    form.locator("input[name=title_fr]").fill("Interdiction de lieu aux abords de la gare")
    form.locator("input[name=title_nl]").fill("Plaatsverbod rond het station")
    form.locator("input[name=measures][value=place_ban]").check()
    form.locator("input[name=measures][value=id_checks]").check()
    form.locator("input[name=legal_reference]").fill("Nouvelle loi communale, art. 134sexies")
    form.locator("input[name=signatory]").fill("Le bourgmestre d'Anderlecht")
    form.locator("input[name=signed_on]").fill((today - dt.timedelta(days=2)).isoformat())
    form.locator("input[name=valid_from]").fill((today - dt.timedelta(days=1)).isoformat())
    form.locator("input[name=valid_until]").fill((today + dt.timedelta(days=90)).isoformat())
    form.locator("input[name=document]").set_input_files(
        files=[{"name": "arrete-signe.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    form.locator("button[type=submit]").click()

    page.wait_for_url("**/hotspots/orders/*/")
    order = PoliceOrder.objects.get()
    assert page.url.endswith(f"/hotspots/orders/{order.pk}/")
    with translation.override("fr"):
        in_force = str(PoliceOrder.State.IN_FORCE.label)
    badge = page.locator("main .page-header .status")
    assert badge.inner_text() == in_force
    assert "status-in_force" in badge.get_attribute("class")
    assert page.get_by_role("heading", level=1).inner_text() == order.title_fr
    assert page.locator(f"a[href='/hotspots/orders/{order.pk}/document']").is_visible()
    assert (order.hotspot, order.signer, order.document.read(5)) == (
        hotspot_midi,
        mayor_anderlecht,
        b"%PDF-",
    )
