"""The audit trail."""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.conf import settings
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from coordination.audit.selectors import ChangeLine


class AuditEntry(models.Model):
    """One change to governed data: who, when, what. Written by services, never edited."""

    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("who"),
    )
    action = models.CharField(_("action"), max_length=60)
    target_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("object type")
    )
    target_id = models.CharField(_("object id"), max_length=40)
    target_repr = models.CharField(_("object"), max_length=300)
    changes = models.JSONField(_("what changed"), default=dict, blank=True)
    police_judicial = models.BooleanField(_("police-judicial"), default=False)
    # Not stored: attached by ``selectors.with_lines`` for the templates, in the reader's
    # language.
    lines: list[ChangeLine]
    sentence: str
    target_name: str

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target_repr}"
