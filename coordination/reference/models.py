"""Reference data of the region: communes, police zones, the three axes."""

from __future__ import annotations

from django.db import models
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _


def in_reader_language(french: str, dutch: str) -> str:
    """Reference data exists in French and Dutch: Dutch readers get Dutch, others French."""
    return dutch if (get_language() or "").startswith("nl") else french


class Bilingual(models.Model):
    """Reference data carries a French and a Dutch name; the UI shows the reader's one."""

    name_fr = models.CharField(_("name (French)"), max_length=200)
    name_nl = models.CharField(_("name (Dutch)"), max_length=200)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return self.name

    @property
    def name(self) -> str:
        return in_reader_language(self.name_fr, self.name_nl)


class Axis(models.TextChoices):
    """The three inseparable axes of every action plan (and of the indicators)."""

    SECURITY = "security", _("Security")
    PREVENTION = "prevention", _("Prevention")
    NEIGHBOURHOOD = "neighbourhood", _("Neighbourhood life")


class PoliceZone(Bilingual):
    number = models.PositiveIntegerField(_("zone number"), unique=True)
    alias = models.CharField(_("usual name"), max_length=100, blank=True)

    class Meta:
        ordering = ["number"]
        verbose_name = _("police zone")
        verbose_name_plural = _("police zones")

    def __str__(self) -> str:
        return f"{self.number} {self.name}"


class Commune(Bilingual):
    nis_code = models.CharField(_("NIS code"), max_length=5, unique=True)
    police_zone = models.ForeignKey(
        PoliceZone,
        on_delete=models.PROTECT,
        related_name="communes",
        verbose_name=_("police zone"),
    )
    postal_codes = models.CharField(_("postal codes"), max_length=100, blank=True)
    boundary = models.JSONField(_("boundary (GeoJSON, WGS84)"))

    class Meta:
        ordering = ["name_fr"]
        verbose_name = _("commune")
        verbose_name_plural = _("communes")
