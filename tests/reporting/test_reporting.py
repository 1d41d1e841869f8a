"""Reports: the snapshot and its PDF, the jobs' rules, and who may see what."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
import tempfile
from decimal import Decimal
from pathlib import Path
from types import SimpleNamespace

import polib
import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.db import IntegrityError, OperationalError, connection, transaction
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone, translation

from coordination.models import AuditEntry, CoresMeeting, Strategy, StrategyPeriod
from coordination.regional.home.navigation import sections_for
from hotspots.models import Hotspot, IndicatorDefinition, IndicatorValue, MayorDecision, PoliceOrder
from reporting import render, selectors, services, snapshot, tasks
from reporting.models import Report
from taskforces.models import Action, ActionUpdate, DisplacementReport, Escalation
from tests.factories import UserFactory, commune
from tests.factories_taskforces import Cast, MeetingFactory

pytestmark = pytest.mark.django_db
Status, Kind, Audience = Report.Status, Report.Kind, Report.Audience
SECRET = "Enquête sur le réseau du square"
SECRET_NOTE = "Filature prévue jeudi"
LOCALE = Path(__file__).resolve().parents[2] / "locale"


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"
    return settings.MEDIA_ROOT


def today() -> dt.date:
    return timezone.localdate()


@pytest.fixture
def cast(hotspot_midi, mayor_anderlecht, police_member, association_member, csir_analyst):
    return Cast(
        hotspot=hotspot_midi,
        chair=mayor_anderlecht,
        police=police_member,
        association=association_member,
        analyst=csir_analyst,
    )


@pytest.fixture
def region(
    cast,
    hotspot_molenbeek,
    mayor_anderlecht,
    mayor_saint_gilles,
    csir_analyst,
    csir_coordinator,
):
    """Gare du Midi with its task force, a plan, orders, indicators; Étangs Noirs beside."""
    now = timezone.now()
    strategy = Strategy.objects.create(
        title_fr="Stratégie régionale", title_nl="Gewestelijke strategie", adopted_on=today()
    )
    StrategyPeriod.objects.create(
        strategy=strategy,
        number=1,
        starts_on=today() - dt.timedelta(days=120),
        ends_on=today() + dt.timedelta(days=40),
        decided_on=today() - dt.timedelta(days=121),
    )
    for mayor in (mayor_anderlecht, mayor_saint_gilles):
        MayorDecision.objects.create(
            hotspot=cast.taskforce.hotspot,
            commune=mayor.commune,
            decision=MayorDecision.Decision.APPROVE,
            decided_by=mayor,
            decided_at=now - dt.timedelta(days=200),
        )
    # Late: the neighbourhood action (everybody) and the police-judicial one (the circle).
    Action.objects.filter(pk=cast.neighbourhood.pk).update(
        due_on=today() - dt.timedelta(days=10), status=Action.Status.IN_PROGRESS
    )
    Action.objects.filter(pk=cast.secret.pk).update(due_on=today() - dt.timedelta(days=5))
    Action.objects.filter(pk=cast.prevention.pk).update(status=Action.Status.BLOCKED)
    Escalation.objects.create(
        action=cast.prevention, reason="Pas de local disponible.", raised_by=cast.coordinator
    )
    ActionUpdate.objects.create(
        action=cast.secret,
        author=cast.police,
        agency=cast.police.agency,
        comment=SECRET_NOTE,
        confidentiality=Action.Confidentiality.POLICE_JUDICIAL,
    )
    ActionUpdate.objects.create(
        action=cast.security, author=cast.police, agency=cast.police.agency, comment="Trois sorties"
    )
    indicator = IndicatorDefinition.objects.order_by("position", "code").first()
    last = snapshot.indicator_months(today())[-1]
    IndicatorValue.objects.create(
        hotspot=cast.taskforce.hotspot,
        indicator=indicator,
        month=last,
        value=Decimal(437),
        entered_by=csir_analyst,
    )
    PoliceOrder.objects.create(
        scope="local",
        hotspot=cast.taskforce.hotspot,
        title_fr="Interdiction de lieu place de la Constitution",
        title_nl="Plaatsverbod Grondwetplein",
        measures=["place_ban"],
        legal_reference="NLC art. 134sexies",
        signatory="Le bourgmestre de Saint-Gilles",
        signed_on=today() - dt.timedelta(days=30),
        valid_from=today() - dt.timedelta(days=20),
        valid_until=today() + dt.timedelta(days=90),
        created_by=csir_analyst,
    )
    PoliceOrder.objects.create(
        scope="regional",
        title_fr="Interdiction de vente de protoxyde d'azote",
        title_nl="Verkoopverbod op lachgas",
        measures=["laughing_gas_ban"],
        legal_reference="Arrêté du Ministre-Président",
        signatory="Le Ministre-Président",
        signed_on=today() - dt.timedelta(days=60),
        valid_from=today() - dt.timedelta(days=50),
        valid_until=today() + dt.timedelta(days=10),
        created_by=csir_analyst,
    )
    MeetingFactory(
        taskforce=cast.taskforce,
        starts_at=now - dt.timedelta(days=5),
        place="Maison communale de Saint-Gilles",
        created_by=cast.coordinator,
    )
    DisplacementReport.objects.create(
        from_hotspot=cast.taskforce.hotspot,
        phenomenon="dealing",
        commune=commune("21001"),
        place="Square Albert",
        observed_on=today() - dt.timedelta(days=3),
        severity="high",
        reported_by=cast.police,
    )
    # Held on the last day of the reports' period (``end``): a report is presented at a
    # meeting held on or after the end of its period, never before.
    meeting = CoresMeeting.objects.create(held_on=today(), created_by=csir_coordinator)
    return SimpleNamespace(
        cast=cast,
        midi=cast.taskforce.hotspot,
        molenbeek=hotspot_molenbeek,
        coordinator=csir_coordinator,
        analyst=csir_analyst,
        meeting=meeting,
        start=today() - dt.timedelta(days=90),
        end=today(),
    )


def build(region, *, languages=("fr",), audience=Audience.CORES, kind=Kind.REGIONAL, **extra):
    reports = services.report_request(
        by=region.coordinator,
        kind=kind,
        period_start=region.start,
        period_end=region.end,
        languages=languages,
        audience=audience,
        enqueue=False,
        **extra,
    )
    for report in reports:
        services.report_build(report_id=report.pk)
        report.refresh_from_db()
    return reports


def text_of(pdf: bytes) -> str:
    with tempfile.NamedTemporaryFile(suffix=".pdf") as handle:
        handle.write(pdf)
        handle.flush()
        result = subprocess.run(
            ["pdftotext", handle.name, "-"], capture_output=True, check=True, text=True
        )
    return " ".join(result.stdout.split())


def pdf_text(report: Report) -> str:
    with report.pdf.open("rb") as handle:
        return text_of(handle.read())


# --- The PDF -----------------------------------------------------------------------------


def test_the_regional_pdf_holds_the_hotspots_and_their_figures(region):
    (report,) = build(region)
    assert report.status == Status.READY and report.pages >= 5
    assert report.pdf.name.startswith("reports/") and report.sha256
    text = pdf_text(report)
    figures = report.snapshot["figures"]
    # The CoReS version counts the three task-force actions, not the police-judicial one.
    assert figures["actions"] == 3 and figures["actions_late"] == 1
    assert figures["actions_blocked"] == 1 and figures["escalations_open"] == 1
    assert figures["orders_in_force"] == 2 and figures["orders_expiring"] == 1
    assert figures["meetings_held"] == 1 and figures["displacements"] == 1
    assert figures["hotspots"] == 2 and figures["hotspots_active"] == 2
    for expected in (
        "Gare du Midi",
        "Étangs Noirs",
        "HS10",
        "Éclairage du passage",  # late
        "Pas de local disponible.",  # escalated
        "Interdiction de lieu place de la Constitution",
        "Interdiction de vente de protoxyde d'azote",
        "Square Albert",
        "437",  # the indicator's latest value
        f"{figures['average_progress']} %",
        "Maison communale de Saint-Gilles",
    ):
        assert expected in text, expected
    with translation.override("fr"):
        assert translation.gettext("Restricted distribution").upper() in text
    assert re.search(rf"\b1 ?/ ?{report.pages}\b", text)
    assert re.search(rf"\b{report.pages} ?/ ?{report.pages}\b", text)


def test_the_dutch_version_is_in_dutch(region):
    french, dutch = build(region, languages=("fr", "nl"))
    assert french.batch == dutch.batch and french.snapshot["figures"] == dutch.snapshot["figures"]
    text = pdf_text(dutch)
    assert "Zuidstation" in text and "Zwarte Vijvers" in text and "Gare du Midi" not in text
    # Axis headings and labels come from the catalogue in the report's language.
    for heading in ("Veiligheid", "Preventie", "Buurtleven", "Gemeenten", "Politieverordening"):
        assert heading in text, heading
    with translation.override("nl"):
        for msgid in ("Key figures", "Decisions due", "Late actions", "Indicator trends"):
            assert translation.gettext(msgid) in text
    assert "Gare du Midi" in pdf_text(french) and "Veiligheid" not in pdf_text(french)


def _translated(language: str, msgid: str) -> bool:
    po = polib.pofile(str(LOCALE / language / "LC_MESSAGES" / "django.po"))
    entry = po.find(msgid)
    return bool(entry and entry.translated())


@pytest.mark.skipif(
    not (
        _translated("nl", "Restricted distribution")
        and _translated("fr", "Restricted distribution")
    ),
    reason="the report's msgids are not in the catalogues yet",
)
def test_the_classification_is_in_the_report_language(region):
    french, dutch = build(region, languages=("fr", "nl"))
    assert "DIFFUSION RESTREINTE" in pdf_text(french).upper()
    assert "BEPERKTE VERSPREIDING" in pdf_text(dutch).upper()


def test_police_judicial_items_only_in_the_police_judicial_version(region):
    (cores,) = build(region)
    (circle,) = build(region, audience=Audience.POLICE_JUDICIAL)
    cores_text, circle_text = pdf_text(cores), pdf_text(circle)
    assert SECRET not in cores_text and SECRET in circle_text
    assert SECRET not in str(cores.snapshot) and SECRET_NOTE not in str(cores.snapshot)
    assert cores.snapshot["figures"]["actions"] == 3
    assert circle.snapshot["figures"]["actions"] == 4
    assert circle.snapshot["figures"]["actions_late"] == 2
    assert cores.snapshot["figures"]["updates"] == 1
    assert circle.snapshot["figures"]["updates"] == 2


def test_the_task_force_report_lists_the_plan(region):
    (report,) = build(region, kind=Kind.TASKFORCE, hotspot=region.midi)
    text = pdf_text(report)
    assert report.scope == f"hotspot-{region.midi.pk}"
    for title in ("Patrouilles mixtes autour de la gare", "Travail de rue en soirée"):
        assert title in text
    assert SECRET not in text and "Étangs Noirs" not in text
    assert "Trois sorties" in text and SECRET_NOTE not in text


def test_user_text_is_escaped(region):
    Hotspot.objects.filter(pk=region.midi.pk).update(name_fr="<script>alert(1)</script> Midi")
    Action.objects.filter(pk=region.cast.neighbourhood.pk).update(
        title='<img src="http://evil.example/x.png"> Éclairage'
    )
    data = snapshot.build(
        kind=Kind.REGIONAL,
        hotspot_id=None,
        period_start=region.start,
        period_end=region.end,
        audience=Audience.CORES,
    )
    html = render.render_html(data, language="fr")
    assert "<script>" not in html and "&lt;script&gt;alert(1)&lt;/script&gt; Midi" in html
    assert '<img src="http://evil.example' not in html
    fetched = []

    class Recording(render.StaticOnlyFetcher):
        def fetch(self, url, headers=None):
            fetched.append(url)
            return super().fetch(url, headers)

    from weasyprint import HTML

    HTML(string=html, base_url=render.BASE_URL, url_fetcher=Recording()).write_pdf()
    assert fetched and all(url.startswith("portal-static://report/static/") for url in fetched)
    (report,) = build(region)
    assert "<script>alert(1)</script> Midi" in pdf_text(report)


@pytest.mark.parametrize(
    "url",
    [
        "http://example.com/style.css",
        "https://example.com/font.ttf",
        "file:///etc/passwd",
        "data:text/css,body{}",
        "portal-static://report/static/../../etc/passwd",
        "portal-static://report/static/reporting/../../../etc/passwd",
        "portal-static://report/etc/passwd",
        "portal-static://elsewhere/static/reporting/report.css",
        "portal-static://report/static/reporting/missing.css",
        "portal-static://report/static//etc/passwd",
    ],
)
def test_the_fetcher_refuses_anything_but_static_files(url):
    with pytest.raises(render.FetchRefused):
        render.StaticOnlyFetcher().fetch(url)


def test_the_fetcher_serves_the_static_files():
    response = render.StaticOnlyFetcher().fetch(render.static_url("reporting/report.css"))
    assert response.content_type == "text/css" and b"@font-face" in response.read()
    font = render.StaticOnlyFetcher().fetch(render.static_url("reporting/fonts/DejaVuSans.ttf"))
    assert len(font.read()) > 100_000


def test_fonts_are_embedded(region):
    (report,) = build(region)
    result = subprocess.run(
        ["pdffonts", report.pdf.path], capture_output=True, text=True, check=True
    )
    assert "DejaVu" in result.stdout
    assert all(" yes " in line for line in result.stdout.splitlines()[2:] if line.strip())


# --- Snapshot, versions, publication ------------------------------------------------------


def test_a_ready_report_does_not_change_with_the_data(region):
    (report,) = build(region)
    stored = report.pdf.read()
    report.pdf.close()
    text, checksum = text_of(stored), report.sha256

    Hotspot.objects.filter(pk=region.midi.pk).update(name_fr="Quartier renommé")
    Action.objects.filter(pk=region.cast.neighbourhood.pk).update(title="Titre changé")
    report.refresh_from_db()

    assert report.sha256 == checksum
    with report.pdf.open("rb") as handle:
        assert handle.read() == stored
    rerendered = text_of(
        render.render_pdf(
            report.snapshot, language=report.language, meta=services.render_meta(report)
        )[0]
    )
    assert rerendered == text and "Quartier renommé" not in rerendered

    again = services.report_regenerate(report=report, by=region.coordinator)
    services.report_build(report_id=again.pk)
    again.refresh_from_db()
    assert again.version == 2 and again.pk != report.pk
    assert "Quartier renommé" in pdf_text(again) and "Titre changé" in pdf_text(again)


def test_changes_since_the_previous_report(region):
    (first,) = build(region)
    assert first.snapshot["changes"] == {"previous": None}
    Hotspot.objects.filter(pk=region.molenbeek.pk).update(
        status=Hotspot.Status.CLOSED, closed_at=timezone.now()
    )
    Action.objects.filter(pk=region.cast.security.pk).update(due_on=today() - dt.timedelta(days=1))
    second = services.report_regenerate(report=first, by=region.coordinator)
    services.report_build(report_id=second.pk)
    second.refresh_from_db()
    changes = second.snapshot["changes"]
    assert changes["previous"]["version"] == 1
    assert [(c["code"], c["old"], c["new"]) for c in changes["status_changes"]] == [
        ("HS12", "active", "closed")
    ]
    assert [a["title"] for a in changes["new_late"]] == ["Patrouilles mixtes autour de la gare"]
    late = {row["key"]: row for row in changes["figures"]}["actions_late"]
    assert (late["old"], late["new"], late["delta"]) == (1, 2, 1)
    assert "Patrouilles mixtes autour de la gare" in pdf_text(second)


def test_a_published_report_is_never_rebuilt(region):
    (report,) = build(region)
    services.report_publish(report=report, by=region.coordinator, meeting=region.meeting)
    checksum = report.sha256
    assert services.report_build(report_id=report.pk) is None
    with pytest.raises(ValidationError):
        services.report_retry(report=report, by=region.coordinator)
    with pytest.raises(ValidationError):
        services.report_publish(report=report, by=region.coordinator)
    newer = services.report_regenerate(report=report, by=region.coordinator)
    report.refresh_from_db()
    assert report.sha256 == checksum and report.published and newer.version == 2
    assert report.presented_at == region.meeting
    assert AuditEntry.objects.filter(action="report.publish", target_id=str(report.pk)).exists()


def test_the_list_shows_which_version_was_presented(client, region):
    first, second = build(region), build(region)
    services.report_publish(report=second[0], by=region.coordinator, meeting=region.meeting)
    client.force_login(region.coordinator)
    response = client.get(reverse("reporting:list"))
    assert response.status_code == 200
    assert str(region.meeting) in response.content.decode()
    assert [r.version for r in response.context["reports"]] == [2, 1]
    assert first[0].presented_at is None


# --- The jobs -------------------------------------------------------------------------


def test_a_duplicate_request_joins_the_build_under_way(region, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks() as queued:
        first = services.report_request(
            by=region.analyst, kind=Kind.REGIONAL, period_start=region.start, period_end=region.end
        )
        second = services.report_request(
            by=region.coordinator,
            kind=Kind.REGIONAL,
            period_start=region.start,
            period_end=region.end,
        )
    assert [r.pk for r in first] == [r.pk for r in second]
    assert [r.language for r in first] == ["fr", "nl"] and len(queued) == 2
    assert Report.objects.count() == 2


def test_the_database_refuses_two_active_builds(region, monkeypatch):
    (report,) = services.report_request(
        by=region.analyst,
        kind=Kind.REGIONAL,
        period_start=region.start,
        period_end=region.end,
        languages=["fr"],
        enqueue=False,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        Report.objects.create(
            kind=Kind.REGIONAL,
            scope=report.scope,
            period_start=report.period_start,
            period_end=report.period_end,
            language="fr",
            audience=Audience.CORES,
            version=2,
        )
    # Two requests racing past the check: the constraint decides, the loser joins.
    real = services._active_twin
    calls = []

    def blind_first(candidate):
        calls.append(candidate)
        return None if len(calls) == 1 else real(candidate)

    monkeypatch.setattr(services, "_active_twin", blind_first)
    (joined,) = services.report_request(
        by=region.analyst,
        kind=Kind.REGIONAL,
        period_start=region.start,
        period_end=region.end,
        languages=["fr"],
        enqueue=False,
    )
    assert joined.pk == report.pk and Report.objects.count() == 1


def test_a_failure_is_recorded_and_can_be_retried(
    client, region, monkeypatch, django_capture_on_commit_callbacks
):
    def broken(*args, **kwargs):
        raise RuntimeError("cairo exploded")

    monkeypatch.setattr(render, "render_pdf", broken)
    (report,) = build(region)
    assert report.status == Status.FAILED and report.failure_reason == Report.Failure.ERROR
    assert "cairo exploded" in report.failure_detail and not report.pdf
    assert AuditEntry.objects.filter(action="report.fail", target_id=str(report.pk)).exists()

    client.force_login(region.analyst)
    page = client.get(reverse("reporting:detail", args=[report.pk])).content.decode()
    assert (
        str(Report.Failure.ERROR.label) in page
        and reverse("reporting:retry", args=[report.pk]) in page
    )

    monkeypatch.undo()
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:retry", args=[report.pk]))
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.status == Status.READY and report.attempts == 1 and not report.failure_reason


def _eager_retries(monkeypatch) -> None:
    """Eager tasks retry in-process only when their errors are not propagated."""
    from coordination.celery import app

    monkeypatch.setitem(app.conf, "task_eager_propagates", False)


def test_a_transient_failure_is_retried_with_backoff(region, monkeypatch):
    (report,) = services.report_request(
        by=region.analyst,
        kind=Kind.REGIONAL,
        period_start=region.start,
        period_end=region.end,
        languages=["fr"],
        enqueue=False,
    )
    real, calls = render.render_pdf, []

    def flaky(*args, **kwargs):
        calls.append(1)
        if len(calls) == 1:
            raise OperationalError("server closed the connection unexpectedly")
        return real(*args, **kwargs)

    monkeypatch.setattr(render, "render_pdf", flaky)
    _eager_retries(monkeypatch)
    tasks.build_report.delay(report.pk)
    report.refresh_from_db()
    assert report.status == Status.READY and report.attempts == 2 and len(calls) == 2


def test_a_transient_failure_on_the_last_attempt_fails(region, monkeypatch):
    (report,) = services.report_request(
        by=region.analyst,
        kind=Kind.REGIONAL,
        period_start=region.start,
        period_end=region.end,
        languages=["fr"],
        enqueue=False,
    )

    def down(*args, **kwargs):
        raise OperationalError("database down")

    monkeypatch.setattr(render, "render_pdf", down)
    _eager_retries(monkeypatch)
    result = tasks.build_report.delay(report.pk)
    report.refresh_from_db()
    assert report.status == Status.FAILED and report.failure_reason == Report.Failure.DATABASE
    assert report.attempts == tasks.MAX_RETRIES + 1 and result.get() == Status.FAILED


def _running(region, *, attempts: int, minutes_ago: int) -> Report:
    (report,) = services.report_request(
        by=region.analyst,
        kind=Kind.REGIONAL,
        period_start=region.start,
        period_end=region.end - dt.timedelta(days=attempts + minutes_ago),
        languages=["fr"],
        enqueue=False,
    )
    beat = timezone.now() - dt.timedelta(minutes=minutes_ago)
    Report.objects.filter(pk=report.pk).update(
        status=Status.RUNNING,
        attempts=attempts,
        started_at=beat,
        heartbeat_at=beat,
        build_token="7c8a1a52-1d7c-4f4b-9a9e-0f6b3b1f5c11",
    )
    return report


def test_a_stuck_build_is_queued_again_then_failed(region, django_capture_on_commit_callbacks):
    stuck = _running(region, attempts=1, minutes_ago=1)
    # A live build beats every few seconds, during the layout too (services.TICK).
    alive = _running(region, attempts=1, minutes_ago=0)
    dead = _running(region, attempts=3, minutes_ago=9)
    with django_capture_on_commit_callbacks() as queued:
        counts = services.report_requeue_stuck()
    assert counts == {"requeued": 1, "failed": 1} and len(queued) == 1
    for report in (stuck, alive, dead):
        report.refresh_from_db()
    assert stuck.status == Status.QUEUED and stuck.failure_reason == Report.Failure.STUCK
    assert stuck.build_token is None
    assert alive.status == Status.RUNNING
    assert dead.status == Status.FAILED and dead.failure_reason == Report.Failure.STUCK
    # The queued build runs; the next start is the second attempt.
    services.report_build(report_id=stuck.pk)
    stuck.refresh_from_db()
    assert stuck.status == Status.READY and stuck.attempts == 2


def test_a_superseded_build_writes_nothing(region, monkeypatch):
    (report,) = services.report_request(
        by=region.analyst,
        kind=Kind.REGIONAL,
        period_start=region.start,
        period_end=region.end,
        languages=["fr"],
        enqueue=False,
    )
    real = render.render_pdf

    def slow_then_swept(*args, **kwargs):
        # While this worker renders, the sweeper decides it is dead and re-queues it.
        Report.objects.filter(pk=report.pk).update(
            heartbeat_at=timezone.now() - dt.timedelta(minutes=10)
        )
        services.report_requeue_stuck()
        return real(*args, **kwargs)

    monkeypatch.setattr(render, "render_pdf", slow_then_swept)
    assert services.report_build(report_id=report.pk) is None
    report.refresh_from_db()
    assert report.status == Status.QUEUED and not report.pdf and report.snapshot is None


def test_the_monthly_job_covers_the_period_to_date(region, django_capture_on_commit_callbacks):
    first_of_month = today().replace(day=1)
    with django_capture_on_commit_callbacks() as queued:
        reports = services.queue_monthly(today=first_of_month)
    period = StrategyPeriod.objects.get()
    assert [r.language for r in reports] == ["fr", "nl"] and len(queued) == 2
    assert reports[0].trigger == Report.Trigger.MONTHLY and reports[0].requested_by is None
    assert reports[0].period_end == first_of_month - dt.timedelta(days=1)
    assert reports[0].period_start == period.starts_on
    assert services.queue_monthly(today=first_of_month) == []


def test_the_job_before_a_cores_meeting(region, settings, django_capture_on_commit_callbacks):
    settings.REPORT_DAYS_BEFORE_CORES = 5
    meeting = CoresMeeting.objects.create(
        held_on=today() + dt.timedelta(days=5), created_by=region.coordinator
    )
    CoresMeeting.objects.create(
        held_on=today() + dt.timedelta(days=6), created_by=region.coordinator
    )
    with django_capture_on_commit_callbacks(execute=True):
        ids = tasks.queue_before_cores(on=today().isoformat())
    reports = list(Report.objects.filter(pk__in=ids))
    assert len(reports) == 2 and {r.prepared_for for r in reports} == {meeting}
    assert all(r.status == Status.READY for r in reports)  # eager in tests
    assert tasks.queue_before_cores(on=today().isoformat()) == []


def test_the_beat_schedule_names_real_tasks(settings):
    from coordination.celery import app

    schedule = settings.CELERY_BEAT_SCHEDULE
    names = {entry["task"] for entry in schedule.values()}
    assert {"reporting.queue_monthly", "reporting.queue_before_cores"} <= names
    assert "reporting.requeue_stuck" in names
    assert "hotspots.remind_expiring_orders" in names  # the others are kept
    for name in names:
        if name.startswith("reporting."):
            assert name in app.tasks


def test_the_demo_is_published_and_idempotent(region, cast):
    from reporting import demo

    people = {"csir.coordinator": region.coordinator}
    demo.seed(people=people)
    demo.seed(people=people)
    reports = Report.objects.filter(published=True)
    assert sorted(r.language for r in reports) == ["fr", "nl"]
    assert {r.presented_at for r in reports} == {region.meeting}
    assert Report.objects.count() == 2


# --- Pages and access -----------------------------------------------------------------------


def _report(**fields) -> Report:
    """A ready report row with a stand-in PDF (access does not depend on the content)."""
    hotspot = fields.get("hotspot")
    defaults = {
        "kind": Kind.TASKFORCE if hotspot else Kind.REGIONAL,
        "scope": f"hotspot-{hotspot.pk}" if hotspot else "region",
        "period_start": today() - dt.timedelta(days=30),
        "period_end": today(),
        "language": "fr",
        "audience": Audience.CORES,
        "version": Report.objects.count() + 1,
        "status": Status.READY,
        "sha256": "174b829f884fbfafa0e0e55021551ea08e774431d7b0dec855cf3230ad84b683",
    }
    with_pdf = fields.pop("pdf", True)
    report = Report(**(defaults | fields))
    if with_pdf:
        report.pdf.save("test.pdf", ContentFile(b"%PDF-1.4 stand-in"), save=False)
    report.save()
    return report


@pytest.fixture
def library(cast, csir_coordinator):
    now = timezone.now()
    published = {"published": True, "published_at": now, "published_by": csir_coordinator}
    midi = cast.taskforce.hotspot
    return {
        "regional": _report(**published),
        "regional_draft": _report(),
        "regional_pj": _report(audience=Audience.POLICE_JUDICIAL, **published),
        "taskforce": _report(hotspot=midi, **published),
        "taskforce_pj": _report(hotspot=midi, audience=Audience.POLICE_JUDICIAL, **published),
        "queued": _report(status=Status.QUEUED, pdf=False),
    }


@pytest.fixture
def outsider(hotspot_molenbeek, csir_analyst):
    """A member of another task force (Étangs Noirs), in the police-judicial circle there."""
    from coordination.models import Agency
    from taskforces.services import taskforces as taskforce_services
    from tests.factories import AgencyFactory
    from tests.factories_taskforces import member

    taskforce = taskforce_services.taskforce_open(hotspot=hotspot_molenbeek, by=csir_analyst)
    police = AgencyFactory(name_fr="Zone Bruxelles-Ouest", kind=Agency.Kind.LOCAL_POLICE)
    person = UserFactory(username="outsider", agency=police)
    member(taskforce, person)
    return person


READERS = {
    "regional": {
        "csir_coordinator",
        "csir_analyst",
        "cores_member",
        "mayor_anderlecht",
        "mayor_other",
    },
    "regional_draft": {"csir_coordinator", "csir_analyst"},
    "regional_pj": {"csir_coordinator"},
    "taskforce": {
        "csir_coordinator",
        "csir_analyst",
        "mayor_anderlecht",
        "police_member",
        "association_member",
        "prosecutor",
    },
    "taskforce_pj": {"csir_coordinator", "police_member", "prosecutor"},
}
CAST = [
    "csir_coordinator",
    "csir_analyst",
    "cores_member",
    "mayor_anderlecht",
    "mayor_other",
    "police_member",
    "association_member",
    "prosecutor",
    "outsider",
]


def _person(request, cast, who):
    return cast.prosecutor if who == "prosecutor" else request.getfixturevalue(who)


@pytest.mark.parametrize("who", CAST)
@pytest.mark.parametrize("key", list(READERS))
def test_each_download_as_each_role(client, request, cast, library, who, key):
    client.force_login(_person(request, cast, who))
    report = library[key]
    response = client.get(reverse("reporting:download", args=[report.pk]))
    detail = client.get(reverse("reporting:detail", args=[report.pk]))
    if who in READERS[key]:
        assert response.status_code == 200, (who, key)
        assert response["Content-Type"] == "application/pdf"
        assert "attachment" in response["Content-Disposition"]
        assert b"".join(response.streaming_content).startswith(b"%PDF")
        assert detail.status_code == 200
    else:
        assert response.status_code == 404, (who, key)
        assert detail.status_code == 404


def test_anonymous_users_are_sent_to_the_login(client, library):
    response = client.get(reverse("reporting:download", args=[library["regional"].pk]))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_a_report_without_pdf_and_unknown_ids_are_404(client, library, csir_coordinator):
    client.force_login(csir_coordinator)
    assert client.get(reverse("reporting:download", args=[library["queued"].pk])).status_code == 404
    assert client.get(reverse("reporting:download", args=[999_999])).status_code == 404
    assert client.get(reverse("reporting:detail", args=[999_999])).status_code == 404


def test_readers_see_only_their_reports_in_the_list(client, library, cores_member):
    client.force_login(cores_member)
    response = client.get(reverse("reporting:list"))
    assert [r.pk for r in response.context["reports"]] == [library["regional"].pk]
    assert reverse("reporting:request") not in response.content.decode()


def test_the_list_keeps_its_query_count(client, cast, csir_coordinator):
    client.force_login(csir_coordinator)

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("reporting:list")).status_code == 200
        return len(queries)

    _report(hotspot=cast.taskforce.hotspot, requested_by=csir_coordinator)
    few = count()
    for _ in range(8):
        _report(hotspot=cast.taskforce.hotspot, requested_by=csir_coordinator)
    assert count() == few
    assert "snapshot" in selectors.report_list(csir_coordinator)[0].get_deferred_fields()


@pytest.mark.parametrize("who", ["cores_member", "mayor_anderlecht", "police_member"])
def test_only_the_csir_asks_for_reports(client, request, cast, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("reporting:request")).status_code == 403
    assert client.post(reverse("reporting:request"), {}).status_code == 403
    assert Report.objects.count() == 0


def test_asking_for_a_report_without_javascript(client, region, django_capture_on_commit_callbacks):
    client.force_login(region.analyst)
    form = client.get(reverse("reporting:request"))
    assert form.status_code == 200
    period = StrategyPeriod.objects.get()
    assert form.context["form"]["period_start"].value() == period.starts_on
    assert Audience.POLICE_JUDICIAL not in dict(form.context["form"].fields["audience"].choices)
    data = {
        "kind": Kind.REGIONAL,
        "period_start": region.start.isoformat(),
        "period_end": region.end.isoformat(),
        "languages": ["fr", "nl"],
        "audience": Audience.CORES,
    }
    refused = client.post(
        reverse("reporting:request"), data | {"audience": Audience.POLICE_JUDICIAL}
    )
    assert refused.status_code == 200 and Report.objects.count() == 0
    missing = client.post(reverse("reporting:request"), data | {"kind": Kind.TASKFORCE})
    assert "hotspot" in missing.context["form"].errors
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("reporting:request"), data)
    french, dutch = Report.objects.order_by("language")
    assert response.status_code == 302 and response["Location"] == reverse(
        "reporting:detail", args=[french.pk]
    )
    assert french.status == dutch.status == Status.READY and french.batch == dutch.batch
    assert french.requested_by == region.analyst
    page = client.get(response["Location"]).content.decode()
    assert reverse("reporting:download", args=[french.pk]) in page
    assert reverse("reporting:detail", args=[dutch.pk]) in page


def test_the_status_partial_polls_until_the_end(client, region):
    (report,) = services.report_request(
        by=region.analyst,
        kind=Kind.REGIONAL,
        period_start=region.start,
        period_end=region.end,
        languages=["fr"],
        enqueue=False,
    )
    client.force_login(region.analyst)
    url = reverse("reporting:detail", args=[report.pk])
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and 'hx-trigger="every 2s"' in partial
    assert "report-refresh" in partial  # the link for readers without JavaScript
    services.report_build(report_id=report.pk)
    partial = client.get(url, headers={"HX-Request": "true"}).content.decode()
    assert (
        "hx-trigger" not in partial and reverse("reporting:download", args=[report.pk]) in partial
    )
    assert "<html" in client.get(url).content.decode()


def test_the_coordinator_publishes_and_links_the_meeting(client, region):
    (report,) = build(region)
    url = reverse("reporting:publish", args=[report.pk])
    client.force_login(region.analyst)
    assert client.post(url, {"meeting": region.meeting.pk}).status_code == 403
    assert client.get(url).status_code == 405
    client.force_login(region.coordinator)
    response = client.post(url, {"meeting": region.meeting.pk})
    assert response.status_code == 302
    report.refresh_from_db()
    assert report.published and report.published_by == region.coordinator
    assert report.presented_at == region.meeting
    later = CoresMeeting.objects.create(held_on=today(), created_by=region.coordinator)
    client.post(reverse("reporting:meeting", args=[report.pk]), {"meeting": later.pk})
    report.refresh_from_db()
    assert report.presented_at == later
    assert AuditEntry.objects.filter(action="report.present").count() == 1


@pytest.mark.parametrize("name", ["retry", "regenerate", "publish", "meeting"])
def test_post_only_views_refuse_get_and_strangers(client, library, cores_member, name):
    client.force_login(cores_member)
    url = reverse(f"reporting:{name}", args=[library["regional_draft"].pk])
    assert client.get(url).status_code == 405
    assert client.post(url).status_code == 404


def test_the_reports_section_is_in_the_menu(client, cast, csir_analyst, mayor_other):
    client.force_login(csir_analyst)
    assert reverse("reporting:list") in client.get(reverse("home:index")).content.decode()
    lonely = UserFactory(username="lonely")
    assert reverse("reporting:list") not in [s["url"] for s in sections_for(lonely, "/")]
