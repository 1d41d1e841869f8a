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
    # [lon, lat]: a point inside ``perimeter`` (``geo.area_center``), stored by the services
    # that write the perimeter so that maps place markers and arrows without parsing it.
    perimeter_centre = models.JSONField(
        _("centre of the perimeter"), null=True, blank=True, editable=False
    )
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
    # A count of crime or nuisance that could move next door: the monthly weighted
    # displacement quotient is computed for it (hotspots.services.displacement_quotient).
    displacement_relevant = models.BooleanField(
        _("watched for displacement"),
        default=False,
        help_text=_("A count of crime or nuisance whose displacement to the buffer is watched."),
    )

    class Meta:
        ordering = ["position", "code"]
        verbose_name = _("indicator")
        verbose_name_plural = _("indicators")

    @property
    def unit(self) -> str:
        return in_reader_language(self.unit_fr, self.unit_nl)


class Area(models.TextChoices):
    """Where a monthly value was counted: the hotspot itself, the ring around it (buffer)
    or the rest of its police zone (control), for the displacement quotient."""

    HOTSPOT = "hotspot", _("Hotspot")
    BUFFER = "buffer", _("Buffer area")
    CONTROL = "control", _("Control area")


class HotspotAreaValues(models.Manager["IndicatorValue"]):
    """The values of the hotspot itself: the default, so that every grid, chart, report
    and completeness count written before the buffer and control areas existed keeps
    reading the hotspot's own figures. ``IndicatorValue.in_all_areas`` reads them all."""

    def get_queryset(self) -> models.QuerySet[IndicatorValue]:
        return super().get_queryset().filter(area=Area.HOTSPOT)


class IndicatorValue(models.Model):
    hotspot = models.ForeignKey(Hotspot, on_delete=models.PROTECT, related_name="indicator_values")
    indicator = models.ForeignKey(
        IndicatorDefinition, on_delete=models.PROTECT, related_name="values"
    )
    area = models.CharField(_("area"), max_length=8, choices=Area.choices, default=Area.HOTSPOT)
    month = models.DateField(_("month"), help_text=_("The first day of the month."))
    value = models.DecimalField(_("value"), max_digits=12, decimal_places=2)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    entered_at = models.DateTimeField(_("entered at"), auto_now=True)

    objects = HotspotAreaValues()
    in_all_areas = models.Manager()  # noqa: DJ012 - a manager, after the default one

    class Meta:
        ordering = ["hotspot", "indicator", "area", "month"]
        verbose_name = _("indicator value")
        verbose_name_plural = _("indicator values")
        # A value reached through a relation or a deletion cascade is never filtered out.
        base_manager_name = "in_all_areas"
        constraints = [
            models.UniqueConstraint(
                fields=["hotspot", "indicator", "area", "month"], name="one_value_per_area_month"
            ),
            models.CheckConstraint(condition=Q(month__day=1), name="value_month_first_day"),
            models.CheckConstraint(condition=Q(value__gte=0), name="value_not_negative"),
        ]

    def __str__(self) -> str:
        area = "" if self.area == Area.HOTSPOT else f" ({self.area})"
        return f"{self.hotspot.code}{area} {self.indicator.code} {self.month:%Y-%m}: {self.value}"


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


# --- Displacement early warning (weighted displacement quotient) ---------------------------


