"""An attached document and its versions.

An ``Attachment`` is one document on one object (any model, through its content type and
id); each upload of it is an ``AttachmentVersion`` with its own file, size and SHA-256.
Nothing is deleted: removing a document marks it withdrawn (who, when, why) and every
version stays downloadable for those who see the object.
"""

from __future__ import annotations

import uuid
from pathlib import PurePath

from django.conf import settings
from django.contrib.contenttypes.fields import GenericForeignKey
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


def version_path(version: AttachmentVersion, filename: str) -> str:
    """A random storage name: the uploaded name is shown, never used as a path."""
    suffix = PurePath(filename).suffix.lower()[:8]
    return f"attachments/{timezone.now():%Y/%m}/{uuid.uuid4().hex}{suffix}"


class Attachment(models.Model):
    content_type = models.ForeignKey(
        ContentType, on_delete=models.PROTECT, related_name="+", verbose_name=_("kind of object")
    )
    object_id = models.PositiveBigIntegerField(_("object"))
    target = GenericForeignKey("content_type", "object_id")
    name = models.CharField(_("name"), max_length=200)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("added by"),
    )
    created_at = models.DateTimeField(_("added at"), default=timezone.now)
    withdrawn_at = models.DateTimeField(_("withdrawn at"), null=True, blank=True)
    withdrawn_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("withdrawn by"),
    )
    withdrawal_reason = models.TextField(_("reason for the withdrawal"), blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("attachment")
        verbose_name_plural = _("attachments")
        indexes = [models.Index(fields=["content_type", "object_id"])]
        constraints = [
            models.CheckConstraint(
                condition=Q(withdrawn_at__isnull=True) | Q(withdrawn_by__isnull=False),
                name="attachment_withdrawn_by_someone",
            ),
        ]

    def __str__(self) -> str:
        return self.name

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None


class AttachmentVersion(models.Model):
    attachment = models.ForeignKey(
        Attachment,
        on_delete=models.PROTECT,
        related_name="versions",
        verbose_name=_("attachment"),
    )
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("file"), upload_to=version_path, max_length=200)
    original_name = models.CharField(_("file name"), max_length=200)
    media_type = models.CharField(_("type"), max_length=120)
    size = models.PositiveBigIntegerField(_("size (bytes)"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["attachment", "-number"]
        verbose_name = _("attachment version")
        verbose_name_plural = _("attachment versions")
        constraints = [
            models.UniqueConstraint(
                fields=["attachment", "number"], name="attachment_version_number_once"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="attachment_version_from_1"),
        ]

    def __str__(self) -> str:
        return f"{self.original_name} · v{self.number}"
