"""Local Task Forces (TFL): one per approved hotspot, with their members."""

from __future__ import annotations

from typing import ClassVar

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from coordination.core.bilingual import (
    CONTENT_LANGUAGES,
    OTHER,
    BilingualContent,
    Shown,
    reader_language,
)
from coordination.models import Agency, Axis, Commune
from hotspots.models import Hotspot, Phenomenon


class TwoAuthorContent(BilingualContent):
    """Bilingual content with a text written later by someone else (a resolution, a
    closure note), possibly in the other language: that text records its own language in
    the field named by ``FIELD_LANGUAGES``; ``language`` is that of the other texts.
    Readers get the same rule either way (their language if it exists, else the original
    marked with its language)."""

    FIELD_LANGUAGES: ClassVar[dict[str, str]] = {}

    class Meta:
        abstract = True

    def language_of(self, field: str) -> str:
        """The language ``field`` was written in."""
        return str(getattr(self, self.FIELD_LANGUAGES.get(field, "language")))

    def shown(self, field: str, language: str | None = None) -> Shown:
        if field not in self.FIELD_LANGUAGES:
            return super().shown(field, language)
        # BilingualContent.shown's rule, with the text's own language.
        original = getattr(self, field) or ""
        translation = getattr(self, f"{field}_translation", "") or ""
        written, wanted = self.language_of(field), reader_language(language)
        if wanted == written or not original:
            return Shown(original, written, untranslated=False)
        if wanted == OTHER.get(written) and translation:
            return Shown(translation, wanted, untranslated=False)
        return Shown(original, written, untranslated=True)


