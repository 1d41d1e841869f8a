"""Reports to the CoReS and to the task forces: a frozen snapshot of a period and its PDF."""

from __future__ import annotations

import uuid
from typing import cast

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from coordination.core.bilingual import BilingualContent
from coordination.models import CoresMeeting
from hotspots.models import Hotspot, PoliceOrder

REGION_SCOPE = "region"


def report_pdf_path(report: Report, filename: str) -> str:
    return (
        f"reports/{report.period_end:%Y}/{report.kind}-{report.scope}-"
        f"{report.period_start:%Y%m%d}-{report.period_end:%Y%m%d}-"
        f"{report.audience}-{report.language}-v{report.version}.pdf"
    )


class Report(models.Model):
    class Kind(models.TextChoices):
        REGIONAL = "regional", _("Regional report to the CoReS")
        TASKFORCE = "taskforce", _("Task force report")
        BRIEFING = "briefing", _("CoReS briefing")

    class Language(models.TextChoices):
        FR = "fr", _("French")
        NL = "nl", _("Dutch")

    class Audience(models.TextChoices):
        CORES = "cores", _("CoReS version (without police-judicial items)")
        POLICE_JUDICIAL = "police_judicial", _("Police-judicial version")

    class Status(models.TextChoices):
        QUEUED = "queued", _("Queued")
        RUNNING = "running", _("Being built")
        READY = "ready", _("Ready")
        FAILED = "failed", _("Failed")

    class Trigger(models.TextChoices):
        ON_DEMAND = "on_demand", _("On demand")
        MONTHLY = "monthly", _("Monthly")
        BEFORE_CORES = "before_cores", _("Before a CoReS meeting")

    class Stage(models.TextChoices):
        WAITING = "", _("Waiting for a worker")
        COLLECTING = "collecting", _("Collecting the data")
        RENDERING = "rendering", _("Laying out the PDF")
        STORING = "storing", _("Storing the PDF")

    class Failure(models.TextChoices):
        DATABASE = "database", _("The database could not be reached.")
        STORAGE = "storage", _("The PDF could not be stored.")
        TIMEOUT = "timeout", _("The report took too long to build.")
        STUCK = "stuck", _("The build stopped several times without finishing.")
        ERROR = "error", _("An unexpected error stopped the build.")

    ACTIVE_STATUSES = (Status.QUEUED, Status.RUNNING)

    kind = models.CharField(_("kind"), max_length=12, choices=Kind.choices)
    hotspot = models.ForeignKey(
        Hotspot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("hotspot"),
        help_text=_("Only for a task force report."),
    )
    # "region" or "hotspot-<id>": a plain value so that uniqueness holds on every database
    # (NULL hotspots would never collide in a unique constraint).
    scope = models.CharField(_("scope"), max_length=40, editable=False)
    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    language = models.CharField(_("language"), max_length=2, choices=Language.choices)
    audience = models.CharField(_("audience"), max_length=16, choices=Audience.choices)
    batch = models.UUIDField(_("request"), default=uuid.uuid4, db_index=True, editable=False)
    version = models.PositiveIntegerField(_("version"))
    trigger = models.CharField(
        _("trigger"), max_length=14, choices=Trigger.choices, default=Trigger.ON_DEMAND
    )
    prepared_for = models.ForeignKey(
        CoresMeeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="prepared_reports",
        verbose_name=_("prepared for the CoReS meeting"),
    )
    presented_at = models.ForeignKey(
        CoresMeeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="presented_reports",
        verbose_name=_("presented at the CoReS meeting"),
    )

    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.QUEUED
    )
    stage = models.CharField(_("stage"), max_length=20, choices=Stage.choices, blank=True)
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("requested by"),
    )
    requested_at = models.DateTimeField(_("requested at"), auto_now_add=True)
    attempts = models.PositiveSmallIntegerField(_("attempts"), default=0)
    # Each start of a build takes a new token; a build that was superseded (its worker was
    # presumed dead and the report re-queued) can no longer write anything.
    build_token = models.UUIDField(null=True, blank=True, editable=False)
    started_at = models.DateTimeField(_("started at"), null=True, blank=True)
    heartbeat_at = models.DateTimeField(_("last sign of life"), null=True, blank=True)
    finished_at = models.DateTimeField(_("finished at"), null=True, blank=True)
    failure_reason = models.CharField(
        _("reason for the failure"), max_length=10, choices=Failure.choices, blank=True
    )
    failure_detail = models.TextField(_("technical detail"), blank=True)

    snapshot = models.JSONField(_("frozen data"), null=True, blank=True, editable=False)
    pdf = models.FileField(_("PDF"), upload_to=report_pdf_path, blank=True, editable=False)
    sha256 = models.CharField(_("SHA-256 checksum"), max_length=64, blank=True, editable=False)
    pages = models.PositiveIntegerField(_("pages"), null=True, blank=True, editable=False)

    # A CoReS briefing's PDF: built from the briefing's frozen snapshot (reporting.briefings).
    briefing = models.ForeignKey(
        "reporting.Briefing",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="reports",
        verbose_name=_("briefing"),
    )

    published = models.BooleanField(_("published"), default=False)
    published_at = models.DateTimeField(_("published at"), null=True, blank=True)
    published_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("published by"),
    )

    class Meta:
        ordering = ["-requested_at", "-id"]
        verbose_name = _("report")
        verbose_name_plural = _("reports")
        constraints = [
            # One build at a time per report identity: a second request joins the first.
            models.UniqueConstraint(
                fields=["kind", "scope", "period_start", "period_end", "language", "audience"],
                condition=Q(status__in=["queued", "running"]),
                name="report_one_active_build",
            ),
            models.UniqueConstraint(
                fields=[
                    "kind",
                    "scope",
                    "period_start",
                    "period_end",
                    "language",
                    "audience",
                    "version",
                ],
                name="report_version_unique",
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="report_period_ends_after_start",
            ),
            models.CheckConstraint(
                condition=(Q(kind__in=["regional", "briefing"]) & Q(hotspot__isnull=True))
                | (Q(kind="taskforce") & Q(hotspot__isnull=False)),
                name="report_taskforce_has_hotspot",
            ),
            models.CheckConstraint(
                condition=Q(published=False) | Q(status="ready"),
                name="report_published_is_ready",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "heartbeat_at"]),
            models.Index(fields=["kind", "scope", "language", "audience", "status"]),
        ]

    def __str__(self) -> str:
        # Never stored: rendered from kind, period, language and version in the reader's
        # language and date style each time (a notification or an audit entry names the
        # report by its id, see coordination.notifications.services.ref).
        return str(
            _("%(kind)s %(start)s–%(end)s (%(language)s, v%(version)s)")
            % {
                "kind": self.get_kind_display(),
                "start": date_format(self.period_start, "SHORT_DATE_FORMAT"),
                "end": date_format(self.period_end, "SHORT_DATE_FORMAT"),
                "language": self.language.upper(),
                "version": self.version,
            }
        )

    @property
    def is_active(self) -> bool:
        return self.status in self.ACTIVE_STATUSES

    @property
    def is_police_judicial(self) -> bool:
        return self.audience == self.Audience.POLICE_JUDICIAL

    def download_name(self) -> str:
        if self.kind == self.Kind.BRIEFING:
            scope = "briefing"
        elif self.kind == self.Kind.REGIONAL:
            scope = "region"
        else:
            scope = cast(Hotspot, self.hotspot).code
        audience = "PJ" if self.is_police_judicial else "CoReS"
        return (
            f"{scope}-{self.period_start:%Y%m%d}-{self.period_end:%Y%m%d}-"
            f"{audience}-{self.language.upper()}-v{self.version}.pdf"
        )


