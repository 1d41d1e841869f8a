"""The CoReS briefing: prepared by the CSIR coordinator, frozen, built as FR and NL PDFs
that end in the decisions asked; the police-judicial annex for its readers only."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from coordination.models import AuditEntry
from coordination.outbox.models import OutboxMessage
from hotspots.models import PoliceOrder
from reporting import services as report_services
from reporting.briefings import services
from reporting.models import Briefing, BriefingDecisionAsked, Report
from tests.reporting import test_pdf_accessibility as pdf
from tests.reporting import test_reporting as base

pytestmark = pytest.mark.django_db
# The region of the reporting tests (Gare du Midi with its plan, orders and indicators).
cast, region, media = base.cast, base.region, base.media
SECRET, pdf_text, today = base.SECRET, base.pdf_text, base.today
Kind = BriefingDecisionAsked.Kind
Audience = Report.Audience

HOLD_FR = "Passer Gare du Midi en phase de maintien dès le 1er mars"
HOLD_NL = "Zuidstation vanaf 1 maart in de onderhoudsfase brengen"
RENEW_FR = "Renouveler l'interdiction de lieu pour six mois"
RENEW_NL = "Het plaatsverbod met zes maanden verlengen"
EXTEND_FR = "Prolonger la stratégie régionale de six mois"
EXTEND_NL = "De gewestelijke strategie met zes maanden verlengen"
# Written in French only: the Dutch PDF shows it as the original, marked FR.
ETANGS_FR = "Ajouter la rue de Ribaucourt au périmètre des Étangs Noirs"


def _prepare(region) -> Briefing:
    by = region.coordinator
    briefing = services.briefing_create(
        by=by, period_start=region.start, period_end=region.end, meeting=region.meeting
    )
    services.decision_add(
        briefing=briefing,
        by=by,
        kind=Kind.EXTEND_STRATEGY,
        language="fr",
        proposal=EXTEND_FR,
        proposal_translation=EXTEND_NL,
    )
    services.decision_add(
        briefing=briefing,
        by=by,
        kind=Kind.HOLD_HOTSPOT,
        hotspot=region.midi,
        language="fr",
        proposal=HOLD_FR,
        proposal_translation=HOLD_NL,
        rationale="Trois mois sans scène ouverte.",
        rationale_translation="Drie maanden zonder open scène.",
    )
    services.decision_add(
        briefing=briefing,
        by=by,
        kind=Kind.RENEW_ORDER,
        hotspot=region.midi,
        order=PoliceOrder.objects.get(hotspot=region.midi),
        language="nl",
        proposal=RENEW_NL,
        proposal_translation=RENEW_FR,
    )
    services.decision_add(
        briefing=briefing,
        by=by,
        kind=Kind.OTHER,
        hotspot=region.molenbeek,
        language="fr",
        proposal=ETANGS_FR,
    )
    return briefing


def _freeze_and_build(region, briefing: Briefing) -> dict[tuple[str, str], Report]:
    reports = services.briefing_freeze(briefing=briefing, by=region.coordinator, enqueue=False)
    built = {}
    for report in reports:
        report_services.report_build(report_id=report.pk)
        report.refresh_from_db()
        assert report.status == Report.Status.READY, report.failure_detail
        built[(report.audience, report.language)] = report
    return built


# --- Preparing --------------------------------------------------------------------------------


def test_the_csir_coordinator_prepares_decisions_per_hotspot(client, region):
    client.force_login(region.coordinator)
    response = client.post(
        reverse("reporting:briefing_create"),
        {
            "period_start": region.start.isoformat(),
            "period_end": region.end.isoformat(),
            "meeting": region.meeting.pk,
        },
    )
    briefing = Briefing.objects.get()
    assert response.status_code == 302 and briefing.status == Briefing.Status.DRAFT
    assert briefing.meeting == region.meeting and briefing.created_by == region.coordinator
    response = client.post(
        reverse("reporting:decision_add", args=[briefing.pk]),
        {
            "kind": Kind.HOLD_HOTSPOT,
            "hotspot": region.midi.pk,
            "language": "fr",
            "proposal": HOLD_FR,
            "proposal_translation": HOLD_NL,
            "rationale": "",
            "rationale_translation": "",
        },
    )
    assert response.status_code == 302
    decision = briefing.decisions.get()
    assert decision.scope == BriefingDecisionAsked.Scope.HOTSPOT
    assert decision.hotspot == region.midi and decision.text_in("proposal", "nl") == HOLD_NL
    # A hotspot decision without its hotspot, a renewal without its order: refused.
    for data in (
        {"kind": Kind.CLOSE_HOTSPOT, "hotspot": ""},
        {"kind": Kind.RENEW_ORDER, "hotspot": region.midi.pk, "order": ""},
        {"kind": Kind.EXTEND_STRATEGY, "hotspot": region.midi.pk},
        {"kind": "nonsense", "hotspot": "9" * 30},
    ):
        response = client.post(
            reverse("reporting:decision_add", args=[briefing.pk]),
            {"language": "fr", "proposal": "x", **data},
        )
        assert response.status_code == 200 and response.context["form"].errors
    assert briefing.decisions.count() == 1
    # Changed, then its page shows it.
    response = client.post(
        reverse("reporting:decision_edit", args=[briefing.pk, decision.pk]),
        {
            "kind": Kind.CLOSE_HOTSPOT,
            "hotspot": region.midi.pk,
            "language": "fr",
            "proposal": "Fermer",
        },
    )
    decision.refresh_from_db()
    assert response.status_code == 302 and decision.kind == Kind.CLOSE_HOTSPOT
    page = client.get(reverse("reporting:briefing", args=[briefing.pk]))
    assert page.status_code == 200 and "Fermer" in page.content.decode()
    actions = set(AuditEntry.objects.values_list("action", flat=True))
    assert {"briefing.create", "briefing.decision_add", "briefing.decision_change"} <= actions


def test_freezing_is_final(client, region):
    briefing = _prepare(region)
    reports = services.briefing_freeze(briefing=briefing, by=region.coordinator)
    briefing.refresh_from_db()
    assert briefing.is_frozen and briefing.frozen_by == region.coordinator
    assert set(briefing.snapshot) == {"cores", "police_judicial"}
    # Four PDFs queued through the outbox in the freezing transaction.
    assert sorted((r.audience, r.language) for r in reports) == [
        ("cores", "fr"),
        ("cores", "nl"),
        ("police_judicial", "fr"),
        ("police_judicial", "nl"),
    ]
    queued = OutboxMessage.objects.filter(task="reporting.build_report")
    assert sorted(m.kwargs["report_id"] for m in queued) == sorted(r.pk for r in reports)
    decision = briefing.decisions.first()
    with pytest.raises(ValidationError):
        services.decision_add(
            briefing=briefing, by=region.coordinator, kind=Kind.OTHER, language="fr", proposal="x"
        )
    with pytest.raises(ValidationError):
        services.decision_remove(decision=decision, by=region.coordinator)
    with pytest.raises(ValidationError):
        services.briefing_freeze(briefing=briefing, by=region.coordinator)
    client.force_login(region.coordinator)
    response = client.post(
        reverse("reporting:decision_edit", args=[briefing.pk, decision.pk]),
        {"kind": Kind.OTHER, "language": "fr", "proposal": "Changé après le gel"},
    )
    assert response.status_code == 200 and response.context["form"].non_field_errors()
    client.post(reverse("reporting:decision_remove", args=[briefing.pk, decision.pk]))
    client.post(
        reverse("reporting:briefing_edit", args=[briefing.pk]),
        {"period_start": region.start.isoformat(), "period_end": region.start.isoformat()},
    )
    briefing.refresh_from_db()
    decision.refresh_from_db()
    assert decision.proposal == EXTEND_FR and briefing.decisions.count() == 4
    assert briefing.period_end == region.end


def test_a_briefing_without_decisions_cannot_be_frozen(region):
    briefing = services.briefing_create(
        by=region.coordinator, period_start=region.start, period_end=region.end
    )
    with pytest.raises(ValidationError):
        services.briefing_freeze(briefing=briefing, by=region.coordinator)
    assert not Report.objects.exists()


# --- The PDFs ---------------------------------------------------------------------------------


def test_the_pdfs_end_in_the_decisions_in_each_language_without_police_judicial_items(region):
    built = _freeze_and_build(region, _prepare(region))
    french, dutch = pdf_text(built[("cores", "fr")]), pdf_text(built[("cores", "nl")])
    for text in (french, dutch):
        assert SECRET not in text
    # Each hotspot's decisions, in the PDF's language.
    for expected in (HOLD_FR, RENEW_FR, EXTEND_FR, ETANGS_FR, "Gare du Midi", "Étangs Noirs"):
        assert expected in french, expected
    for expected in (HOLD_NL, RENEW_NL, EXTEND_NL, ETANGS_FR, "Zuidstation", "Zwarte Vijvers"):
        assert expected in dutch, expected
    for absent in (HOLD_NL, RENEW_NL, EXTEND_NL):
        assert absent not in french
    for absent in (HOLD_FR, RENEW_FR, EXTEND_FR):
        assert absent not in dutch
    # The region page: the strategy period's end and the order to renew.
    assert "Interdiction de lieu place de la Constitution" in french
    assert "Plaatsverbod Grondwetplein" in dutch
    # Short: one page for the region, half a page per hotspot.
    assert built[("cores", "fr")].pages <= 3
    # The police-judicial version holds the police-judicial annex.
    assert SECRET in pdf_text(built[("police_judicial", "fr")])
    assert SECRET in pdf_text(built[("police_judicial", "nl")])
    assert built[("cores", "fr")].download_name().startswith("briefing-")


def test_the_police_judicial_version_is_for_its_readers_only(client, region, cores_member):
    built = _freeze_and_build(region, _prepare(region))
    for report in built.values():
        report_services.report_publish(report=report, by=region.coordinator)
    cores_fr, pj_fr = built[("cores", "fr")], built[("police_judicial", "fr")]
    client.force_login(cores_member)
    assert client.get(reverse("reporting:download", args=[cores_fr.pk])).status_code == 200
    assert client.get(reverse("reporting:download", args=[pj_fr.pk])).status_code == 404
    page = client.get(reverse("reporting:briefing", args=[cores_fr.briefing_id]))
    assert [r.audience for r in page.context["pdfs"]] == ["cores", "cores"]
    client.force_login(region.analyst)
    assert client.get(reverse("reporting:download", args=[pj_fr.pk])).status_code == 404
    client.force_login(region.coordinator)
    response = client.get(reverse("reporting:download", args=[pj_fr.pk]))
    assert response.status_code == 200
    assert b"".join(response.streaming_content).startswith(b"%PDF")


# --- Access -----------------------------------------------------------------------------------


def test_who_may_see_and_prepare(client, region, cores_member, police_member, mayor_other):
    draft = _prepare(region)
    frozen = _prepare(region)
    services.briefing_freeze(briefing=frozen, by=region.coordinator, enqueue=False)
    decision = draft.decisions.first()
    change_urls = [
        ("get", reverse("reporting:briefing_create")),
        ("get", reverse("reporting:briefing_edit", args=[draft.pk])),
        ("get", reverse("reporting:decision_add", args=[draft.pk])),
        ("get", reverse("reporting:decision_edit", args=[draft.pk, decision.pk])),
        ("post", reverse("reporting:decision_remove", args=[draft.pk, decision.pk])),
        ("post", reverse("reporting:briefing_freeze", args=[draft.pk])),
    ]
    # The analyst sees the draft but changes nothing (403).
    client.force_login(region.analyst)
    assert client.get(reverse("reporting:briefing", args=[draft.pk])).status_code == 200
    for method, url in change_urls:
        assert getattr(client, method)(url).status_code == 403, url
    # CoReS readers: frozen briefings only; a draft does not exist for them.
    for reader in (cores_member, mayor_other):
        client.force_login(reader)
        listed = client.get(reverse("reporting:briefings")).context["briefings"]
        assert listed == [frozen]
        assert client.get(reverse("reporting:briefing", args=[frozen.pk])).status_code == 200
        assert client.get(reverse("reporting:briefing", args=[draft.pk])).status_code == 404
        for method, url in change_urls[1:]:
            assert getattr(client, method)(url).status_code == 404, url
        assert client.get(change_urls[0][1]).status_code == 403
    # A task-force member is not a reader of the CoReS.
    client.force_login(police_member)
    assert client.get(reverse("reporting:briefings")).status_code == 403
    assert client.get(reverse("reporting:briefing", args=[frozen.pk])).status_code == 404
    # Unknown ids, wrong methods, anonymous.
    client.force_login(region.coordinator)
    assert client.get(reverse("reporting:briefing", args=[10**6])).status_code == 404
    assert client.get(reverse("reporting:decision_edit", args=[draft.pk, 10**6])).status_code == 404
    assert client.get(reverse("reporting:briefing_freeze", args=[draft.pk])).status_code == 405
    assert draft.decisions.count() == 4
    client.logout()
    response = client.get(reverse("reporting:briefing", args=[frozen.pk]))
    assert response.status_code == 302 and "login" in response["Location"]


def test_a_briefing_is_not_asked_for_as_a_report(client, region):
    with pytest.raises(ValidationError):
        report_services.report_request(
            by=region.coordinator,
            kind=Report.Kind.BRIEFING,
            period_start=region.start,
            period_end=region.end,
        )
    client.force_login(region.coordinator)
    response = client.post(
        reverse("reporting:request"),
        {
            "kind": "briefing",
            "period_start": region.start.isoformat(),
            "period_end": region.end.isoformat(),
            "languages": ["fr"],
            "audience": "cores",
        },
    )
    assert response.status_code == 200 and "kind" in response.context["form"].errors
    assert not Report.objects.exists()


def test_a_briefing_pdf_is_retried_but_not_regenerated(client, region):
    built = _freeze_and_build(region, _prepare(region))
    report = built[("cores", "fr")]
    client.force_login(region.coordinator)
    page = client.get(reverse("reporting:detail", args=[report.pk]))
    assert page.status_code == 200 and page.context["can_regenerate"] is False
    assert client.post(reverse("reporting:regenerate", args=[report.pk])).status_code == 403
    assert today() - dt.timedelta(days=90) == region.start


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_the_briefing_pdf_is_tagged_like_the_reports(region, language):
    built = _freeze_and_build(region, _prepare(region))
    report = built[("cores", language)]
    fields = pdf.info_fields(report.pdf.path)
    assert fields["Tagged"] == "yes" and fields["PDF version"] == "1.7"
    with translation.override(language):
        title = translation.gettext("Briefing to the Regional Security Council (CoReS)")
    assert fields["Title"] == title
    assert 'pdfuaid:part="1"' in pdf.pdfinfo(report.pdf.path, "-meta")
    with report.pdf.open("rb") as handle:
        objects = pdf.pdf_objects(handle.read())
    assert pdf.pdf_strings(objects, rb"/Lang") == [language]
    structure = pdf.pdfinfo(report.pdf.path, "-struct")
    for tag in ("H1", "H2", "H3", "Table", "TH", "TD", "L", "LI"):
        assert re.search(rf"^\s*{tag}\b", structure, re.MULTILINE), tag


def test_the_list_costs_the_same_whatever_the_number(client, region, django_assert_num_queries):
    _prepare(region)
    client.force_login(region.coordinator)
    client.get(reverse("reporting:briefings"))  # the session and the menu, once
    with CaptureQueriesContext(connection) as few:
        client.get(reverse("reporting:briefings"))
    for _ in range(5):
        _prepare(region)
    with django_assert_num_queries(len(few.captured_queries)):
        response = client.get(reverse("reporting:briefings"))
    assert len(response.context["briefings"]) == 6


def test_the_region_page_has_the_phases_and_the_displacement_warnings(region):
    """With the versioned hotspot list and the displacement quotient, the briefing shows
    each hotspot's phase and the warned quotients (issue 15, items 1 and 3)."""
    from hotspots.models import (
        DisplacementMeasure,
        HotspotListChange,
        IndicatorDefinition,
    )

    added, held = region.start - dt.timedelta(days=200), region.end - dt.timedelta(days=10)
    for hotspot, change, on in (
        (region.midi, "add", added),
        (region.molenbeek, "add", added),
        (region.midi, "hold", held),
    ):
        HotspotListChange.objects.create(
            hotspot=hotspot,
            change=change,
            decided_on=on,
            in_force_on=on,
            source_kind="mayors_approval",
            recorded_by=region.coordinator,
        )
    DisplacementMeasure.objects.create(
        hotspot=region.midi,
        indicator=IndicatorDefinition.objects.order_by("position", "code").first(),
        month=region.end.replace(day=1),
        window_months=6,
        buffer_metres=400,
        wdq="-1.25",
        tne="0.40",
        code="displacement",
        warned_at=timezone.now(),
    )
    built = _freeze_and_build(region, _prepare(region))
    frozen = built[("cores", "fr")].snapshot
    phases = {h["code"]: h["phase"] for h in frozen["hotspots"]}
    assert frozen["phase_source"] == "list"
    assert phases == {region.midi.code: "hold", region.molenbeek.code: "intensive"}
    (warning,) = next(h for h in frozen["hotspots"] if h["code"] == region.midi.code)[
        "displacement_warnings"
    ]
    assert warning["wdq"] == -1.25
    text = pdf_text(built[("cores", "fr")])
    assert "-1,25" in text or "-1.25" in text
