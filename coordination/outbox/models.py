"""The transactional outbox: follow-up work recorded with the change that causes it."""

from __future__ import annotations

from django.db import models
from django.utils.translation import gettext_lazy as _


class OutboxMessage(models.Model):
    """One piece of follow-up work (a Celery task and its arguments) for the workers.

    Written in the same transaction as its cause, so it exists exactly when the cause
    does; handed to the broker after commit and again by the sweep until the task says it
    is done. Tasks are idempotent, keyed by this row: a second delivery does nothing.
    """

    task = models.CharField(_("job"), max_length=100)
    kwargs = models.JSONField(_("arguments"), default=dict, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    dispatched_at = models.DateTimeField(_("handed to the broker at"), null=True, blank=True)
    dispatches = models.PositiveIntegerField(_("hand-offs"), default=0)
    done_at = models.DateTimeField(_("done at"), null=True, blank=True)
    last_error = models.CharField(_("last error"), max_length=300, blank=True)

    class Meta:
        ordering = ["created_at", "id"]
        verbose_name = _("outbox message")
        verbose_name_plural = _("outbox messages")
        indexes = [
            models.Index(
                fields=["dispatched_at"],
                condition=models.Q(done_at__isnull=True),
                name="outbox_pending",
            )
        ]

    def __str__(self) -> str:
        return f"{self.task} #{self.pk}"