class TaskForce(models.Model):
    hotspot = models.OneToOneField(
        Hotspot, on_delete=models.PROTECT, related_name="taskforce", verbose_name=_("hotspot")
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        ordering = ["hotspot__code"]
        verbose_name = _("local task force")
        verbose_name_plural = _("local task forces")
        # Granted per person by the services, with the membership that implies them
        # (taskforces.permissions.membership_grants), or as an audited extra grant.
        permissions = [
            ("manage_members", _("Can manage the members of the task force")),
            ("edit_plan", _("Can edit the action plan of the task force")),
            ("schedule_meetings", _("Can schedule the meetings of the task force")),
            ("contribute", _("Can act on the actions of their agency in the task force")),
            ("view_police_judicial", _("Can see the police-judicial items of the task force")),
        ]

    def __str__(self) -> str:
        return str(_("Task force %(hotspot)s") % {"hotspot": self.hotspot})


class Membership(models.Model):
    class Role(models.TextChoices):
        CHAIR = "chair", _("Chair")
        COORDINATOR = "coordinator", _("Coordinator")
        MEMBER = "member", _("Member")
        OBSERVER = "observer", _("Observer")

    taskforce = models.ForeignKey(TaskForce, on_delete=models.CASCADE, related_name="memberships")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="memberships"
    )
    agency = models.ForeignKey(
        Agency, on_delete=models.PROTECT, related_name="memberships", verbose_name=_("agency")
    )
    role = models.CharField(_("role"), max_length=12, choices=Role.choices, default=Role.MEMBER)
    joined_at = models.DateTimeField(_("joined at"), auto_now_add=True)

    class Meta:
        ordering = ["taskforce", "role", "user__last_name"]
        verbose_name = _("membership")
        verbose_name_plural = _("memberships")
        constraints = [
            models.UniqueConstraint(fields=["taskforce", "user"], name="one_membership_per_user"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_role_display()}"


class AccessGrant(models.Model):
    """An object permission on a task force given beyond the memberships, by an administrator.

    For instance read access for an observer of Fedasil. The guardian permission is the
    source of truth; this row says who granted it, when and why, and keeps the history once
    revoked (a grant is never deleted).
    """

    class Perm(models.TextChoices):
        VIEW = "view_taskforce", _("Read the task force (without its police-judicial items)")
        # Only the CSIR coordinator or a member of the circle brings someone into it.
        CIRCLE = "view_police_judicial", _("See the police-judicial items (join the circle)")

    taskforce = models.ForeignKey(TaskForce, on_delete=models.PROTECT, related_name="access_grants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="access_grants"
    )
    codename = models.CharField(_("permission"), max_length=40, choices=Perm.choices)
    reason = models.CharField(_("reason"), max_length=300)
    granted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    granted_at = models.DateTimeField(_("granted at"), auto_now_add=True)
    revoked_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    revoked_at = models.DateTimeField(_("revoked at"), null=True, blank=True)

    class Meta:
        ordering = ["taskforce", "-granted_at"]
        verbose_name = _("access grant")
        verbose_name_plural = _("access grants")
        constraints = [
            models.UniqueConstraint(
                fields=["taskforce", "user", "codename"],
                condition=models.Q(revoked_at__isnull=True),
                name="one_active_grant",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_codename_display()}"


class Meeting(BilingualContent, models.Model):
    """A task-force meeting. Never deleted: a meeting that will not take place is cancelled
    (with its reason). Who is invited, excused or present is in ``MeetingParticipant``;
    the minutes live in versions (``MeetingMinutes``): ``minutes`` and
    ``minutes_translation`` here mirror the latest version, kept by the services only, so
    that feeds, reports and search read the minutes without a join."""

    TRANSLATED_FIELDS = ("place", "agenda", "minutes")

    taskforce = models.ForeignKey(
        TaskForce, on_delete=models.PROTECT, related_name="meetings", verbose_name=_("task force")
    )
    starts_at = models.DateTimeField(_("date and time"))
    place = models.CharField(_("place"), max_length=200)
    place_translation = models.CharField(_("place (translation)"), max_length=200, blank=True)
    agenda = models.TextField(_("agenda"), blank=True)
    agenda_translation = models.TextField(_("agenda (translation)"), blank=True)
    minutes = models.TextField(_("minutes"), blank=True)
    minutes_translation = models.TextField(_("minutes (translation)"), blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    cancelled_at = models.DateTimeField(_("cancelled at"), null=True, blank=True)
    cancelled_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("cancelled by"),
    )
    cancel_reason = models.TextField(_("reason for the cancellation"), blank=True)

    class Meta:
        ordering = ["-starts_at"]
        verbose_name = _("meeting")
        verbose_name_plural = _("meetings")
        indexes = [models.Index(fields=["taskforce", "starts_at"])]

    def __str__(self) -> str:
        return f"{self.taskforce.hotspot.code} {self.starts_at:%Y-%m-%d %H:%M}"

    @property
    def is_cancelled(self) -> bool:
        return self.cancelled_at is not None


class MeetingParticipant(models.Model):
    """One person's place at a meeting: invited, then excused (by themselves, before the
    meeting) or marked present by the coordinator afterwards."""

    class Status(models.TextChoices):
        INVITED = "invited", _("Invited")
        ATTENDED = "attended", _("Attended")
        EXCUSED = "excused", _("Excused")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="participants")
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="meeting_participations",
        verbose_name=_("person"),
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.INVITED
    )
    invited_at = models.DateTimeField(_("invited at"), auto_now_add=True)
    responded_at = models.DateTimeField(_("status set at"), null=True, blank=True)
    recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("recorded by"),
    )

    class Meta:
        ordering = ["meeting", "user__last_name", "user__first_name", "pk"]
        verbose_name = _("meeting participant")
        verbose_name_plural = _("meeting participants")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "user"], name="meeting_participant_once")
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.get_status_display()}"


