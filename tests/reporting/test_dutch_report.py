"""The Dutch report: operational texts in Dutch where translated, marked FR where not.

The snapshot freezes each free text with its language and its translation; the PDF in a
language prints that language's text where it exists, and otherwise the original in a
``lang="fr"`` element with a visible "FR" tag that a legend explains once.
"""

from __future__ import annotations

import copy
import re

import pytest
from django.core.exceptions import FieldDoesNotExist
from django.utils import translation
from django.utils.formats import date_format

from coordination.models import Axis
from hotspots.models import PoliceOrder
from reporting import render, snapshot
from taskforces.models import Action, Escalation
from tests.reporting.test_reporting import cast, region, text_of  # noqa: F401

pytestmark = pytest.mark.django_db

LEGAL_NL = "Besluit van 3 maart"
SIGNATORY_NL = "De regeringsleider"
MARKER = re.compile(r"\bFR\b")


def _has(model, name: str) -> bool:
    try:
        model._meta.get_field(name)
    except FieldDoesNotExist:
        return False
    return True


def _snapshot(data) -> dict:
    return snapshot.build(
        kind="regional",
        hotspot_id=None,
        period_start=data.start,
        period_end=data.end,
        audience="cores",
    )


@pytest.fixture
def translated(region):  # noqa: F811 (the fixture imported above)
    """The regional order's signatory and legal basis translated into Dutch; the local
    order (signatory, legal basis) and the task-force texts left in French."""
    PoliceOrder.objects.filter(scope="regional").update(
        legal_reference_translation=LEGAL_NL, signatory_translation=SIGNATORY_NL
    )
    return region


def _in_dutch(data: dict) -> str:
    pdf, _pages = render.render_pdf(data, language="nl", meta={"version": 1})
    return text_of(pdf)


def test_the_snapshot_freezes_each_text_with_its_language_and_translation(translated):
    data = _snapshot(translated)
    (order,) = data["regional_orders"]
    assert order["legal_reference"] == "Arrêté du Ministre-Président"
    assert order["legal_reference_language"] == "fr"
    assert order["legal_reference_translation"] == LEGAL_NL
    assert order["signatory_translation"] == SIGNATORY_NL
    midi = next(h for h in data["hotspots"] if h["code"] == translated.midi.code)
    (local,) = midi["orders_in_force"]
    assert local["signatory"] == "Le bourgmestre de Saint-Gilles"
    assert local["signatory_translation"] == ""
    (escalation,) = midi["escalations"]
    assert escalation["reason"] == "Pas de local disponible."
    assert escalation["reason_language"] == "fr" and "reason_translation" in escalation
    assert escalation["title_language"] == "fr" and "resolution_translation" in escalation
    (meeting,) = midi["meetings"]
    assert meeting["place_language"] == "fr" and meeting["place_translation"] == ""
    (displacement,) = midi["displacements"]
    assert displacement["place"] == "Square Albert" and displacement["place_language"] == "fr"
    assert all("title_translation" in a for a in midi["late"])


def test_the_dutch_report_prints_dutch_where_translated_and_marks_the_rest(translated):
    text = _in_dutch(_snapshot(translated))
    # Translated: the Dutch text, not the French one.
    assert LEGAL_NL in text and SIGNATORY_NL in text
    assert "Arrêté du Ministre-Président" not in text
    # Not translated: the French original, followed by its marker.
    for original in (
        "Le bourgmestre de Saint-Gilles",
        "NLC art. 134sexies",
        "Pas de local disponible.",
        "Maison communale de Saint-Gilles",
        "Square Albert",
        "Éclairage du passage",
    ):
        assert re.search(re.escape(original) + r"\s+FR\b", text), original
    # The legend explains the marker once.
    with translation.override("nl"):
        legend = translation.gettext(
            "These tags mark a text that is not translated yet: it is shown in the language it "
            "was written in."
        )
    assert text.count(legend) == 1


def test_the_dutch_report_holds_no_french_word_of_the_interface(translated):
    data = _snapshot(translated)
    text = _in_dutch(data)
    with translation.override("fr"):
        french = [
            translation.gettext(msgid)
            for msgid in (
                "Key figures",
                "Decisions due",
                "Late actions",
                "Indicator trends",
                "Contents",
                "Police orders in force and expiring",
            )
        ]
        french += [str(label) for label in Axis.labels]
        french += [str(label) for label in Action.Status.labels]
        as_of = date_format(snapshot.report_date(translated.end), "j F Y")
    with translation.override("nl"):
        dutch_as_of = date_format(snapshot.report_date(translated.end), "j F Y")
    for word in french:
        assert not re.search(rf"\b{re.escape(word)}\b", text), word
    if as_of != dutch_as_of:
        assert as_of not in text and dutch_as_of in text


def test_the_french_report_marks_nothing_french(translated):
    pdf, _pages = render.render_pdf(_snapshot(translated), language="fr", meta={})
    text = text_of(pdf)
    assert "Arrêté du Ministre-Président" in text and LEGAL_NL not in text
    assert not re.search(r"Saint-Gilles\s+FR\b", text)


def test_a_snapshot_frozen_before_the_languages_still_renders(translated):
    data = _snapshot(translated)
    old = copy.deepcopy(data)

    def strip(value):
        if isinstance(value, dict):
            for key in [k for k in value if k.endswith(("_language", "_translation"))]:
                del value[key]
            for item in value.values():
                strip(item)
        elif isinstance(value, list):
            for item in value:
                strip(item)

    strip(old)
    assert "legal_reference_translation" not in old["regional_orders"][0]
    text = _in_dutch(old)
    # Taken as French originals: printed as they are, and marked.
    assert re.search(r"Arrêté du Ministre-Président\s+FR\b", text)
    assert LEGAL_NL not in text


@pytest.mark.skipif(
    not (_has(Escalation, "reason_translation") and _has(Action, "title_translation")),
    reason="the task-force texts are not bilingual yet",
)
def test_translated_task_force_texts_are_in_dutch(translated):
    Escalation.objects.update(reason_translation="Geen lokaal beschikbaar.")
    Action.objects.filter(title="Éclairage du passage").update(
        title_translation="Verlichting van de doorgang"
    )
    text = _in_dutch(_snapshot(translated))
    assert "Geen lokaal beschikbaar." in text and "Pas de local disponible." not in text
    assert "Verlichting van de doorgang" in text and "Éclairage du passage" not in text