# --- The CoReS briefing (issue 15, item 6) ----------------------------------------------
#
# A short, decision-ready document beside the full report: one page for the region and
# half a page per hotspot, each ending with the decisions the CoReS is asked to take. The
# CSIR coordinator prepares it (draft), then freezes it: its data and its decisions are
# frozen into ``snapshot`` and its PDFs (FR and NL, CoReS and police-judicial versions)
# are built as reports of kind "briefing" (one build, download and publication path).


class Briefing(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        FROZEN = "frozen", _("Frozen")

    period_start = models.DateField(_("period start"))
    period_end = models.DateField(_("period end"))
    meeting = models.ForeignKey(
        CoresMeeting,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="briefings",
        verbose_name=_("CoReS meeting"),
    )
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("prepared by"),
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    frozen_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("frozen by"),
    )
    frozen_at = models.DateTimeField(_("frozen at"), null=True, blank=True)
    # {"cores": {...}, "police_judicial": {...}}: each audience's data, filtered for it.
    snapshot = models.JSONField(_("frozen data"), null=True, blank=True, editable=False)

    class Meta:
        ordering = ["-period_end", "-pk"]
        verbose_name = _("CoReS briefing")
        verbose_name_plural = _("CoReS briefings")
        constraints = [
            models.CheckConstraint(
                condition=Q(period_end__gte=models.F("period_start")),
                name="briefing_period_ends_after_start",
            ),
            models.CheckConstraint(
                condition=Q(status="draft")
                | (Q(frozen_at__isnull=False) & Q(snapshot__isnull=False)),
                name="briefing_frozen_has_snapshot",
            ),
        ]

    def __str__(self) -> str:
        return str(
            _("CoReS briefing %(start)s–%(end)s")
            % {
                "start": date_format(self.period_start, "SHORT_DATE_FORMAT"),
                "end": date_format(self.period_end, "SHORT_DATE_FORMAT"),
            }
        )

    @property
    def is_frozen(self) -> bool:
        return self.status == self.Status.FROZEN


