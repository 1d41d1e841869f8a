"""Bulletins and good practices exchanged between the CSIR and the task forces."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coordination.core.bilingual import BilingualContent


class Bulletin(BilingualContent):
    """Information exchanged between the CSIR and the task forces."""

    TRANSLATED_FIELDS = ("title", "body")

    class Kind(models.TextChoices):
        BULLETIN = "bulletin", _("CSIR bulletin")
        GOOD_PRACTICE = "good_practice", _("Good practice")

    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    title_translation = models.CharField(_("title (translation)"), max_length=300, blank=True)
    body = models.TextField(_("text"))
    body_translation = models.TextField(_("text (translation)"), blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    source_taskforce = models.ForeignKey(
        "taskforces.TaskForce",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="shared_practices",
        verbose_name=_("shared by the task force"),
    )
    to_all = models.BooleanField(_("to every task force"), default=True)
    taskforces = models.ManyToManyField(
        "taskforces.TaskForce", blank=True, related_name="bulletins", verbose_name=_("task forces")
    )
    published_at = models.DateTimeField(_("published at"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-published_at"]
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")

    def __str__(self) -> str:
        return self.title


class BulletinRead(models.Model):
    bulletin = models.ForeignKey(Bulletin, on_delete=models.CASCADE, related_name="reads")
    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    read_at = models.DateTimeField(_("read at"), auto_now_add=True)

    class Meta:
        verbose_name = _("bulletin read")
        verbose_name_plural = _("bulletins read")
        constraints = [
            models.UniqueConstraint(fields=["bulletin", "user"], name="bulletin_read_once"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.bulletin}"
