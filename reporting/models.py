"""Reports to the CoReS and to the task forces: a frozen snapshot of a period and its PDF."""

from __future__ import annotations

import uuid
from typing import cast

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.formats import date_format
from django.utils.translation import gettext_lazy as _

from coordination.models import CoresMeeting
from hotspots.models import Hotspot

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
                condition=(Q(kind="regional") & Q(hotspot__isnull=True))
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
        scope = "region" if self.kind == self.Kind.REGIONAL else cast(Hotspot, self.hotspot).code
        audience = "PJ" if self.is_police_judicial else "CoReS"
        return (
            f"{scope}-{self.period_start:%Y%m%d}-{self.period_end:%Y%m%d}-"
            f"{audience}-{self.language.upper()}-v{self.version}.pdf"
        )