class MeetingMinutes(BilingualContent, models.Model):
    """One version of a meeting's minutes: a draft, then final (locked). A correction of
    final minutes is the next version, so what was final stays readable as it was."""

    TRANSLATED_FIELDS = ("text",)

    class Status(models.TextChoices):
        DRAFT = "draft", _("Draft")
        FINAL = "final", _("Final")

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="minutes_versions")
    number = models.PositiveIntegerField(_("version"))
    text = models.TextField(_("minutes"), blank=True)
    text_translation = models.TextField(_("minutes (translation)"), blank=True)
    status = models.CharField(
        _("status"), max_length=8, choices=Status.choices, default=Status.DRAFT
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    finalised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("finalised by"),
    )
    finalised_at = models.DateTimeField(_("finalised at"), null=True, blank=True)

    class Meta:
        ordering = ["meeting", "number"]
        verbose_name = _("minutes version")
        verbose_name_plural = _("minutes versions")
        constraints = [
            models.UniqueConstraint(fields=["meeting", "number"], name="meeting_minutes_number"),
            # One draft at a time: two coordinators correcting at once meet here.
            models.UniqueConstraint(
                fields=["meeting"],
                condition=models.Q(status="draft"),
                name="meeting_minutes_one_draft",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.meeting} v{self.number}"


class MeetingPoint(BilingualContent, models.Model):
    """A point on a meeting's agenda. An open point moves to the next meeting: the copy
    there is the open one, this one stays as history (``carried_to``), not open."""

    TRANSLATED_FIELDS = ("title", "notes")

    meeting = models.ForeignKey(Meeting, on_delete=models.CASCADE, related_name="points")
    title = models.CharField(_("point"), max_length=300)
    title_translation = models.CharField(_("point (translation)"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True)
    notes_translation = models.TextField(_("notes (translation)"), blank=True)
    is_open = models.BooleanField(_("still open"), default=True)
    carried_from = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="carried_to",
        verbose_name=_("carried over from"),
    )

    class Meta:
        ordering = ["meeting", "id"]
        verbose_name = _("agenda point")
        verbose_name_plural = _("agenda points")
        constraints = [
            # A point moves to one later meeting only: never two open copies of it.
            models.UniqueConstraint(
                fields=["carried_from"],
                condition=models.Q(carried_from__isnull=False),
                name="meeting_point_carried_once",
            )
        ]

    def __str__(self) -> str:
        return self.title


class MeetingDecision(BilingualContent, models.Model):
    """A decision taken at a meeting, and the action it created or changed, if any.

    A decision that creates an action while the plan is with the CSIR keeps the action's
    proposal (``proposed_*``, ``action_pending``); the action is created once the plan is
    reviewed (``services.meetings.pending_actions_create``)."""

    TRANSLATED_FIELDS = ("text",)

    meeting = models.ForeignKey(Meeting, on_delete=models.PROTECT, related_name="decisions")
    text = models.TextField(_("decision"))
    text_translation = models.TextField(_("decision (translation)"), blank=True)
    action = models.ForeignKey(
        "Action",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="meeting_decisions",
        verbose_name=_("action created or changed"),
    )
    action_pending = models.BooleanField(_("action waiting for the plan"), default=False)
    proposed_axis = models.CharField(
        _("axis of the new action"), max_length=20, choices=Axis.choices, blank=True
    )
    proposed_title = models.CharField(_("title of the new action"), max_length=300, blank=True)
    proposed_lead_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("lead agency of the new action"),
    )
    proposed_due_on = models.DateField(_("due date of the new action"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    # Not stored: the action if the reader may see it, attached by ``selectors.meetings``.
    visible_action: Action | None

    class Meta:
        ordering = ["meeting", "id"]
        verbose_name = _("meeting decision")
        verbose_name_plural = _("meeting decisions")
        indexes = [
            models.Index(
                fields=["action_pending"],
                condition=models.Q(action_pending=True),
                name="decision_action_pending",
            )
        ]

    def __str__(self) -> str:
        return self.text[:80]


class ActionPlan(models.Model):
    """The task force's one living plan; its versions are submitted, validated or returned."""

    taskforce = models.OneToOneField(
        TaskForce, on_delete=models.PROTECT, related_name="plan", verbose_name=_("task force")
    )

    class Meta:
        verbose_name = _("action plan")
        verbose_name_plural = _("action plans")

    def __str__(self) -> str:
        return str(_("Action plan of %(taskforce)s") % {"taskforce": self.taskforce})


class _Version(models.Model):
    """A version of (a part of) the action plan: draft → submitted → validated or returned."""

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted to the CSIR")
        VALIDATED = "validated", _("Validated")
        RETURNED = "returned", _("Returned with comments")

    number = models.PositiveIntegerField(_("version"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.DRAFT)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_comment = models.TextField(_("CSIR comments"), blank=True)
    # The actions as they were when validated: a validated version never changes.
    snapshot = models.JSONField(_("frozen content"), null=True, blank=True)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        abstract = True

    def __str__(self) -> str:
        return f"v{self.number} ({self.get_state_display()})"


class PlanVersion(_Version):
    """A version of the plan everyone in the task force sees: its non-police-judicial actions.

    Police-judicial actions are not part of it: they form the confidential annex
    (``AnnexVersion``), so that nothing the circle does shows here (DESIGN.md §8).
    """

    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="versions")

    class Meta:
        ordering = ["plan", "-number"]
        verbose_name = _("plan version")
        verbose_name_plural = _("plan versions")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="plan_version_number"),
        ]


