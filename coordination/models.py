"""The regional layer: reference data, agencies and people, the strategy, the audit trail."""

from __future__ import annotations

from django.conf import settings
from django.contrib.auth.models import AbstractUser, UserManager
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Q
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

    POLICE_JUDICIAL_KINDS = frozenset({Kind.LOCAL_POLICE, Kind.FEDERAL_POLICE, Kind.PROSECUTOR})

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

    class Meta:
        ordering = ["name_fr"]
        verbose_name = _("agency")
        verbose_name_plural = _("agencies")
        constraints = [
            models.UniqueConstraint(fields=["name_fr"], name="agency_unique_name_fr"),
        ]

    @property
    def is_police_judicial(self) -> bool:
        return self.kind in self.POLICE_JUDICIAL_KINDS


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
    objects = UserManager()

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

    class Meta:
        ordering = ["-at", "-id"]
        verbose_name = _("audit entry")
        verbose_name_plural = _("audit trail")
        indexes = [models.Index(fields=["target_type", "target_id"])]

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.actor} {self.action} {self.target_repr}"


class CoresMeeting(models.Model):
    """A meeting of the Regional Security Council (CoReS)."""

    class Kind(models.TextChoices):
        ORDINARY = "ordinary", _("Ordinary")
        EXTRAORDINARY = "extraordinary", _("Extraordinary")

    held_on = models.DateField(_("date"))
    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices, default=Kind.ORDINARY)
    occasion = models.CharField(
        _("occasion"), max_length=300, blank=True, help_text=_("For example: after shootings.")
    )
    attendees = models.TextField(_("attendees"), blank=True, help_text=_("One per line."))
    agenda = models.TextField(_("agenda"), blank=True)
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


class CoresDecision(models.Model):
    """A decision of the CoReS; an extension opens the next strategy period."""

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


class Bulletin(models.Model):
    """Information exchanged between the CSIR and the task forces."""

    class Kind(models.TextChoices):
        BULLETIN = "bulletin", _("CSIR bulletin")
        GOOD_PRACTICE = "good_practice", _("Good practice")

    kind = models.CharField(_("kind"), max_length=15, choices=Kind.choices)
    title = models.CharField(_("title"), max_length=300)
    body = models.TextField(_("text"))
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


class Notification(models.Model):
    """One event for one person: shown in the portal, e-mailed as the person chose."""

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notifications"
    )
    kind = models.CharField(_("kind"), max_length=40)
    # The message's parameters; the text is rendered in the reader's language when shown.
    params = models.JSONField(default=dict, blank=True)
    url = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True, db_index=True)
    read_at = models.DateTimeField(_("read at"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("e-mailed at"), null=True, blank=True)
    email_attempts = models.PositiveSmallIntegerField(default=0)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name = _("notification")
        verbose_name_plural = _("notifications")
        indexes = [
            models.Index(fields=["recipient", "read_at"]),
            models.Index(fields=["emailed_at", "created_at"]),
        ]

    def __str__(self) -> str:
        return f"{self.recipient} · {self.kind}"
