"""Writes on task-force meetings: scheduling, invitations, attendance, minutes (versions),
cancellation, open points (carried over), decisions (and their pending actions)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.audit import services as audit
from coordination.core import bounds
from coordination.models import User
from taskforces import notifications
from taskforces.models import (
    Action,
    ActionPlan,
    Meeting,
    MeetingDecision,
    MeetingMinutes,
    MeetingParticipant,
    MeetingPoint,
    PlanVersion,
    TaskForce,
)
from taskforces.permissions import access_for
from taskforces.selectors.plans import current_version, plan_of
from taskforces.services.actions import POLICE_JUDICIAL, action_create
from taskforces.services.translations import content_language

Participation = MeetingParticipant.Status
MinutesStatus = MeetingMinutes.Status

# --- Meetings -------------------------------------------------------------------------


def _require_scheduler(taskforce: TaskForce, by: User) -> None:
    """Meetings, minutes, points and decisions are kept by the chair, the coordinator and
    the CSIR: every service checks its actor, whoever calls it."""
    if not access_for(by, taskforce).can_schedule:
        raise PermissionDenied


def _require_not_cancelled(meeting: Meeting) -> None:
    if meeting.cancelled_at is not None:
        raise ValidationError(_("This meeting was cancelled; it can no longer change."))


def _lock(meeting: Meeting) -> Meeting:
    """The meeting row, locked: two coordinators at once wait for each other."""
    locked = Meeting.objects.select_for_update().get(pk=meeting.pk)
    # Keep the caller's task force object (and the access cached on it).
    locked.taskforce = meeting.taskforce
    return locked


def _members(taskforce: TaskForce) -> list[User]:
    return list(
        User.objects.filter(is_active=True, memberships__taskforce=taskforce)
        .distinct()
        .order_by("pk")
    )


@transaction.atomic
def meeting_create(
    *,
    taskforce: TaskForce,
    by: User,
    starts_at: dt.datetime,
    place: str,
    agenda: str = "",
    language: str | None = None,
    invitees: Iterable[User] | None = None,
) -> Meeting:
    """Schedule a meeting: the open points move to it, ``invitees`` (default: every active
    member) are invited and, if the meeting is still to come, told by e-mail with its
    calendar invitation."""
    _require_scheduler(taskforce, by)
    bounds.check_date(starts_at, bounds.MEETING)
    meeting = Meeting.objects.create(
        taskforce=taskforce,
        starts_at=starts_at,
        place=place,
        agenda=agenda,
        language=content_language(language),
        created_by=by,
    )
    carried = _carry_open_points(meeting)
    people = _members(taskforce) if invitees is None else list(invitees)
    invited = _invite(meeting, people, by=by)
    audit.record(
        actor=by,
        action="meeting.create",
        target=meeting,
        changes={
            "starts_at": starts_at,
            "place": place,
            "language": meeting.language,
            "carried_points": len(carried),
            "invited": sorted(person.username for person in invited),
        },
    )
    notifications.meeting_scheduled(meeting, invited)
    return meeting


def _invite(meeting: Meeting, people: list[User], *, by: User) -> list[User]:
    """Add ``people`` (members of the task force) as invited; returns those newly added."""
    member_ids = set(meeting.taskforce.memberships.values_list("user_id", flat=True))
    if any(person.pk not in member_ids for person in people):
        raise ValidationError(_("Only members of the task force can be invited."))
    already = set(meeting.participants.values_list("user_id", flat=True))
    new = [person for person in people if person.pk not in already]
    MeetingParticipant.objects.bulk_create(
        MeetingParticipant(meeting=meeting, user=person, recorded_by=by) for person in new
    )
    return new


@transaction.atomic
def meeting_invite(*, meeting: Meeting, by: User, people: Iterable[User]) -> list[User]:
    """Invite more members to a meeting still to come; they get the invitation."""
    _require_scheduler(meeting.taskforce, by)
    meeting = _lock(meeting)
    _require_not_cancelled(meeting)
    if meeting.starts_at <= timezone.now():
        raise ValidationError(_("The meeting has begun; invitations are closed."))
    invited = _invite(meeting, list(people), by=by)
    if invited:
        audit.record(
            actor=by,
            action="meeting.invite",
            target=meeting,
            changes={"invited": sorted(person.username for person in invited)},
        )
        notifications.meeting_scheduled(meeting, invited)
    return invited


MEETING_FIELDS = [
    "starts_at",
    "place",
    "agenda",
    "minutes",
    # The language of the texts and their translations, audited like the rest.
    "language",
    *(f"{name}_translation" for name in Meeting.TRANSLATED_FIELDS),
]
# A change of these sends the participants the updated invitation.
MOVING_FIELDS = ("starts_at", "place")


@transaction.atomic
def meeting_update(
    *, meeting: Meeting, by: User, attendees: Iterable[User] | None = None, **fields: Any
) -> Meeting:
    """Change the date, place, agenda or the draft minutes, and record who attended.

    A new date or place of a meeting still to come sends the participants an updated
    invitation (its SEQUENCE grows with each audited change). Minutes go into their draft
    version (:func:`minutes_save`): final minutes refuse the change.
    """
    _require_scheduler(meeting.taskforce, by)
    unknown = set(fields) - set(MEETING_FIELDS)
    assert not unknown, f"not editable here: {unknown}"
    meeting = _lock(meeting)
    minutes = {
        name: fields.pop(name) for name in ("minutes", "minutes_translation") if name in fields
    }
    if "starts_at" in fields and fields["starts_at"] != meeting.starts_at:
        # A meeting stored before the bounds existed keeps its date when only its minutes
        # or attendance change.
        bounds.check_date(fields["starts_at"], bounds.MEETING)
    if "language" in fields and not fields["language"]:
        del fields["language"]  # not sent: the texts keep their language
    if "language" in fields:
        fields["language"] = content_language(fields["language"])
    changed = [name for name, value in fields.items() if getattr(meeting, name) != value]
    changes: dict[str, Any] = {}
    if changed:
        _require_not_cancelled(meeting)
        before = audit.snapshot(meeting, changed)
        for name in changed:
            setattr(meeting, name, fields[name])
        meeting.save(update_fields=changed)
        changes = audit.diff(before, audit.snapshot(meeting, changed))
    if changes:
        audit.record(actor=by, action="meeting.update", target=meeting, changes=changes)
        if set(changes) & set(MOVING_FIELDS) and meeting.starts_at > timezone.now():
            notifications.meeting_moved(meeting)
    if minutes:
        text = minutes.get("minutes", meeting.minutes)
        translation = minutes.get("minutes_translation", meeting.minutes_translation)
        if (text, translation) != (meeting.minutes, meeting.minutes_translation):
            minutes_save(meeting=meeting, by=by, text=text, text_translation=translation)
    if attendees is not None:
        meeting_attendance_set(meeting=meeting, by=by, attended=attendees)
    return meeting


@transaction.atomic
def meeting_cancel(*, meeting: Meeting, by: User, reason: str) -> Meeting:
    """Cancel a meeting, with its reason; it stays on record (never deleted) and the
    participants get the cancellation (and a calendar CANCEL). Whatever its date: a
    meeting stored with an implausible date can always be cancelled."""
    _require_scheduler(meeting.taskforce, by)
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why the meeting is cancelled."))
    meeting = _lock(meeting)
    _require_not_cancelled(meeting)
    meeting.cancelled_at = timezone.now()
    meeting.cancelled_by = by
    meeting.cancel_reason = reason
    meeting.save(update_fields=["cancelled_at", "cancelled_by", "cancel_reason"])
    audit.record(actor=by, action="meeting.cancel", target=meeting, changes={"reason": reason})
    notifications.meeting_cancelled(meeting)
    return meeting


# --- Participants --------------------------------------------------------------------


@transaction.atomic
def meeting_attendance_set(
    *, meeting: Meeting, by: User, attended: Iterable[User]
) -> list[MeetingParticipant]:
    """Record who attended, once the meeting has begun: the people ticked attended (a
    member who came uninvited is added), the others keep "invited" or "excused"."""
    _require_scheduler(meeting.taskforce, by)
    meeting = _lock(meeting)
    _require_not_cancelled(meeting)
    people = list(attended)
    member_ids = set(meeting.taskforce.memberships.values_list("user_id", flat=True))
    if any(person.pk not in member_ids for person in people):
        raise ValidationError(_("Only members of the task force can be marked present."))
    if people and meeting.starts_at > timezone.now():
        raise ValidationError(_("Attendance is recorded once the meeting has taken place."))
    now = timezone.now()
    present = {person.pk for person in people}
    rows = {row.user_id: row for row in meeting.participants.select_for_update()}
    old = sorted(uid for uid, row in rows.items() if row.status == Participation.ATTENDED)
    for person in people:
        if person.pk not in rows:
            rows[person.pk] = MeetingParticipant.objects.create(
                meeting=meeting, user=person, status=Participation.INVITED, recorded_by=by
            )
    changed = []
    for uid, row in rows.items():
        if uid in present and row.status != Participation.ATTENDED:
            row.status = Participation.ATTENDED
        elif uid not in present and row.status == Participation.ATTENDED:
            row.status = Participation.INVITED
        else:
            continue
        row.responded_at, row.recorded_by = now, by
        row.save(update_fields=["status", "responded_at", "recorded_by"])
        changed.append(row)
    new = sorted(present)
    if old != new:
        names = dict(User.objects.filter(pk__in=[*old, *new]).values_list("pk", "username"))
        audit.record(
            actor=by,
            action="meeting.attendance",
            target=meeting,
            changes={
                "attendees": [sorted(names[uid] for uid in old), sorted(names[uid] for uid in new)]
            },
        )
    return changed


@transaction.atomic
def meeting_excuse(*, meeting: Meeting, by: User) -> MeetingParticipant:
    """``by`` sends their apologies for a meeting still to come (a member not invited may
    too)."""
    meeting = _lock(meeting)
    _require_not_cancelled(meeting)
    if not meeting.taskforce.memberships.filter(user=by).exists():
        raise PermissionDenied
    if meeting.starts_at <= timezone.now():
        raise ValidationError(_("The meeting has begun; apologies are sent before it."))
    row, _created = MeetingParticipant.objects.select_for_update().get_or_create(
        meeting=meeting, user=by, defaults={"recorded_by": by}
    )
    if row.status != Participation.EXCUSED:
        before = row.status
        row.status, row.responded_at, row.recorded_by = Participation.EXCUSED, timezone.now(), by
        row.save(update_fields=["status", "responded_at", "recorded_by"])
        audit.record(
            actor=by,
            action="meeting.excuse",
            target=meeting,
            changes={"person": by.username, "status": [before, Participation.EXCUSED]},
        )
    return row


# --- Minutes ---------------------------------------------------------------------------


def _latest_minutes(meeting: Meeting) -> MeetingMinutes | None:
    return (
        MeetingMinutes.objects.select_for_update()
        .filter(meeting=meeting)
        .order_by("-number")
        .first()
    )


def _mirror(meeting: Meeting, version: MeetingMinutes) -> None:
    meeting.minutes, meeting.minutes_translation = version.text, version.text_translation
    Meeting.objects.filter(pk=meeting.pk).update(
        minutes=version.text, minutes_translation=version.text_translation
    )


@transaction.atomic
def minutes_save(
    *,
    meeting: Meeting,
    by: User,
    text: str,
    text_translation: str | None = None,
    language: str | None = None,
) -> MeetingMinutes:
    """Write the draft minutes (version 1 is opened with the first text). Final minutes
    are locked: the change is refused; :func:`minutes_correct` opens the next version."""
    _require_scheduler(meeting.taskforce, by)
    meeting = _lock(meeting)
    version = _latest_minutes(meeting)
    if version is not None and version.status == MinutesStatus.FINAL:
        raise ValidationError(
            _(
                "Version %(number)s of the minutes is final and can no longer change; "
                "start a correction to write a new version."
            )
            % {"number": version.number}
        )
    if version is None:
        version = MeetingMinutes(
            meeting=meeting,
            number=1,
            created_by=by,
            language=content_language(language or meeting.language),
        )
    before = {"text": version.text, "text_translation": version.text_translation}
    version.text = text
    if text_translation is not None:
        version.text_translation = text_translation
    if language:
        version.language = content_language(language)
    version.save()
    _mirror(meeting, version)
    changes = audit.diff(
        before, {"text": version.text, "text_translation": version.text_translation}
    )
    if changes:
        audit.record(
            actor=by,
            action="meeting.minutes_save",
            target=meeting,
            changes={"version": version.number, **changes},
        )
    return version


@transaction.atomic
def minutes_finalise(*, meeting: Meeting, by: User) -> MeetingMinutes:
    """Make the draft minutes final: from now on they are locked."""
    _require_scheduler(meeting.taskforce, by)
    meeting = _lock(meeting)
    version = _latest_minutes(meeting)
    if version is None or version.status != MinutesStatus.DRAFT:
        raise ValidationError(_("There is no draft of the minutes to finalise."))
    if not version.text.strip():
        raise ValidationError(_("Write the minutes before making them final."))
    version.status = MinutesStatus.FINAL
    version.finalised_by, version.finalised_at = by, timezone.now()
    version.save(update_fields=["status", "finalised_by", "finalised_at"])
    audit.record(
        actor=by,
        action="meeting.minutes_finalise",
        target=meeting,
        changes={"version": version.number, "status": [MinutesStatus.DRAFT, MinutesStatus.FINAL]},
    )
    return version


@transaction.atomic
def minutes_correct(*, meeting: Meeting, by: User) -> MeetingMinutes:
    """Start a correction of the final minutes: a new draft version, from their text."""
    _require_scheduler(meeting.taskforce, by)
    meeting = _lock(meeting)
    final = _latest_minutes(meeting)
    if final is None or final.status != MinutesStatus.FINAL:
        raise ValidationError(_("Only final minutes are corrected; edit the draft instead."))
    version = MeetingMinutes.objects.create(
        meeting=meeting,
        number=final.number + 1,
        text=final.text,
        text_translation=final.text_translation,
        language=final.language,
        created_by=by,
    )
    audit.record(
        actor=by,
        action="meeting.minutes_correct",
        target=meeting,
        changes={"version": version.number, "corrects": final.number},
    )
    return version


# --- Points ----------------------------------------------------------------------------


def _carry_open_points(meeting: Meeting) -> list[MeetingPoint]:
    """Move every open point of the earlier meetings into ``meeting``.

    A point lives open in one meeting at a time: its copy here is the open one, the
    earlier copy stays as history (closed, ``carried_to`` this copy). The rows are locked
    and a unique constraint on ``carried_from`` guards the rest: two meetings scheduled at
    once cannot both take the same point.
    """
    points = list(
        MeetingPoint.objects.select_for_update(of=("self",))
        .filter(
            meeting__taskforce=meeting.taskforce,
            meeting__starts_at__lt=meeting.starts_at,
            is_open=True,
        )
        .exclude(meeting=meeting)
        .order_by("meeting__starts_at", "pk")
    )
    return [_move(point, meeting) for point in points]


def _move(point: MeetingPoint, meeting: Meeting) -> MeetingPoint:
    copy = MeetingPoint.objects.create(
        meeting=meeting,
        title=point.title,
        title_translation=point.title_translation,
        notes=point.notes,
        notes_translation=point.notes_translation,
        language=point.language,
        is_open=True,
        carried_from=point,
    )
    point.is_open = False
    point.save(update_fields=["is_open"])
    return copy


@transaction.atomic
def meeting_point_carry(*, point: MeetingPoint, by: User, to: Meeting) -> MeetingPoint:
    """Move an open point to a later meeting of the same task force (once only)."""
    _require_scheduler(point.meeting.taskforce, by)
    point = MeetingPoint.objects.select_for_update().select_related("meeting").get(pk=point.pk)
    if to.taskforce_id != point.meeting.taskforce_id or to.starts_at <= point.meeting.starts_at:
        raise ValidationError(_("A point moves to a later meeting of the same task force."))
    if to.cancelled_at is not None:
        raise ValidationError(_("This meeting was cancelled; it can no longer change."))
    if not point.is_open or point.carried_to.exists():
        raise ValidationError(
            _("This point is no longer open here: it was closed or carried over already.")
        )
    try:
        with transaction.atomic():
            copy = _move(point, to)
    except IntegrityError as error:
        raise ValidationError(_("This point was carried over already.")) from error
    audit.record(actor=by, action="meeting.point_carry", target=to, changes={"point": point.title})
    return copy


@transaction.atomic
def meeting_point_add(
    *, meeting: Meeting, by: User, title: str, notes: str = "", language: str | None = None
) -> MeetingPoint:
    _require_scheduler(meeting.taskforce, by)
    _require_not_cancelled(meeting)
    point = MeetingPoint.objects.create(
        meeting=meeting, title=title, notes=notes, language=content_language(language)
    )
    audit.record(actor=by, action="meeting.point_add", target=meeting, changes={"point": title})
    return point


@transaction.atomic
def meeting_point_set_open(*, point: MeetingPoint, by: User, is_open: bool) -> MeetingPoint:
    """Close or reopen a point where it is open now. Its earlier copies are history: a
    point carried over is closed (or reopened) in the meeting it moved to, and closing
    it there closes it for good."""
    _require_scheduler(point.meeting.taskforce, by)
    point = MeetingPoint.objects.select_for_update().select_related("meeting").get(pk=point.pk)
    if point.carried_to.exists():
        raise ValidationError(
            _("This point was carried over to a later meeting: close or reopen it there.")
        )
    if point.is_open != is_open:
        point.is_open = is_open
        point.save(update_fields=["is_open"])
        audit.record(
            actor=by,
            action="meeting.point_open" if is_open else "meeting.point_close",
            target=point.meeting,
            changes={"point": point.title},
        )
    return point


# --- Decisions -------------------------------------------------------------------------


def _plan_takes_actions(plan: ActionPlan) -> bool:
    """Whether the plan takes a new action now (not while the CSIR reviews a version)."""
    return current_version(plan).state != PlanVersion.State.SUBMITTED


@transaction.atomic
def meeting_decision_add(
    *,
    meeting: Meeting,
    by: User,
    text: str,
    action: Action | None = None,
    new_action: dict[str, Any] | None = None,
    language: str | None = None,
) -> MeetingDecision:
    """Record a decision, linked to the action it changes or to a new action it creates.

    While the plan is with the CSIR (a submitted version takes no change) the decision is
    kept with its action as a *pending* proposal, created when the plan is reviewed
    (:func:`pending_actions_create`): the text is never lost.
    """
    _require_scheduler(meeting.taskforce, by)
    if not text.strip():
        raise ValidationError(_("Write the decision."))
    if action is not None and action.plan.taskforce_id != meeting.taskforce_id:
        raise ValidationError(_("The action belongs to another task force."))
    language = content_language(language)
    proposal: dict[str, Any] = {}
    if new_action:
        # The new action's title is written at the same time, in the same language.
        new_action = {"language": language, **new_action}
        plan = plan_of(meeting.taskforce)
        if _plan_takes_actions(plan):
            action = action_create(plan=plan, by=by, **new_action)
        else:
            proposal = {
                "action_pending": True,
                "proposed_axis": new_action["axis"],
                "proposed_title": new_action["title"],
                "proposed_lead_agency": new_action.get("lead_agency"),
                "proposed_due_on": new_action.get("due_on"),
            }
            if proposal["proposed_due_on"] is not None:
                bounds.check_date(proposal["proposed_due_on"], bounds.ACTION)
    decision = MeetingDecision.objects.create(
        meeting=meeting,
        text=text.strip(),
        language=language,
        action=action,
        created_by=by,
        **proposal,
    )
    changes: dict[str, Any] = {"decision": decision.text, "action": action.pk if action else None}
    if proposal:
        changes["pending_action"] = decision.proposed_title
    audit.record(
        actor=by,
        action="meeting.decision",
        target=meeting,
        changes=changes,
        police_judicial=bool(action and action.confidentiality == POLICE_JUDICIAL),
    )
    return decision


def _proposal(decision: MeetingDecision) -> dict[str, Any]:
    fields: dict[str, Any] = {
        "axis": decision.proposed_axis,
        "title": decision.proposed_title,
        "language": decision.language,
    }
    if decision.proposed_lead_agency_id:
        fields["lead_agency"] = decision.proposed_lead_agency
    if decision.proposed_due_on:
        fields["due_on"] = decision.proposed_due_on
    return fields


@transaction.atomic
def pending_actions_create(*, plan: ActionPlan, by: User | None = None) -> list[Action]:
    """Create the actions that meeting decisions proposed while the plan was under review.

    Called by the plan's review step (validated or returned) with ``by=None``: each action
    is then created in the name of the person who recorded the decision, with their rights
    (one who lost them leaves it pending for the coordinator's button). A coordinator who
    presses "create the pending actions" passes ``by``. Nothing happens while the plan is
    still with the CSIR.
    """
    if by is not None and not access_for(by, plan.taskforce).can_edit_plan:
        raise PermissionDenied
    if not _plan_takes_actions(plan):
        if by is not None:
            raise ValidationError(
                _("The plan is with the CSIR for review; it can change again once reviewed.")
            )
        return []
    decisions = list(
        MeetingDecision.objects.select_for_update(of=("self",))
        .filter(meeting__taskforce=plan.taskforce, action_pending=True)
        .select_related("created_by", "proposed_lead_agency", "meeting")
        .order_by("pk")
    )
    created = []
    for decision in decisions:
        author = by or decision.created_by
        try:
            with transaction.atomic():
                action = action_create(plan=plan, by=author, **_proposal(decision))
        except (PermissionDenied, ValidationError):
            if by is not None:
                raise
            continue  # left pending: the coordinator creates it with the button
        decision.action, decision.action_pending = action, False
        decision.save(update_fields=["action", "action_pending"])
        audit.record(
            actor=author,
            action="meeting.pending_action",
            target=decision.meeting,
            changes={"decision": decision.pk, "action": action.pk},
        )
        created.append(action)
    return created
