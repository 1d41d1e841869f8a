"""Hotspots, the mayors' decisions on them, police orders and indicators."""

from __future__ import annotations

import datetime as dt

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from coordination.core.bilingual import BilingualContent
from coordination.models import Agency, Axis, Bilingual, Commune, StrategyPeriod, in_reader_language


class Phenomenon(models.TextChoices):
    DEALING = "dealing", _("Drug dealing")
    DRIVE_IN = "drive_in", _("Drive-in dealing")
    SHOOTINGS = "shootings", _("Shootings and violence")
    PUBLIC_USE = "public_use", _("Drug use in public space")
    NUISANCE = "nuisance", _("Nuisance")
    EXPLOITATION = "exploitation", _("Exploitation of minors")
    OTHER = "other", _("Other")


class Hotspot(Bilingual, BilingualContent):
    # ``language`` is the language of the description and the reason for closing (the
    # names are reference data, in both languages: ``name_fr``/``name_nl``).
    TRANSLATED_FIELDS = ("description", "closure_reason")

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("Proposed")
        AWAITING_APPROVAL = "awaiting_approval", _("Awaiting approval")
        APPROVED = "approved", _("Approved")
        ACTIVE = "active", _("Active")
        CLOSED = "closed", _("Closed")
        REJECTED = "rejected", _("Rejected")

    code = models.CharField(_("code"), max_length=12, unique=True)
    description = models.TextField(_("description"), blank=True)
    description_translation = models.TextField(_("description (translation)"), blank=True)
    communes = models.ManyToManyField(Commune, related_name="hotspots", verbose_name=_("communes"))
    phenomena = models.JSONField(_("phenomena observed"), default=list, blank=True)
    perimeter = models.JSONField(_("perimeter (GeoJSON)"), null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=20, choices=Status.choices, default=Status.PROPOSED
    )
    period = models.ForeignKey(
        StrategyPeriod,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hotspots",
        verbose_name=_("strategy period"),
    )
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    approved_at = models.DateTimeField(_("approved at"), null=True, blank=True)
    activated_at = models.DateTimeField(_("activated at"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closure_reason = models.TextField(_("reason for closing"), blank=True)
    closure_reason_translation = models.TextField(_("reason for closing (translation)"), blank=True)

    class Meta:
        ordering = ["code"]
        verbose_name = _("hotspot")
        verbose_name_plural = _("hotspots")
        indexes = [models.Index(fields=["status"])]
        # Granted to the mayors of the concerned communes while their decision is pending.
        permissions = [("decide_hotspot", _("Can decide on the hotspot for their commune"))]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"

    def phenomenon_labels(self) -> list[str]:
        labels = dict(Phenomenon.choices)
        return [str(labels.get(code, code)) for code in self.phenomena]


class MayorDecision(BilingualContent):
    """One concerned commune's decision on a hotspot: pending, then decided once."""

    TRANSLATED_FIELDS = ("reason",)

    class Decision(models.TextChoices):
        PENDING = "pending", _("Awaiting decision")
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Rejected")

    hotspot = models.ForeignKey(
        Hotspot, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("hotspot")
    )
    commune = models.ForeignKey(
        Commune, on_delete=models.PROTECT, related_name="decisions", verbose_name=_("commune")
    )
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    reason = models.TextField(_("reason"), blank=True)
    reason_translation = models.TextField(_("reason (translation)"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)

    class Meta:
        ordering = ["hotspot", "commune__name_fr"]
        verbose_name = _("mayor's decision")
        verbose_name_plural = _("mayors' decisions")
        constraints = [
            models.UniqueConstraint(
                fields=["hotspot", "commune"], name="decision_once_per_commune"
            ),
            models.CheckConstraint(
                condition=Q(decision="pending")
                | (Q(decided_by__isnull=False) & Q(decided_at__isnull=False)),
                name="decision_is_signed_and_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hotspot.code} · {self.commune} · {self.get_decision_display()}"


class PerimeterVersion(models.Model):
    """One perimeter a hotspot has had, kept for good (never deleted, never edited).

    ``Hotspot.perimeter`` is a copy of the version in force (or, before approval, of the
    working draft) for the readers of the whole portal; the versions are the record.
    """

    class State(models.TextChoices):
        DRAFT = "draft", _("Working draft")
        PROPOSED = "proposed", _("Proposed, awaiting the mayors")
        IN_FORCE = "in_force", _("In force")
        SUPERSEDED = "superseded", _("Superseded")
        REJECTED = "rejected", _("Rejected")
        WITHDRAWN = "withdrawn", _("Withdrawn")

    hotspot = models.ForeignKey(
        Hotspot,
        on_delete=models.PROTECT,
        related_name="perimeter_versions",
        verbose_name=_("hotspot"),
    )
    number = models.PositiveIntegerField(_("version"))
    geometry = models.JSONField(_("perimeter (GeoJSON)"))
    area_m2 = models.FloatField(_("area (m²)"), default=0)
    state = models.CharField(_("state"), max_length=12, choices=State.choices)
    reason = models.TextField(_("reason for the change"), blank=True)
    proposed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("proposed by"),
    )
    proposed_at = models.DateTimeField(_("proposed at"), default=timezone.now)
    in_force_from = models.DateTimeField(_("in force from"), null=True, blank=True)
    ended_at = models.DateTimeField(
        _("ended at"),
        null=True,
        blank=True,
        help_text=_("When it was superseded, rejected or withdrawn."),
    )

    class Meta:
        ordering = ["hotspot", "-number"]
        verbose_name = _("perimeter version")
        verbose_name_plural = _("perimeter versions")
        constraints = [
            models.UniqueConstraint(
                fields=["hotspot", "number"], name="perimeter_version_number_once"
            ),
            # One perimeter in force, one pending change and one working draft at a time.
            models.UniqueConstraint(
                fields=["hotspot"],
                condition=Q(state="in_force"),
                name="one_perimeter_in_force",
            ),
            models.UniqueConstraint(
                fields=["hotspot"],
                condition=Q(state="proposed"),
                name="one_pending_perimeter_change",
            ),
            models.UniqueConstraint(
                fields=["hotspot"], condition=Q(state="draft"), name="one_perimeter_draft"
            ),
            models.CheckConstraint(condition=Q(number__gte=1), name="perimeter_version_from_1"),
        ]

    def __str__(self) -> str:
        return f"{self.hotspot.code} · v{self.number} · {self.get_state_display()}"

    @property
    def area_ha(self) -> float:
        return round(self.area_m2 / 10_000, 2)

    @property
    def status_class(self) -> str:
        """The portal's status colour for this state (``status-<x>`` in portal.css)."""
        colours = {"draft": "proposed", "proposed": "proposed", "in_force": "active"}
        return colours.get(self.state, "rejected" if self.state == "rejected" else "closed")


class PerimeterDecision(models.Model):
    """One concerned commune's decision on a proposed change of a hotspot's perimeter.

    The same rules as ``MayorDecision`` (signed, dated, never changed), kept apart so the
    decisions that approved the hotspot itself stay what the overview and reports count.
    """

    class Decision(models.TextChoices):
        PENDING = "pending", _("Awaiting decision")
        APPROVE = "approve", _("Approved")
        REJECT = "reject", _("Rejected")
        # The proposal was withdrawn or already rejected before this commune decided.
        LAPSED = "lapsed", _("No longer needed")

    version = models.ForeignKey(
        PerimeterVersion,
        on_delete=models.PROTECT,
        related_name="decisions",
        verbose_name=_("perimeter version"),
    )
    hotspot = models.ForeignKey(
        Hotspot,
        on_delete=models.PROTECT,
        related_name="perimeter_decisions",
        verbose_name=_("hotspot"),
    )
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        related_name="perimeter_decisions",
        verbose_name=_("commune"),
    )
    decision = models.CharField(
        _("decision"), max_length=10, choices=Decision.choices, default=Decision.PENDING
    )
    reason = models.TextField(_("reason"), blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("decided by"),
    )
    decided_at = models.DateTimeField(_("decided at"), null=True, blank=True)
    requested_at = models.DateTimeField(_("requested at"), default=timezone.now)

    class Meta:
        ordering = ["version", "commune__name_fr"]
        verbose_name = _("mayor's decision on a perimeter")
        verbose_name_plural = _("mayors' decisions on perimeters")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "commune"], name="perimeter_decision_once_per_commune"
            ),
            models.CheckConstraint(
                condition=Q(decision__in=["pending", "lapsed"])
                | (Q(decided_by__isnull=False) & Q(decided_at__isnull=False)),
                name="perimeter_decision_is_signed_and_dated",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.version} · {self.commune} · {self.get_decision_display()}"


class MeasureType(models.TextChoices):
    ALCOHOL_BAN = "alcohol_ban", _("Sale ban on alcohol")
    LAUGHING_GAS_BAN = "laughing_gas_ban", _("Sale ban on laughing gas")
    FIREWORKS = "fireworks", _("Fireworks ban")
    PLACE_BAN = "place_ban", _("Place ban")
    ID_CHECKS = "id_checks", _("Systematic identity checks and searches")
    CONFISCATION = "confiscation", _("Confiscation of objects")
    CLOSURE = "closure", _("Closure of premises")
    OTHER = "other", _("Other measure")


def order_document_path(order: PoliceOrder, filename: str) -> str:
    return f"police-orders/{timezone.now():%Y/%m}/{order.reference_slug()}.pdf"


def order_document_version_path(document: OrderDocument, filename: str) -> str:
    return (
        f"police-orders/{timezone.now():%Y/%m}/"
        f"{document.order.reference_slug()}-v{document.number}.pdf"
    )


class PoliceOrder(BilingualContent):
    # The titles exist in both languages (``title_fr``/``title_nl``, required); ``language``
    # is the language of the signatory, the legal basis and the details of the measures.
    TRANSLATED_FIELDS = ("signatory", "legal_reference", "measure_details")

    class Scope(models.TextChoices):
        REGIONAL = "regional", _("Regional (Minister-President)")
        LOCAL = "local", _("Local (mayor)")

    class State(models.TextChoices):
        UPCOMING = "upcoming", _("Upcoming")
        IN_FORCE = "in_force", _("In force")
        EXPIRED = "expired", _("Expired")

    scope = models.CharField(_("scope"), max_length=10, choices=Scope.choices)
    hotspot = models.ForeignKey(
        Hotspot,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="police_orders",
        verbose_name=_("hotspot"),
        help_text=_("Only for a local order."),
    )
    title_fr = models.CharField(_("title (French)"), max_length=300)
    title_nl = models.CharField(_("title (Dutch)"), max_length=300)
    measures = models.JSONField(_("measures"), default=list)
    measure_details = models.TextField(_("details of the measures"), blank=True)
    measure_details_translation = models.TextField(
        _("details of the measures (translation)"), blank=True
    )
    legal_reference = models.CharField(_("legal reference"), max_length=300)
    legal_reference_translation = models.CharField(
        _("legal reference (translation)"), max_length=300, blank=True
    )
    signatory = models.CharField(
        _("signed by"), max_length=200, help_text=_("Name and office of the signatory.")
    )
    signatory_translation = models.CharField(
        _("signed by (translation)"), max_length=200, blank=True
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("signer's account"),
        help_text=_("Receives the reminders before expiry."),
    )
    signed_on = models.DateField(_("signed on"))
    valid_from = models.DateField(_("valid from"))
    valid_until = models.DateField(_("valid until"))
    document = models.FileField(
        _("signed document (PDF)"), upload_to=order_document_path, blank=True
    )
    extends = models.ForeignKey(
        "self",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="extensions",
        verbose_name=_("extends the order"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["-valid_from", "-id"]
        verbose_name = _("police order")
        verbose_name_plural = _("police orders")
        constraints = [
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")),
                name="order_valid_until_after_from",
            ),
            models.CheckConstraint(
                condition=(Q(scope="local") & Q(hotspot__isnull=False))
                | (Q(scope="regional") & Q(hotspot__isnull=True)),
                name="order_local_has_hotspot",
            ),
        ]
        indexes = [models.Index(fields=["valid_from", "valid_until"])]

    def __str__(self) -> str:
        return self.title

    @property
    def title(self) -> str:
        return in_reader_language(self.title_fr, self.title_nl)

    def state_on(self, day: dt.date) -> str:
        if day < self.valid_from:
            return self.State.UPCOMING
        if day > self.valid_until:
            return self.State.EXPIRED
        return self.State.IN_FORCE

    @property
    def state(self) -> str:
        return self.state_on(timezone.localdate())

    def get_state_display(self) -> str:
        return str(dict(self.State.choices)[self.state])

    def measure_labels(self) -> list[str]:
        labels = dict(MeasureType.choices)
        return [str(labels.get(code, code)) for code in self.measures]

    def reference_slug(self) -> str:
        return f"order-{self.scope}-{self.signed_on:%Y%m%d}-{timezone.now():%H%M%S%f}"


class OrderDocument(models.Model):
    """One signed PDF of a police order, kept for good; the order's current document is the
    latest (``PoliceOrder.document`` names the same file). Its SHA-256 is checked on every
    download."""

    order = models.ForeignKey(
        PoliceOrder,
        on_delete=models.PROTECT,
        related_name="documents",
        verbose_name=_("police order"),
    )
    number = models.PositiveIntegerField(_("version"))
    file = models.FileField(_("signed document (PDF)"), upload_to=order_document_version_path)
    sha256 = models.CharField(_("SHA-256"), max_length=64, blank=True)
    size = models.PositiveBigIntegerField(_("size (bytes)"), default=0)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("uploaded by"),
    )
    uploaded_at = models.DateTimeField(_("uploaded at"), default=timezone.now)

    class Meta:
        ordering = ["order", "-number"]
        verbose_name = _("police order document")
        verbose_name_plural = _("police order documents")
        constraints = [
            models.UniqueConstraint(fields=["order", "number"], name="order_document_number_once"),
            models.CheckConstraint(condition=Q(number__gte=1), name="order_document_from_1"),
        ]

    def __str__(self) -> str:
        return f"{self.order} · v{self.number}"


class OrderReminder(models.Model):
    """A reminder sent before an order expires; unique so a re-run sends nothing twice."""

    order = models.ForeignKey(PoliceOrder, on_delete=models.CASCADE, related_name="reminders")
    days_before = models.PositiveSmallIntegerField()
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["order", "days_before"], name="reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.order} -{self.days_before}d"


class IndicatorDefinition(Bilingual):
    code = models.SlugField(_("code"), max_length=40, unique=True)
    unit_fr = models.CharField(_("unit (French)"), max_length=40)
    unit_nl = models.CharField(_("unit (Dutch)"), max_length=40)
    axis = models.CharField(_("axis"), max_length=20, choices=Axis.choices)
    lower_is_better = models.BooleanField(_("lower is better"), default=True)
    supplier_kind = models.CharField(
        _("supplied by"),
        max_length=32,
        choices=Agency.Kind.choices,
        help_text=_("The kind of agency that enters the values (police covers local and federal)."),
    )
    position = models.PositiveSmallIntegerField(_("position"), default=0)

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    @property
    def unit(self) -> str:
        return in_reader_language(self.unit_fr, self.unit_nl)


class IndicatorValue(models.Model):
    hotspot = models.ForeignKey(Hotspot, on_delete=models.PROTECT, related_name="indicator_values")
    indicator = models.ForeignKey(
        IndicatorDefinition, on_delete=models.PROTECT, related_name="values"
    )
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now=True)

    class Meta:
        ordering = ["hotspot", "indicator", "month"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        constraints = [
            models.UniqueConstraint(
                fields=["hotspot", "indicator", "month"], name="one_value_per_month"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="value_month_first_day"),
            models.CheckConstraint(condition=Q(value__gte=0), name="value_not_negative"),
        ]

    def __str__(self) -> str:
        return f"{self.hotspot.code} {self.indicator.code} {self.month:%Y-%m}: {self.value}"


class IndicatorGoal(models.Model):
    """The baseline and the target of one indicator for one hotspot, each with its date.

    Kept for good: a change supersedes the version in force (``superseded_at``) and adds a
    new one, so the record shows every baseline and target the hotspot ever had. Either
    part may be left empty, but a value always comes with its date.
    """

    hotspot = models.ForeignKey(
        Hotspot, on_delete=models.PROTECT, related_name="indicator_goals", verbose_name=_("hotspot")
    )
    indicator = models.ForeignKey(
        IndicatorDefinition,
        on_delete=models.PROTECT,
        related_name="goals",
        verbose_name=_("indicator"),
    )
    baseline_value = models.DecimalField(
        _("baseline"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    baseline_on = models.DateField(_("baseline date"), null=True, blank=True)
    target_value = models.DecimalField(
        _("target"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    target_on = models.DateField(_("target date"), null=True, blank=True)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("set by"),
    )
    set_at = models.DateTimeField(_("set at"), default=timezone.now)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)

    class Meta:
        ordering = ["hotspot", "indicator", "-set_at", "-id"]
        verbose_name = _("indicator baseline and target")
        verbose_name_plural = _("indicator baselines and targets")
        constraints = [
            models.UniqueConstraint(
                fields=["hotspot", "indicator"],
                condition=Q(superseded_at__isnull=True),
                name="one_goal_in_force",
            ),
            models.CheckConstraint(
                condition=Q(baseline_value__isnull=True, baseline_on__isnull=True)
                | Q(baseline_value__isnull=False, baseline_on__isnull=False),
                name="goal_baseline_dated",
            ),
            models.CheckConstraint(
                condition=Q(target_value__isnull=True, target_on__isnull=True)
                | Q(target_value__isnull=False, target_on__isnull=False),
                name="goal_target_dated",
            ),
            models.CheckConstraint(
                condition=(Q(baseline_value__isnull=True) | Q(baseline_value__gte=0))
                & (Q(target_value__isnull=True) | Q(target_value__gte=0)),
                name="goal_not_negative",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hotspot.code} {self.indicator.code}"


class IndicatorReminder(models.Model):
    """A reminder that a month's value is missing, told once to one supplying agency.

    Unique per (hotspot, indicator, month, agency): the monthly job and the CSIR's
    "remind now" may both run, and nobody is told twice about the same gap.
    """

    hotspot = models.ForeignKey(Hotspot, on_delete=models.PROTECT, related_name="+")
    indicator = models.ForeignKey(IndicatorDefinition, on_delete=models.PROTECT, related_name="+")
    month = models.DateField(_("month"))
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    sent_at = models.DateTimeField(_("sent at"), default=timezone.now)
    sent_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        help_text=_("Empty when the monthly job sent it."),
    )

    class Meta:
        verbose_name = _("missing indicator reminder")
        verbose_name_plural = _("missing indicator reminders")
        constraints = [
            models.UniqueConstraint(
                fields=["hotspot", "indicator", "month", "agency"],
                name="indicator_reminder_once",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hotspot_id} {self.indicator_id} {self.month:%Y-%m} {self.agency_id}"
