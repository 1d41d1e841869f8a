"""Bilingual police orders and hotspot texts: the author's language, the translations,
the audit trail, and what a French or a Dutch reader sees."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.urls import reverse
from django.utils import timezone, translation
from guardian.shortcuts import assign_perm

from coordination.models import AuditEntry, Commune
from coordination.regional.translations.selectors import provider
from hotspots.forms.hotspots import HotspotForm
from hotspots.forms.orders import OrderForm, order_initial
from hotspots.models import Hotspot, MayorDecision, PoliceOrder
from hotspots.permissions import DECIDE_PERM
from hotspots.services import hotspots as hotspot_services
from hotspots.services.orders import order_create, order_update
from hotspots.services.translations import TranslationConflict, content_translate

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def reads_in(client, user, language: str) -> None:
    """``user`` signs in with ``language`` as their interface (their preferred language)."""
    type(user).objects.filter(pk=user.pk).update(preferred_language=language)
    user.refresh_from_db()
    client.force_login(user)
    client.cookies["django_language"] = language


def form_data(**overrides) -> dict:
    today = timezone.localdate()
    return {
        "scope": "regional",
        "hotspot": "",
        "title_fr": "Arrêté du Ministre-Président",
        "title_nl": "Besluit van de Minister-President",
        "measures": ["alcohol_ban"],
        "language": "fr",
        "measure_details": "De 20 h à 6 h.",
        "legal_reference": "Loi spéciale du 12 janvier 1989, art. 48",
        "signatory": "Le Ministre-Président",
        "measure_details_translation": "Van 20 tot 6 uur.",
        "legal_reference_translation": "Bijzondere wet van 12 januari 1989, art. 48",
        "signatory_translation": "",
        "signer": "",
        "signed_on": (today - dt.timedelta(days=3)).isoformat(),
        "valid_from": (today - dt.timedelta(days=1)).isoformat(),
        "valid_until": (today + dt.timedelta(days=180)).isoformat(),
        "extends": "",
        **overrides,
    }


def make_order(by, **fields) -> PoliceOrder:
    today = timezone.localdate()
    values = {
        "scope": "regional",
        "title_fr": "Arrêté de test",
        "title_nl": "Testverordening",
        "measures": ["place_ban"],
        "legal_reference": "Arrêté du 3 mars",
        "signatory": "Le Ministre-Président",
        "signed_on": today - dt.timedelta(days=2),
        "valid_from": today,
        "valid_until": today + dt.timedelta(days=30),
        **fields,
    }
    return order_create(by=by, **values)


# --- Forms: the author's language, the translations apart -------------------------------


@pytest.mark.parametrize(("interface", "expected"), [("nl", "nl"), ("fr", "fr"), ("en", "fr")])
def test_the_order_form_starts_in_the_authors_language(csir_coordinator, interface, expected):
    with translation.override(interface):
        form = OrderForm(user=csir_coordinator)
        assert form.get_initial_for_field(form.fields["language"], "language") == expected
    names = list(form.fields)
    assert names.index("language") < names.index("measure_details")
    assert {field.name for field in form.translation_part.visible_fields()} == {
        "measure_details_translation",
        "legal_reference_translation",
        "signatory_translation",
    }
    assert "signatory_translation" not in {f.name for f in form.main_part.visible_fields()}


def test_the_form_page_puts_the_translations_in_a_labelled_fieldset(client, csir_coordinator):
    reads_in(client, csir_coordinator, "nl")
    page = client.get(reverse("hotspots:order_new")).content.decode()
    fieldset = page[page.index('<fieldset class="translations">') :]
    fieldset = fieldset[: fieldset.index("</fieldset>")]
    assert "<legend>" in fieldset and 'name="signatory_translation"' in fieldset
    assert 'name="signatory"' not in fieldset
    assert '<option value="nl" selected>' in page


def test_an_order_is_recorded_with_its_language_and_translations(client, csir_coordinator):
    client.force_login(csir_coordinator)
    response = client.post(reverse("hotspots:order_new"), form_data())
    assert response.status_code == 302
    order = PoliceOrder.objects.get()
    assert order.language == "fr"
    assert order.legal_reference_translation == "Bijzondere wet van 12 januari 1989, art. 48"
    assert order.measure_details_translation == "Van 20 tot 6 uur."
    assert order.missing_translations() == ["signatory"]
    changes = AuditEntry.objects.get(action="order.create").changes
    assert changes["language"] == "fr"
    assert changes["legal_reference_translation"] == order.legal_reference_translation


def test_a_form_sent_without_a_language_keeps_the_orders(client, csir_coordinator):
    order = make_order(csir_coordinator, language="nl", signatory="De Minister-President")
    client.force_login(csir_coordinator)
    data = {**form_data(signatory="De Minister-President"), **order_initial(order)}
    data = {k: ("" if v is None else v) for k, v in data.items() if k != "language"}
    data["signatory_translation"] = "Le Ministre-Président"
    url = reverse("hotspots:order_edit", args=[order.pk])
    assert client.post(url, data).status_code == 302
    order.refresh_from_db()
    assert order.language == "nl" and order.signatory_translation == "Le Ministre-Président"
    entry = AuditEntry.objects.get(action="order.update")
    assert entry.changes["signatory_translation"] == ["", "Le Ministre-Président"]
    assert "language" not in entry.changes


def test_an_unknown_language_falls_back_to_the_authors(csir_coordinator):
    with translation.override("nl"):
        order = make_order(csir_coordinator, language="de")
    assert order.language == "nl"
    order_update(order=order, by=csir_coordinator, language="xx")
    order.refresh_from_db()
    assert order.language == "fr"  # an English interface writes French content


# --- Reading ---------------------------------------------------------------------------


def test_each_reader_sees_their_language_or_the_marked_original(client, csir_coordinator):
    order = make_order(
        csir_coordinator,
        legal_reference_translation="Besluit van 3 maart",
        measure_details="Sauf les dimanches.\nEt les jours fériés.",
    )
    client.force_login(csir_coordinator)
    url = reverse("hotspots:order_detail", args=[order.pk])
    reads_in(client, csir_coordinator, "nl")
    dutch = client.get(url).content.decode()
    assert "Besluit van 3 maart" in dutch and "Arrêté du 3 mars" not in dutch
    # Not translated: the French original, marked with its language.
    assert '<span lang="fr">Le Ministre-Président</span> <abbr class="lang-tag"' in dutch
    assert '<span lang="fr">Sauf les dimanches.<br>Et les jours fériés.</span>' in dutch
    reads_in(client, csir_coordinator, "fr")
    french = client.get(url).content.decode()
    assert "Arrêté du 3 mars" in french and "Besluit van 3 maart" not in french
    assert 'class="lang-tag"' not in french


def test_orders_missing_a_translation_are_found(csir_coordinator):
    done = make_order(
        csir_coordinator,
        legal_reference_translation="Besluit van 3 maart",
        signatory_translation="De Minister-President",
    )
    missing = make_order(csir_coordinator)
    found = set(PoliceOrder.objects.filter(PoliceOrder.needs_translation()))
    assert missing in found and done not in found


# --- Hotspots: description, decisions, closure ------------------------------------------


def test_a_hotspot_is_proposed_in_the_authors_language(csir_analyst):
    with translation.override("nl"):
        form = HotspotForm(user=csir_analyst)
        assert form.get_initial_for_field(form.fields["language"], "language") == "nl"
        hotspot = hotspot_services.hotspot_propose(
            by=csir_analyst,
            code="HS77",
            name_fr="Place Test",
            name_nl="Testplein",
            communes=[Commune.objects.get(nis_code="21001")],
            description="Handel rond het station.",
            description_translation="Deal autour de la gare.",
        )
    assert hotspot.language == "nl"
    assert hotspot.description_translation == "Deal autour de la gare."
    changes = AuditEntry.objects.get(action="hotspot.propose").changes
    assert changes["language"] == "nl"
    assert changes["description_translation"] == "Deal autour de la gare."
    with translation.override("fr"):
        assert hotspot.shown("description").text == "Deal autour de la gare."


def test_editing_a_hotspot_records_the_translation(client, csir_analyst, hotspot_midi):
    Hotspot.objects.filter(pk=hotspot_midi.pk).update(description="Deal de rue.")
    client.force_login(csir_analyst)
    url = reverse("hotspots:edit", args=[hotspot_midi.pk])
    page = client.get(url).content.decode()
    assert 'name="description_translation"' in page
    data = {
        "name_fr": hotspot_midi.name_fr,
        "name_nl": hotspot_midi.name_nl,
        "phenomena": hotspot_midi.phenomena,
        "description": "Deal de rue.",
        "language": "fr",
        "description_translation": "Straatdeal.",
    }
    assert client.post(url, data).status_code == 302
    hotspot_midi.refresh_from_db()
    assert hotspot_midi.description_translation == "Straatdeal."
    entry = AuditEntry.objects.get(action="hotspot.update")
    assert entry.changes == {"description_translation": ["", "Straatdeal."]}
    reads_in(client, csir_analyst, "nl")
    detail = client.get(reverse("hotspots:detail", args=[hotspot_midi.pk])).content.decode()
    assert "Straatdeal." in detail and "Deal de rue." not in detail


def test_a_mayors_reason_is_recorded_in_their_language(hotspot_midi, mayor_anderlecht):
    Hotspot.objects.filter(pk=hotspot_midi.pk).update(status="awaiting_approval")
    hotspot_midi.refresh_from_db()
    MayorDecision.objects.create(hotspot=hotspot_midi, commune=mayor_anderlecht.commune)
    assign_perm(DECIDE_PERM, mayor_anderlecht, hotspot_midi)
    with translation.override("nl"):
        decision = hotspot_services.hotspot_decide(
            hotspot=hotspot_midi,
            by=mayor_anderlecht,
            approve=False,
            reason="Te groot perimeter.",
        )
    assert decision.language == "nl" and decision.reason_translation == ""
    assert decision.missing_translations() == ["reason"]
    changes = AuditEntry.objects.get(action="hotspot.decide").changes
    assert changes["language"] == "nl"
    with translation.override("fr"):
        shown = decision.shown("reason")
    assert shown.untranslated and shown.language == "nl"


def test_the_closure_reason_is_translatable(csir_coordinator, hotspot_midi):
    Hotspot.objects.filter(pk=hotspot_midi.pk).update(description="", status="active")
    with translation.override("nl"):
        hotspot = hotspot_services.hotspot_close(
            hotspot=hotspot_midi,
            by=csir_coordinator,
            reason="Geen feiten meer.",
            reason_translation="Plus de faits.",
        )
    assert hotspot.language == "nl" and hotspot.closure_reason_translation == "Plus de faits."
    changes = AuditEntry.objects.get(action="hotspot.close").changes
    assert changes["language"] == ["fr", "nl"]
    assert changes["closure_reason_translation"] == "Plus de faits."


# --- The "to translate" list and the translation service --------------------------------


def test_the_csir_and_the_communes_mayor_find_the_order_to_translate(
    csir_coordinator, mayor_anderlecht, mayor_other, hotspot_midi, django_assert_num_queries
):
    order = make_order(csir_coordinator, scope="local", hotspot=hotspot_midi)
    orders = provider("police-order")
    assert orders is not None
    with django_assert_num_queries(1):
        assert list(orders.rows(csir_coordinator)) == [order]
    assert list(orders.rows(mayor_anderlecht)) == [order]
    assert list(orders.rows(mayor_other)) == []
    obj, fields = orders.get(mayor_anderlecht, order.pk)
    assert obj == order and set(fields) == {"signatory", "legal_reference"}
    with pytest.raises(PermissionDenied):
        orders.get(mayor_other, order.pk)


def test_a_translation_is_saved_audited_and_guarded(csir_coordinator, mayor_other):
    order = make_order(csir_coordinator)
    saved = content_translate(
        obj=order,
        by=csir_coordinator,
        translations={"signatory": "De Minister-President"},
        expected={"signatory": ""},
    )
    assert saved.signatory_translation == "De Minister-President"
    entry = AuditEntry.objects.get(action="content.translate")
    assert entry.changes == {"signatory_translation": ["", "De Minister-President"]}
    # Someone translated it since the form was loaded: nothing is overwritten.
    with pytest.raises(TranslationConflict) as conflict:
        content_translate(
            obj=order,
            by=csir_coordinator,
            translations={"signatory": "De minister"},
            expected={"signatory": ""},
        )
    assert conflict.value.current.signatory_translation == "De Minister-President"
    with pytest.raises(PermissionDenied):
        content_translate(obj=order, by=mayor_other, translations={"signatory": "x"})
    with pytest.raises(ValidationError):
        content_translate(
            obj=order, by=csir_coordinator, translations={"legal_reference": "x" * 301}
        )
    assert AuditEntry.objects.filter(action="content.translate").count() == 1


def test_a_mayor_translates_their_reason_but_not_the_closure(
    csir_coordinator, mayor_anderlecht, hotspot_midi
):
    decision = MayorDecision.objects.create(
        hotspot=hotspot_midi,
        commune=mayor_anderlecht.commune,
        decision="reject",
        reason="Trop large.",
        decided_by=mayor_anderlecht,
        decided_at=timezone.now(),
    )
    assert list(provider("mayor-decision").rows(mayor_anderlecht)) == [decision]
    content_translate(obj=decision, by=mayor_anderlecht, translations={"reason": "Te ruim."})
    decision.refresh_from_db()
    assert decision.reason_translation == "Te ruim."
    Hotspot.objects.filter(pk=hotspot_midi.pk).update(
        proposed_by=mayor_anderlecht, closure_reason="Fini."
    )
    hotspots = provider("hotspot")
    assert hotspots.fields(mayor_anderlecht, hotspot_midi) == ("description",)
    with pytest.raises(PermissionDenied):
        content_translate(
            obj=hotspot_midi, by=mayor_anderlecht, translations={"closure_reason": "Klaar."}
        )


def test_one_error_summary_lists_the_translations_errors_too(client, csir_coordinator):
    client.force_login(csir_coordinator)
    data = form_data(legal_reference="", legal_reference_translation="x" * 301)
    response = client.post(reverse("hotspots:order_new"), data)
    assert response.status_code == 200 and not PoliceOrder.objects.exists()
    page = response.content.decode()
    assert page.count("data-error-summary") == 1
    start = page.index("data-error-summary")
    summary = page[start : page.index("</ul>", start)]
    assert 'href="#id_legal_reference"' in summary
    assert 'href="#id_legal_reference_translation"' in summary
    # Nothing typed is lost.
    assert "Van 20 tot 6 uur." in page