class BriefingDecisionAsked(BilingualContent):
    """A decision the CoReS is asked to take, for the region or for one hotspot."""

    TRANSLATED_FIELDS = ("proposal", "rationale")

    class Scope(models.TextChoices):
        REGION = "region", _("The region")
        HOTSPOT = "hotspot", _("A hotspot")

    class Kind(models.TextChoices):
        EXTEND_STRATEGY = "extend_strategy", _("Extend the strategy")
        STOP_STRATEGY = "stop_strategy", _("Stop the strategy")
        RENEW_ORDER = "renew_order", _("Renew a police order")
        ADD_HOTSPOT = "add_hotspot", _("Add a hotspot")
        HOLD_HOTSPOT = "hold_hotspot", _("Move a hotspot to the hold phase")
        CLOSE_HOTSPOT = "close_hotspot", _("Close a hotspot")
        OTHER = "other", _("Other decision")

    #: Kinds about one hotspot (the hotspot is required) and about the region only.
    HOTSPOT_KINDS = (Kind.ADD_HOTSPOT, Kind.HOLD_HOTSPOT, Kind.CLOSE_HOTSPOT)
    REGION_KINDS = (Kind.EXTEND_STRATEGY, Kind.STOP_STRATEGY)

    briefing = models.ForeignKey(
        Briefing, on_delete=models.CASCADE, related_name="decisions", verbose_name=_("briefing")
    )
    scope = models.CharField(_("about"), max_length=8, choices=Scope.choices)
    hotspot = models.ForeignKey(
        Hotspot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="briefing_decisions",
        verbose_name=_("hotspot"),
    )
    kind = models.CharField(_("decision asked"), max_length=16, choices=Kind.choices)
    proposal = models.TextField(_("proposal"), max_length=1000)
    proposal_translation = models.TextField(
        _("proposal (other language)"), max_length=1000, blank=True
    )
    rationale = models.TextField(_("rationale"), max_length=2000, blank=True)
    rationale_translation = models.TextField(
        _("rationale (other language)"), max_length=2000, blank=True
    )
    order = models.ForeignKey(
        PoliceOrder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="briefing_decisions",
        verbose_name=_("police order"),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["position", "pk"]
        verbose_name = _("decision asked of the CoReS")
        verbose_name_plural = _("decisions asked of the CoReS")
        constraints = [
            models.CheckConstraint(
                condition=(Q(scope="region") & Q(hotspot__isnull=True))
                | (Q(scope="hotspot") & Q(hotspot__isnull=False)),
                name="briefing_decision_scope_hotspot",
            ),
        ]

    def __str__(self) -> str:
        return str(self.get_kind_display())
