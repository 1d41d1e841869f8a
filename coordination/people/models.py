"""Agencies and the people who use the portal."""

from __future__ import annotations

from typing import ClassVar, Self

from django.conf import settings
from django.contrib.auth.models import AbstractUser, Group, UserManager
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from coordination.reference.models import Bilingual, Commune, PoliceZone


class Agency(Bilingual):
    class Kind(models.TextChoices):
        REGIONAL_COORDINATION = "regional_coordination", _("Regional coordination")
        COMMUNE = "commune", _("Commune")
        LOCAL_POLICE = "local_police", _("Local police")
        FEDERAL_POLICE = "federal_police", _("Federal police")
        PROSECUTOR = "prosecutor", _("Public prosecutor's office")
        REGIONAL_ADMINISTRATION = "regional_administration", _("Regional administration")
        ASSOCIATION = "association", _("Association")
        FEDERAL_ADMINISTRATION = "federal_administration", _("Federal administration")

    # Police staff (the prosecutor's office does not patrol nor supply police figures).
    POLICE_KINDS = frozenset({Kind.LOCAL_POLICE, Kind.FEDERAL_POLICE})
    # Police and prosecutor agencies form the police-judicial circle (DESIGN.md §2).
    POLICE_JUDICIAL_KINDS = frozenset({*POLICE_KINDS, Kind.PROSECUTOR})

    kind = models.CharField(_("kind"), max_length=32, choices=Kind.choices)
    acronym = models.CharField(_("acronym"), max_length=30, blank=True)
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agencies",
        verbose_name=_("commune"),
        help_text=_("For a commune's services."),
    )
    police_zone = models.ForeignKey(
        PoliceZone,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="agencies",
        verbose_name=_("police zone"),
        help_text=_("For a local police."),
    )

    # Agencies are groups (django-guardian grants the actions an agency leads or partners in
    # to its group); every person is in the group of their agency.
    group = models.OneToOneField(
        Group,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        editable=False,
        related_name="agency",
    )

    class Meta:
        ordering = ["name_fr"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        constraints = [
            models.UniqueConstraint(fields=["name_fr"], name="agency_unique_name_fr"),
        ]


class User(AbstractUser):
    """A person using the portal; always in one agency.

    The role covers the jobs that do not depend on a task force. What a person does in a
    task force comes from their memberships there.
    """

    class Role(models.TextChoices):
        CSIR_COORDINATOR = "csir_coordinator", _("CSIR coordinator")
        CSIR_ANALYST = "csir_analyst", _("CSIR analyst")
        MAYOR = "mayor", _("Mayor")
        CORES_MEMBER = "cores_member", _("CoReS member")
        ADMINISTRATOR = "administrator", _("Administrator")
        PARTICIPANT = "participant", _("Agency staff")

    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="people", verbose_name=_("agency")
    )
    role = models.CharField(
        _("role"), max_length=32, choices=Role.choices, default=Role.PARTICIPANT
    )
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="mayors",
        verbose_name=_("commune (mayor)"),
        help_text=_("The commune a mayor or their delegate decides for."),
    )
    preferred_language = models.CharField(
        _("preferred language"), max_length=2, choices=settings.LANGUAGES, default="fr"
    )
    email_mode = models.CharField(
        _("e-mail notifications"),
        max_length=10,
        choices=[
            ("immediate", _("Immediately, one e-mail per event")),
            ("digest", _("Once a day, in a digest")),
            ("none", _("No e-mail: only in the portal")),
        ],
        default="immediate",
    )

    REQUIRED_FIELDS = ["email", "agency"]
    objects: ClassVar[UserManager[Self]] = UserManager()

    class Meta:
        ordering = ["last_name", "first_name", "username"]
        verbose_name = _("user")
        verbose_name_plural = _("users")
        constraints = [
            models.CheckConstraint(
                condition=~Q(role="mayor") | Q(commune__isnull=False),
                name="user_mayor_has_commune",
            ),
        ]

    def __str__(self) -> str:
        return self.get_full_name() or self.username


class CalendarFeed(models.Model):
    """A person's secret calendar address: calendar apps poll it without a session.

    Only the SHA-256 of the token is stored (``coordination.people.calendar``): the address
    is shown once, when it is made, and a leak of the database does not give it away.
    Renewing revokes the old address; a revoked row stays as the record of it.
    """

    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="calendar_feeds",
        verbose_name=_("person"),
    )
    token_hash = models.CharField(_("token hash"), max_length=64, unique=True, editable=False)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("last used at"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("calendar subscription")
        verbose_name_plural = _("calendar subscriptions")
        constraints = [
            # One live address per person, even if two renewals race.
            models.UniqueConstraint(
                fields=["user"],
                condition=Q(revoked_at__isnull=True),
                name="calendarfeed_one_active_per_user",
            ),
        ]

    def __str__(self) -> str:
        # Never the token nor its hash: this text is copied into the audit trail.
        return f"calendar subscription #{self.pk} ({self.user_id})"