class DisplacementSetup(models.Model):
    """The buffer and control areas of a hotspot and the before/after split of its quotient.

    The buffer is a ring of ``buffer_metres`` around the perimeter; the control area, by
    default, the rest of the hotspot's police zone(s) without the hotspot and the buffer.
    Both geometries are computed (Belgian Lambert 2008) and stored as GeoJSON so that the
    map draws what the quotient was computed for; a custom control area may replace the
    default one.
    """

    hotspot = models.OneToOneField(
        Hotspot,
        on_delete=models.PROTECT,
        related_name="displacement_setup",
        verbose_name=_("hotspot"),
    )
    buffer_metres = models.PositiveIntegerField(_("buffer width (metres)"), default=400)
    buffer_geometry = models.JSONField(_("buffer area (GeoJSON)"), null=True, blank=True)
    control_geometry = models.JSONField(_("control area (GeoJSON)"), null=True, blank=True)
    control_is_custom = models.BooleanField(
        _("custom control area"),
        default=False,
        help_text=_("Unticked, the control area is the rest of the hotspot's police zone."),
    )
    split_on = models.DateField(
        _("before/after split"),
        null=True,
        blank=True,
        help_text=_("Empty: the month the hotspot was activated."),
    )
    window_months = models.PositiveSmallIntegerField(_("months before and after"), default=6)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("updated by"),
    )
    updated_at = models.DateTimeField(_("updated at"), default=timezone.now)

    class Meta:
        verbose_name = _("displacement set-up")
        verbose_name_plural = _("displacement set-ups")
        constraints = [
            models.CheckConstraint(
                condition=Q(buffer_metres__gte=50) & Q(buffer_metres__lte=5000),
                name="displacement_buffer_width_bounded",
            ),
            models.CheckConstraint(
                condition=Q(window_months__gte=1) & Q(window_months__lte=24),
                name="displacement_window_bounded",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hotspot_id} · {self.buffer_metres} m"


class DisplacementMeasure(models.Model):
    """One monthly computation of the weighted displacement quotient (Bowers & Johnson
    2003) and the total net effect of one indicator of one hotspot, with every count used.

    ``month`` is the last month of the "after" window; the "before" window is as long and
    ends the month before the split. A = hotspot, B = buffer, C = control; 0 = before,
    1 = after. ``code`` says what the figures mean (or why there are none): the page words
    it in the reader's language. Unique per hotspot, indicator and month: the job may run
    again and the warning is sent once (``warned_at``).
    """

    class Code(models.TextChoices):
        DIFFUSION = "diffusion", _("Diffusion of benefits")
        DISPLACEMENT = "displacement", _("Displacement")
        NEUTRAL = "neutral", _("Neither displacement nor diffusion")
        NO_SUCCESS = "no_success", _("No measurable success in the hotspot")
        NO_CHANGE = "no_change", _("No change in the hotspot")
        CONTROL_ZERO = "control_zero", _("Zero count in the control area")
        MISSING_MONTHS = "missing_months", _("Months missing")
        TOO_EARLY = "too_early", _("Too early: the after window is not complete")
        NO_SPLIT = "no_split", _("No before/after split (the hotspot was never activated)")

    hotspot = models.ForeignKey(
        Hotspot,
        on_delete=models.PROTECT,
        related_name="displacement_measures",
        verbose_name=_("hotspot"),
    )
    indicator = models.ForeignKey(
        IndicatorDefinition,
        on_delete=models.PROTECT,
        related_name="displacement_measures",
        verbose_name=_("indicator"),
    )
    month = models.DateField(_("month"), help_text=_("The last month of the after window."))
    split_on = models.DateField(_("before/after split"), null=True, blank=True)
    window_months = models.PositiveSmallIntegerField(_("months before and after"))
    buffer_metres = models.PositiveIntegerField(_("buffer width (metres)"))
    target_before = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    target_after = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    buffer_before = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    buffer_after = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    control_before = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    control_after = models.DecimalField(max_digits=14, decimal_places=2, null=True, blank=True)
    missing_months = models.PositiveSmallIntegerField(_("area-months missing"), default=0)
    wdq = models.DecimalField(
        _("weighted displacement quotient"), max_digits=14, decimal_places=4, null=True, blank=True
    )
    tne = models.DecimalField(
        _("total net effect"), max_digits=16, decimal_places=2, null=True, blank=True
    )
    code = models.CharField(_("interpretation"), max_length=16, choices=Code.choices)
    computed_at = models.DateTimeField(_("computed at"), default=timezone.now)
    warned_at = models.DateTimeField(_("warned at"), null=True, blank=True)

    class Meta:
        ordering = ["hotspot", "indicator", "-month"]
        verbose_name = _("displacement measure")
        verbose_name_plural = _("displacement measures")
        constraints = [
            models.UniqueConstraint(
                fields=["hotspot", "indicator", "month"], name="displacement_measure_once"
            ),
            models.CheckConstraint(
                condition=Q(month__day=1), name="displacement_measure_first_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hotspot_id} {self.indicator_id} {self.month:%Y-%m}: {self.code}"


# --- Police orders as a legal register: amendments and publication steps -----------------

#: The Council of State hears an appeal against an order for this many days after its
#: publication in the Moniteur belge (coordinated laws on the Council of State, art. 4).
APPEAL_DAYS = 60


class OrderAmendment(BilingualContent):
    """One state of a police order as signed: its original text (number 0), then each
    amendment or extension, each a full consolidated state (period, measures, hotspots).

    What is in force on a day is the amendment of highest number whose period holds that
    day: a later amendment supersedes an earlier one for the days they share. Never
    deleted nor edited: a correction is a new amendment.
    """

    TRANSLATED_FIELDS = ("summary", "measure_details")

    class Kind(models.TextChoices):
        ORIGINAL = "original", _("Original text")
        AMENDMENT = "amendment", _("Amendment")
        EXTENSION = "extension", _("Extension")

    order = models.ForeignKey(
        PoliceOrder,
        on_delete=models.PROTECT,
        related_name="amendments",
        verbose_name=_("police order"),
    )
    number = models.PositiveSmallIntegerField(_("number"))
    kind = models.CharField(_("kind"), max_length=10, choices=Kind.choices)
    signed_on = models.DateField(_("signed on"))
    valid_from = models.DateField(_("in force from"))
    valid_until = models.DateField(_("in force until"))
    summary = models.TextField(_("what changed"), blank=True)
    summary_translation = models.TextField(_("what changed (translation)"), blank=True)
    measures = models.JSONField(_("measures"), default=list)
    measure_details = models.TextField(_("details of the measures"), blank=True)
    measure_details_translation = models.TextField(
        _("details of the measures (translation)"), blank=True
    )
    hotspots = models.ManyToManyField(
        Hotspot, related_name="order_amendments", blank=True, verbose_name=_("hotspots covered")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    created_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["order", "number"]
        verbose_name = _("police order amendment")
        verbose_name_plural = _("police order amendments")
        constraints = [
            models.UniqueConstraint(fields=["order", "number"], name="order_amendment_number_once"),
            models.CheckConstraint(
                condition=Q(valid_until__gte=models.F("valid_from")),
                name="order_amendment_until_after_from",
            ),
            models.CheckConstraint(
                condition=(Q(number=0) & Q(kind="original"))
                | (Q(number__gte=1) & ~Q(kind="original")),
                name="order_amendment_original_is_0",
            ),
        ]
        indexes = [models.Index(fields=["valid_from", "valid_until"])]

    def __str__(self) -> str:
        return f"{self.order} · {self.get_kind_display()} {self.number}"

    def in_force_on(self, day: dt.date) -> bool:
        return self.valid_from <= day <= self.valid_until

    def measure_labels(self) -> list[str]:
        labels = dict(MeasureType.choices)
        return [str(labels.get(code, code)) for code in self.measures]


class PublicationStep(models.Model):
    """One step of an amendment's publication checklist, with its owner and dates.

    Posting is one step per commune concerned, owned by that commune. A step done is never
    undone: the date it was done and by whom stay in the record.
    """

    class Kind(models.TextChoices):
        MONITEUR = "moniteur", _("Published in the Moniteur belge")
        MAYORS = "mayors", _("Sent to the mayors")
        POSTED = "posted", _("Posted by the commune")
        CRISIS_CENTRE = "crisis_centre", _("Sent to the National Crisis Centre")

    amendment = models.ForeignKey(
        OrderAmendment,
        on_delete=models.PROTECT,
        related_name="steps",
        verbose_name=_("amendment"),
    )
    kind = models.CharField(_("step"), max_length=14, choices=Kind.choices)
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("commune"),
    )
    owner_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner (agency)"),
    )
    owner_user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("owner (person)"),
    )
    due_on = models.DateField(_("due on"))
    done_on = models.DateField(_("done on"), null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("done by"),
    )
    done_at = models.DateTimeField(_("recorded at"), null=True, blank=True)

    class Meta:
        ordering = ["amendment", "due_on", "id"]
        verbose_name = _("publication step")
        verbose_name_plural = _("publication steps")
        constraints = [
            models.UniqueConstraint(
                fields=["amendment", "kind"],
                condition=Q(commune__isnull=True),
                name="publication_step_once",
            ),
            models.UniqueConstraint(
                fields=["amendment", "kind", "commune"],
                condition=Q(commune__isnull=False),
                name="publication_posting_once_per_commune",
            ),
            models.CheckConstraint(
                condition=(Q(kind="posted") & Q(commune__isnull=False))
                | (~Q(kind="posted") & Q(commune__isnull=True)),
                name="publication_posting_has_commune",
            ),
            models.CheckConstraint(
                condition=Q(owner_agency__isnull=False) | Q(owner_user__isnull=False),
                name="publication_step_has_owner",
            ),
            models.CheckConstraint(
                condition=(Q(done_on__isnull=True) & Q(done_by__isnull=True))
                | (Q(done_on__isnull=False) & Q(done_by__isnull=False)),
                name="publication_step_done_is_signed",
            ),
        ]
        indexes = [models.Index(fields=["done_on", "due_on"])]

    def __str__(self) -> str:
        label = str(self.get_kind_display())
        if self.commune_id is not None and self.commune is not None:
            return f"{label} ({self.commune})"
        return label

    @property
    def is_done(self) -> bool:
        return self.done_on is not None

    def is_late(self, on: dt.date) -> bool:
        return self.done_on is None and self.due_on < on


class PublicationStepReminder(models.Model):
    """A reminder sent about a pending step; unique per step and week, so a re-run (or
    the next day's run) tells nobody twice in a week."""

    step = models.ForeignKey(PublicationStep, on_delete=models.CASCADE, related_name="reminders")
    week = models.DateField(help_text="The Monday of the week the reminder belongs to.")
    sent_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["step", "week"], name="publication_reminder_once"),
        ]

    def __str__(self) -> str:
        return f"{self.step_id} {self.week}"