class AnnexVersion(_Version):
    """A version of the plan's confidential police-judicial annex, with its own cycle.

    A separate model rather than a kind of ``PlanVersion``: every reader of plan versions
    (the plan page, the overview, reports, the home page) stays blind to the annex unless it
    asks for it, through the police-judicial rule (``coordination.people.confidentiality``).
    """

    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="annex_versions")

    class Meta:
        ordering = ["plan", "-number"]
        verbose_name = _("police-judicial annex version")
        verbose_name_plural = _("police-judicial annex versions")
        constraints = [
            models.UniqueConstraint(fields=["plan", "number"], name="annex_version_number"),
        ]


class Action(BilingualContent, models.Model):
    TRANSLATED_FIELDS = ("title", "description", "deliverable")

    class Horizon(models.TextChoices):
        SHORT = "short", _("Short term")
        MEDIUM = "medium", _("Medium term")
        LONG = "long", _("Long term")

    class Status(models.TextChoices):
        PLANNED = "planned", _("Planned")
        IN_PROGRESS = "in_progress", _("In progress")
        DONE = "done", _("Done")
        BLOCKED = "blocked", _("Blocked")
        CANCELLED = "cancelled", _("Cancelled")

    class Confidentiality(models.TextChoices):
        TASKFORCE = "taskforce", _("Task force")
        POLICE_JUDICIAL = "police_judicial", _("Police-judicial")

    plan = models.ForeignKey(ActionPlan, on_delete=models.PROTECT, related_name="actions")
    axis = models.CharField(_("axis"), max_length=20, choices=Axis.choices)
    title = models.CharField(_("title"), max_length=300)
    title_translation = models.CharField(_("title (translation)"), max_length=300, blank=True)
    description = models.TextField(_("description"), blank=True)
    description_translation = models.TextField(_("description (translation)"), blank=True)
    lead_agency = models.ForeignKey(
        Agency,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="led_actions",
        verbose_name=_("lead agency"),
    )
    # The person who answers for the action: a member of the lead agency (checked by the
    # action services); the agency stays the unit that holds the permission.
    owner = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="owned_actions",
        verbose_name=_("owner"),
    )
    partner_agencies = models.ManyToManyField(
        Agency, blank=True, related_name="partner_actions", verbose_name=_("partner agencies")
    )
    start_on = models.DateField(_("start"), null=True, blank=True)
    due_on = models.DateField(_("due"), null=True, blank=True)
    horizon = models.CharField(_("horizon"), max_length=10, choices=Horizon.choices, blank=True)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.PLANNED
    )
    progress = models.PositiveSmallIntegerField(_("progress (%)"), default=0)
    deliverable = models.CharField(_("deliverable"), max_length=300, blank=True)
    deliverable_translation = models.CharField(
        _("deliverable (translation)"), max_length=300, blank=True
    )
    indicator = models.ForeignKey(
        "hotspots.IndicatorDefinition",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="actions",
        verbose_name=_("linked indicator"),
    )
    indicator_target = models.DecimalField(
        _("indicator target"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    confidentiality = models.CharField(
        _("confidentiality"),
        max_length=16,
        choices=Confidentiality.choices,
        default=Confidentiality.TASKFORCE,
    )
    # Optimistic locking: each save bumps it; a save based on an older one is refused.
    revision = models.PositiveIntegerField(default=1)
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    # Not stored: annotated or attached by ``selectors.actions`` (``with_late``, ``action_page``).
    is_late: bool

    class Meta:
        # change_action goes to the group of the lead agency, comment_action to the groups
        # of the partner agencies, as the action is created or changed.
        permissions = [("comment_action", _("Can post on the timeline of the action"))]
        ordering = ["plan", "axis", "due_on", "id"]
        verbose_name = _("action")
        verbose_name_plural = _("actions")
        constraints = [
            models.CheckConstraint(
                condition=models.Q(progress__lte=100), name="action_progress_percent"
            ),
        ]
        indexes = [
            models.Index(fields=["plan", "status"]),
            models.Index(fields=["lead_agency", "status"]),
        ]

    def __str__(self) -> str:
        return self.title


class ActionUpdate(BilingualContent, models.Model):
    """One dated entry on an action's timeline: a status or progress change, or a note."""

    TRANSLATED_FIELDS = ("comment",)

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="updates")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"), auto_now_add=True, db_index=True)
    old_status = models.CharField(max_length=12, choices=Action.Status.choices, blank=True)
    new_status = models.CharField(max_length=12, choices=Action.Status.choices, blank=True)
    progress = models.PositiveSmallIntegerField(null=True, blank=True)
    comment = models.TextField(_("comment"), blank=True)
    comment_translation = models.TextField(_("comment (translation)"), blank=True)
    confidentiality = models.CharField(
        _("confidentiality"),
        max_length=16,
        choices=Action.Confidentiality.choices,
        default=Action.Confidentiality.TASKFORCE,
    )

    class Meta:
        ordering = ["action", "-at", "-id"]
        verbose_name = _("action update")
        verbose_name_plural = _("action updates")
        indexes = [
            # An action's updates of a window and its latest one, with what the rule needs
            # (the axis balance, selectors/balance.py): read from the index alone.
            models.Index(
                fields=["action", "at", "confidentiality"],
                name="actionupdate_action_at",
            )
        ]

    def __str__(self) -> str:
        return f"{self.action} {self.at:%Y-%m-%d}"


class Escalation(TwoAuthorContent, models.Model):
    """A blocked action escalated to the CSIR, and how the CSIR resolved it.

    Two authors, possibly in two languages: ``language`` is the language of the reason
    (written by the task force), ``resolution_language`` that of the resolution (written
    by the CSIR). Each text is translated into the other language of its own; a reader's
    rule stays the same (their language if it exists, else the original, marked).
    """

    TRANSLATED_FIELDS = ("reason", "resolution")
    FIELD_LANGUAGES = {"resolution": "resolution_language"}

    action = models.ForeignKey(Action, on_delete=models.PROTECT, related_name="escalations")
    reason = models.TextField(_("reason"))
    reason_translation = models.TextField(_("reason (translation)"), blank=True)
    raised_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    raised_at = models.DateTimeField(_("raised at"), auto_now_add=True)
    resolution = models.TextField(_("resolution"), blank=True)
    resolution_language = models.CharField(
        _("language of the resolution"),
        max_length=2,
        choices=CONTENT_LANGUAGES,
        default="fr",
        help_text=_("The language the resolution was written in."),
    )
    resolution_translation = models.TextField(_("resolution (translation)"), blank=True)
    resolved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    resolved_at = models.DateTimeField(_("resolved at"), null=True, blank=True)

    class Meta:
        ordering = ["-raised_at"]
        verbose_name = _("escalation")
        verbose_name_plural = _("escalations")

    def __str__(self) -> str:
        return f"{self.action} ({self.raised_at:%Y-%m-%d})"


# --- Displacement: a phenomenon moving from a hotspot, routed to the task forces near ---


class DisplacementReport(TwoAuthorContent, models.Model):
    """A phenomenon seen moving from a hotspot to another place, followed up to closure.

    ``language`` is the language of the place (the reporter's), ``closure_note_language``
    that of the closure note (the CSIR's, who may write in the other language).
    """

    TRANSLATED_FIELDS = ("place", "closure_note")
    FIELD_LANGUAGES = {"closure_note": "closure_note_language"}

    class Severity(models.TextChoices):
        LOW = "low", _("Low")
        MEDIUM = "medium", _("Medium")
        HIGH = "high", _("High")

    class Status(models.TextChoices):
        OPEN = "open", _("Open")
        FOLLOWED_UP = "followed_up", _("Being followed up")
        CLOSED = "closed", _("Closed")

    from_hotspot = models.ForeignKey(
        Hotspot,
        on_delete=models.PROTECT,
        related_name="displacements_from",
        verbose_name=_("from the hotspot"),
    )
    phenomenon = models.CharField(_("phenomenon"), max_length=20, choices=Phenomenon.choices)
    commune = models.ForeignKey(
        Commune,
        on_delete=models.PROTECT,
        related_name="displacements_to",
        verbose_name=_("to the commune"),
    )
    place = models.CharField(_("place"), max_length=300)
    place_translation = models.CharField(_("place (translation)"), max_length=300, blank=True)
    lon = models.FloatField(_("longitude"), null=True, blank=True)
    lat = models.FloatField(_("latitude"), null=True, blank=True)
    observed_on = models.DateField(_("observed on"))
    severity = models.CharField(_("severity"), max_length=10, choices=Severity.choices)
    status = models.CharField(
        _("status"), max_length=12, choices=Status.choices, default=Status.OPEN
    )
    reported_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reported_at = models.DateTimeField(_("reported at"), auto_now_add=True)
    # The task forces it was routed to when reported, each with the distance and the reason
    # (DisplacementRouting), so a later change of hotspots does not change who follows it up.
    routed_to: models.ManyToManyField[TaskForce, DisplacementRouting] = models.ManyToManyField(
        TaskForce,
        blank=True,
        through="DisplacementRouting",
        related_name="displacements",
        verbose_name=_("routed to"),
    )
    # The reach in force when it was routed (settings.DISPLACEMENT_ROUTING_METRES); empty
    # for the reports routed by commune before routing by distance.
    routing_reach_m = models.PositiveIntegerField(_("routing reach (m)"), null=True, blank=True)
    closed_at = models.DateTimeField(_("closed at"), null=True, blank=True)
    closure_note = models.TextField(_("closure note"), blank=True)
    closure_note_language = models.CharField(
        _("language of the closure note"),
        max_length=2,
        choices=CONTENT_LANGUAGES,
        default="fr",
        help_text=_("The language the closure note was written in."),
    )
    closure_note_translation = models.TextField(_("closure note (translation)"), blank=True)

    class Meta:
        ordering = ["-reported_at"]
        verbose_name = _("displacement report")
        verbose_name_plural = _("displacement reports")

    def __str__(self) -> str:
        return f"{self.from_hotspot.code} → {self.place}"


class DisplacementRouting(models.Model):
    """One task force a displacement report reached, why, and how far its hotspot lies.

    The field names are those of the table Django made for ``routed_to`` before it had a
    through model, so queries on ``routed_to.through`` keep working.
    """

    class Reason(models.TextChoices):
        NEARBY = "nearby", _("its hotspot lies within reach of the place")
        ORIGIN = "origin", _("task force of the hotspot it was reported from")
        COMMUNE = "commune", _("same or neighbouring commune (routed before distances)")

    displacementreport = models.ForeignKey(
        DisplacementReport,
        on_delete=models.CASCADE,
        related_name="routings",
        verbose_name=_("displacement report"),
    )
    taskforce = models.ForeignKey(
        TaskForce, on_delete=models.PROTECT, related_name="+", verbose_name=_("task force")
    )
    reason = models.CharField(_("reason"), max_length=10, choices=Reason.choices)
    # Metres from the reported place (or the destination commune's edge when no point was
    # given) to the hotspot's perimeter (or its communes when it has none); rounded up.
    distance_m = models.PositiveIntegerField(_("distance (m)"), null=True, blank=True)

    class Meta:
        ordering = ["displacementreport", "taskforce__hotspot__code"]
        verbose_name = _("routing of a displacement report")
        verbose_name_plural = _("routings of displacement reports")
        constraints = [
            models.UniqueConstraint(
                fields=["displacementreport", "taskforce"], name="displacement_routed_once"
            )
        ]

    def __str__(self) -> str:
        return f"{self.displacementreport_id} → {self.taskforce_id}"


class DisplacementFollowUp(BilingualContent, models.Model):
    TRANSLATED_FIELDS = ("text",)

    report = models.ForeignKey(
        DisplacementReport, on_delete=models.PROTECT, related_name="follow_ups"
    )
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    at = models.DateTimeField(_("when"), auto_now_add=True)
    text = models.TextField(_("follow-up"))
    text_translation = models.TextField(_("follow-up (translation)"), blank=True)

    class Meta:
        ordering = ["report", "at"]
        verbose_name = _("follow-up")
        verbose_name_plural = _("follow-ups")

    def __str__(self) -> str:
        return f"{self.report} {self.at:%Y-%m-%d}"


# --- What worked where: the evaluation of an ended action -----------------------------


class DrugMarket(models.TextChoices):
    """The kind of drug market an action worked in: what makes a practice transferable."""

    OPEN_CRACK_SCENE = "open_crack_scene", _("Open crack scene")
    COCAINE_SELLING_POINT = "cocaine_point", _("Cocaine selling point")
    CANNABIS_STREET = "cannabis_street", _("Cannabis street dealing")
    PREMISES = "premises", _("Dealing from premises or homes")
    DELIVERY = "delivery", _("Online-ordered delivery")
    MIXED = "mixed", _("Mixed market")


class ActionEvaluation(models.Model):
    """What an ended action achieved, as its task force recorded it: one per action.

    Its content lives in numbered versions (``EvaluationVersion``) so that a revision
    keeps what was submitted and validated before; nothing here is ever deleted. Who may
    see it is who may see the action (the police-judicial rule included).
    """

    action = models.OneToOneField(
        Action, on_delete=models.PROTECT, related_name="evaluation", verbose_name=_("action")
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)

    class Meta:
        verbose_name = _("action evaluation")
        verbose_name_plural = _("action evaluations")

    def __str__(self) -> str:
        # The audit sentences say "the evaluation of the action …".
        return str(self.action)


class EvaluationVersion(TwoAuthorContent, models.Model):
    """One version of an evaluation: draft → submitted → validated by the CSIR coordinator,
    or returned with a comment. A validated version is frozen; revising it opens the next
    version, and the validated one stays in the library until the next is validated
    (``superseded_at``). ``language`` is that of the task force's texts,
    ``review_comment_language`` that of the CSIR's comment."""

    TRANSLATED_FIELDS = ("mechanism", "context_notes", "implementation_notes", "review_comment")
    FIELD_LANGUAGES = {"review_comment": "review_comment_language"}

    class State(models.TextChoices):
        DRAFT = "draft", _("Draft")
        SUBMITTED = "submitted", _("Submitted to the CSIR")
        VALIDATED = "validated", _("Validated")
        RETURNED = "returned", _("Returned with comments")

    class Effect(models.TextChoices):
        CLEAR = "clear", _("Clear improvement")
        SOME = "some", _("Some improvement")
        NONE = "none", _("No visible effect")
        WORSE = "worse", _("Worse")
        TOO_EARLY = "too_early", _("Too early to tell")

    evaluation = models.ForeignKey(
        ActionEvaluation, on_delete=models.PROTECT, related_name="versions"
    )
    number = models.PositiveIntegerField(_("version"))
    state = models.CharField(_("state"), max_length=12, choices=State.choices, default=State.DRAFT)
    effect = models.CharField(_("effect observed"), max_length=12, choices=Effect.choices)
    mechanism = models.TextField(_("mechanism"))
    mechanism_translation = models.TextField(_("mechanism (translation)"), blank=True)
    market = models.CharField(_("kind of drug market"), max_length=20, choices=DrugMarket.choices)
    context_notes = models.TextField(_("context"), blank=True)
    context_notes_translation = models.TextField(_("context (translation)"), blank=True)
    implementation_notes = models.TextField(_("implementation notes"), blank=True)
    implementation_notes_translation = models.TextField(
        _("implementation notes (translation)"), blank=True
    )
    cost_eur = models.DecimalField(
        _("cost (EUR)"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    person_days = models.DecimalField(
        _("person-days"), max_digits=8, decimal_places=1, null=True, blank=True
    )
    indicators = models.ManyToManyField(
        "hotspots.IndicatorDefinition",
        blank=True,
        related_name="+",
        verbose_name=_("indicators behind it"),
    )
    written_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(_("created at"), auto_now_add=True)
    updated_at = models.DateTimeField(_("updated at"), auto_now=True)
    submitted_at = models.DateTimeField(_("submitted at"), null=True, blank=True)
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    review_comment = models.TextField(_("CSIR comments"), blank=True)
    review_comment_language = models.CharField(
        _("language of the CSIR comments"),
        max_length=2,
        choices=CONTENT_LANGUAGES,
        default="fr",
        help_text=_("The language the comments were written in."),
    )
    review_comment_translation = models.TextField(_("CSIR comments (translation)"), blank=True)
    superseded_at = models.DateTimeField(_("superseded at"), null=True, blank=True)

    class Meta:
        ordering = ["evaluation", "-number"]
        verbose_name = _("evaluation version")
        verbose_name_plural = _("evaluation versions")
        constraints = [
            models.UniqueConstraint(
                fields=["evaluation", "number"], name="evaluation_version_number"
            ),
            # One version being written or reviewed at a time: two authors meet here.
            models.UniqueConstraint(
                fields=["evaluation"],
                condition=models.Q(state__in=["draft", "submitted", "returned"]),
                name="evaluation_one_open_version",
            ),
            # The library shows one validated version per evaluation.
            models.UniqueConstraint(
                fields=["evaluation"],
                condition=models.Q(state="validated", superseded_at__isnull=True),
                name="evaluation_one_current_validated",
            ),
            models.CheckConstraint(
                condition=models.Q(cost_eur__isnull=True) | models.Q(cost_eur__gte=0),
                name="evaluation_cost_not_negative",
            ),
            models.CheckConstraint(
                condition=models.Q(person_days__isnull=True) | models.Q(person_days__gte=0),
                name="evaluation_person_days_not_negative",
            ),
        ]
        indexes = [models.Index(fields=["state", "market"])]

    def __str__(self) -> str:
        return f"{self.evaluation} v{self.number} ({self.get_state_display()})"

    @property
    def is_open(self) -> bool:
        return self.state != self.State.VALIDATED


class EvaluationPhenomenon(models.Model):
    """A phenomenon an evaluated action addressed (one row each, so the library filters
    on it the same way on every database)."""

    version = models.ForeignKey(
        EvaluationVersion, on_delete=models.CASCADE, related_name="phenomena"
    )
    phenomenon = models.CharField(_("phenomenon"), max_length=20, choices=Phenomenon.choices)

    class Meta:
        ordering = ["version", "phenomenon"]
        verbose_name = _("phenomenon addressed")
        verbose_name_plural = _("phenomena addressed")
        constraints = [
            models.UniqueConstraint(
                fields=["version", "phenomenon"], name="evaluation_phenomenon_once"
            )
        ]

    def __str__(self) -> str:
        return self.get_phenomenon_display()
