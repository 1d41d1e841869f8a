"""The runs of the periodic jobs: what the scheduled-work page and /healthz read."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class JobRun(models.Model):
    """One run of a periodic job, written once when the run ends (``services.recorded``).

    A run killed at its hard time limit, or with its worker, leaves no row: the page then
    shows the previous run and a next run that is late.
    """

    class Outcome(models.TextChoices):
        OK = "ok", _("succeeded")
        FAILED = "failed", _("failed")

    # The Celery task's name, as the beat schedule names it ("hotspots.remind_expiring_orders").
    job = models.CharField(_("job"), max_length=100)
    started_at = models.DateTimeField(_("started at"))
    finished_at = models.DateTimeField(_("finished at"))
    outcome = models.CharField(_("outcome"), max_length=10, choices=Outcome.choices)
    # The job's return value, or the exception, shortened.
    detail = models.CharField(_("result or error"), max_length=300, blank=True)
    worker = models.CharField(_("worker"), max_length=200, blank=True)

    class Meta:
        ordering = ["-started_at", "-id"]
        verbose_name = _("job run")
        verbose_name_plural = _("job runs")
        indexes = [
            # The last run of each job is its highest id (rows are written at the end).
            models.Index(fields=["job", "id"], name="jobrun_job_latest"),
            # The pruning of old runs.
            models.Index(fields=["started_at"], name="jobrun_started"),
        ]

    def __str__(self) -> str:
        return f"{self.job} {self.started_at:%Y-%m-%d %H:%M:%S} {self.outcome}"