# --- The hotspot list over time (issue 15, item 3) --------------------------------------
#
# The strategy's list of hotspots is versioned by the decisions that changed it: each
# ``HotspotListChange`` adds a hotspot to the list, moves it to the hold phase, takes it
# off the list or brings it back to the intensive phase, from the day it came into force,
# with its source (a CoReS decision, a regional police order or its amendment, the mayors'
# approval). A hotspot's phase on a date is the one its last change in force by then set;
# ``Hotspot.status`` (the approval workflow) is left as it is. Rows are never deleted.


class HotspotPhase(models.TextChoices):
    INTENSIVE = "intensive", _("Intensive phase")
    HOLD = "hold", _("Hold phase")
    EXITED = "exited", _("Off the list")


class HotspotListChange(BilingualContent):
    """One change of the strategy's hotspot list, in force from ``in_force_on``."""

    TRANSLATED_FIELDS = ("note",)

    class Change(models.TextChoices):
        ADD = "add", _("Added to the list")
        HOLD = "hold", _("Moved to the hold phase")
        CLOSE = "close", _("Taken off the list")
        REOPEN = "reopen", _("Back to the intensive phase")

    class Source(models.TextChoices):
        CORES_DECISION = "cores_decision", _("CoReS decision")
        ORDER_AMENDMENT = "order_amendment", _("Regional police order or its amendment")
        MAYORS_APPROVAL = "mayors_approval", _("Approval by the mayors concerned")

    #: The phase a hotspot is in after each change.
    PHASE_AFTER = {
        Change.ADD: HotspotPhase.INTENSIVE,
        Change.HOLD: HotspotPhase.HOLD,
        Change.CLOSE: HotspotPhase.EXITED,
        Change.REOPEN: HotspotPhase.INTENSIVE,
    }

    hotspot = models.ForeignKey(
        Hotspot, on_delete=models.PROTECT, related_name="list_changes", verbose_name=_("hotspot")
    )
    change = models.CharField(_("change"), max_length=10, choices=Change.choices)
    decided_on = models.DateField(_("decided on"))
    in_force_on = models.DateField(_("in force from"))
    source_kind = models.CharField(_("source"), max_length=20, choices=Source.choices)
    cores_decision = models.ForeignKey(
        "coordination.CoresDecision",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("CoReS decision"),
    )
    police_order = models.ForeignKey(
        PoliceOrder,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="hotspot_list_changes",
        verbose_name=_("police order"),
    )
    note = models.TextField(_("note"), blank=True)
    note_translation = models.TextField(_("note (translation)"), blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("recorded by"),
    )
    recorded_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["in_force_on", "id"]
        verbose_name = _("change of the hotspot list")
        verbose_name_plural = _("changes of the hotspot list")
        indexes = [models.Index(fields=["in_force_on"], name="list_change_in_force_idx")]
        constraints = [
            # A change names its source: the decision or the order, whichever it was.
            models.CheckConstraint(
                condition=(Q(source_kind="cores_decision") & Q(cores_decision__isnull=False))
                | (Q(source_kind="order_amendment") & Q(police_order__isnull=False))
                | Q(source_kind="mayors_approval"),
                name="list_change_has_source",
            ),
            models.CheckConstraint(
                condition=Q(in_force_on__gte=models.F("decided_on")),
                name="list_change_in_force_after_decision",
            ),
            # One change a day per hotspot: its phase on any date is never ambiguous.
            models.UniqueConstraint(
                fields=["hotspot", "in_force_on"], name="list_change_once_a_day"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.hotspot_id} {self.change} {self.in_force_on:%Y-%m-%d}"

    @property
    def phase(self) -> str:
        return self.PHASE_AFTER[self.Change(self.change)]


class ExitCriterion(BilingualContent):
    """A condition a hotspot in the hold phase must meet to leave the list."""

    TRANSLATED_FIELDS = ("text",)

    hotspot = models.ForeignKey(
        Hotspot, on_delete=models.PROTECT, related_name="exit_criteria", verbose_name=_("hotspot")
    )
    position = models.PositiveSmallIntegerField(_("position"), default=1)
    text = models.CharField(_("exit criterion"), max_length=500)
    text_translation = models.CharField(
        _("exit criterion (translation)"), max_length=500, blank=True
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), default=timezone.now)

    class Meta:
        ordering = ["hotspot", "position", "id"]
        verbose_name = _("exit criterion")
        verbose_name_plural = _("exit criteria")

    def __str__(self) -> str:
        return f"{self.hotspot_id} #{self.position}"


class ExitCriterionReview(BilingualContent):
    """One review of an exit criterion (met or not), at a CoReS meeting or on a date.

    Kept for good: the criterion's status is its latest review."""

    TRANSLATED_FIELDS = ("note",)

    criterion = models.ForeignKey(
        ExitCriterion, on_delete=models.PROTECT, related_name="reviews", verbose_name=_("criterion")
    )
    met = models.BooleanField(_("met"))
    reviewed_on = models.DateField(_("reviewed on"))
    meeting = models.ForeignKey(
        "coordination.CoresMeeting",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("CoReS meeting"),
    )
    note = models.TextField(_("note"), blank=True)
    note_translation = models.TextField(_("note (translation)"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("recorded at"), default=timezone.now)

    class Meta:
        ordering = ["criterion", "-reviewed_on", "-id"]
        verbose_name = _("review of an exit criterion")
        verbose_name_plural = _("reviews of exit criteria")

    def __str__(self) -> str:
        return f"{self.criterion_id} {self.reviewed_on:%Y-%m-%d}: {self.met}"
