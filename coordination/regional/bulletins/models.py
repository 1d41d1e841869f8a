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
    # The one-time token of the form that published it (coordination/core/once.py): a
    # second POST of the same form finds this row instead of publishing again.
    submission_token = models.UUIDField(null=True, blank=True, editable=False)

    # A correction is a new version; the previous one stays readable, as it was read.
    version = models.PositiveSmallIntegerField(_("version"), default=1)
    corrects = models.OneToOneField(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="correction",
        verbose_name=_("corrects the version"),
    )
    # The first version of the chain (empty on the first version itself): the whole
    # history in one query.
    original = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("first version"),
    )
    corrected_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("corrected by"),
    )
    correction_note = models.TextField(_("what was corrected"), blank=True)

    # Withdrawn, never deleted: those who read it are told why.
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
        ordering = ["-published_at"]
        verbose_name = _("bulletin")
        verbose_name_plural = _("bulletins")
        constraints = [
            models.UniqueConstraint(fields=["submission_token"], name="bulletin_submitted_once"),
        ]

    def __str__(self) -> str:
        return self.title

    @property
    def is_withdrawn(self) -> bool:
        return self.withdrawn_at is not None

    @property
    def first_version_id(self) -> int:
        return self.original_id or self.pk


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
