"""The regional strategy, its six-month periods and the council (CoReS) that decides them."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coordination.core.bilingual import BilingualContent
from coordination.reference.models import in_reader_language


class Strategy(models.Model):
    """The regional strategy the CoReS adopted, lived in periods of six months."""

    title_fr = models.CharField(_("title (French)"), max_length=300)
    title_nl = models.CharField(_("title (Dutch)"), max_length=300)
    adopted_on = models.DateField(_("adopted on"))
    target_min_hotspots = models.PositiveSmallIntegerField(_("minimum active hotspots"), default=10)
    target_max_hotspots = models.PositiveSmallIntegerField(_("maximum active hotspots"), default=15)

    class Meta:
        ordering = ["-adopted_on"]
        verbose_name = _("strategy")
        verbose_name_plural = _("strategies")

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return in_reader_language(self.title_fr, self.title_nl)


class StrategyPeriod(models.Model):
    strategy = models.ForeignKey(
        Strategy, on_delete=models.PROTECT, related_name="periods", verbose_name=_("strategy")
    )
    number = models.PositiveSmallIntegerField(_("number"))
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    decided_on = models.DateField(_("decided on"), help_text=_("Date of the CoReS decision."))

    class Meta:
        ordering = ["strategy", "number"]
        verbose_name = _("strategy period")
        verbose_name_plural = _("strategy periods")
        constraints = [
            models.UniqueConstraint(fields=["strategy", "number"], name="period_unique_number"),
            models.CheckConstraint(
                condition=Q(ends_on__gt=models.F("starts_on")), name="period_ends_after_start"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.number}: {self.starts_on:%d/%m/%Y} – {self.ends_on:%d/%m/%Y}"


class CoresMeeting(BilingualContent):
    """A meeting of the Regional Security Council (CoReS)."""

    TRANSLATED_FIELDS = ("occasion", "agenda")

    class Kind(models.TextChoices):
        ORDINARY = "ordinary", _("Ordinary")
        EXTRAORDINARY = "extraordinary", _("Extraordinary")

    held_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices, default=Kind.ORDINARY)
    occasion = models.CharField(
        _("occasion"), max_length=300, blank=True, help_text=_("For example: after shootings.")
    )
    occasion_translation = models.CharField(_("occasion (translation)"), max_length=300, blank=True)
    attendees = models.TextField(_("attendees"), blank=True, help_text=_("One per line."))
    agenda = models.TextField(_("agenda"), blank=True)
    agenda_translation = models.TextField(_("agenda (translation)"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-held_on"]
        verbose_name = _("CoReS meeting")
        verbose_name_plural = _("CoReS meetings")

    def __str__(self) -> str:
        return f"CoReS {self.held_on:%d/%m/%Y} ({self.get_kind_display()})"


class CoresDecision(BilingualContent):
    """A decision of the CoReS; an extension opens the next strategy period."""

    TRANSLATED_FIELDS = ("text",)

    class Kind(models.TextChoices):
        ADOPT = "adopt", _("Adopt the strategy")
        EXTEND = "extend", _("Extend the strategy")
        ADAPT = "adapt", _("Adapt the strategy")
        VALIDATE_HOTSPOTS = "validate_hotspots", _("Validate the hotspot list")
        NEW_MEASURE = "new_measure", _("A new measure")
        OTHER = "other", _("Other decision")

    meeting = models.ForeignKey(
        CoresMeeting, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("meeting")
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    text = models.TextField(_("decision"))
    text_translation = models.TextField(_("decision (translation)"), blank=True)
    period = models.OneToOneField(
        StrategyPeriod,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="decision",
        verbose_name=_("strategy period opened"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["meeting", "id"]
        verbose_name = _("CoReS decision")
        verbose_name_plural = _("CoReS decisions")

    def __str__(self) -> str:
        return f"{self.meeting}: {self.get_kind_display()}"
