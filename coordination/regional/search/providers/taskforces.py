"""The task forces' items in the search: actions, timeline notes, meetings, agenda points
and meeting decisions.

Who sees what is ``taskforces.permissions``: the task forces one sees
(``visible_taskforces``), the actions one sees across them with the police-judicial rule
(``cross_taskforce_action_filter``), and for a timeline note also its own
confidentiality, through the circle of task forces (``circle_taskforces``) and the one
rule of ``coordination.people.confidentiality``.
"""

from __future__ import annotations

from typing import Any

from django.db.models import Q, QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coordination.core import dates
from coordination.models import User
from coordination.people import confidentiality
from coordination.regional.search.selectors import Provider, once, register
from taskforces import permissions
from taskforces.models import Action, ActionUpdate, Meeting, MeetingDecision, MeetingPoint


def _action_condition(user: User) -> Q:
    return once(user, "actions", permissions.cross_taskforce_action_filter)


def _circle(user: User) -> QuerySet[Any]:
    return once(user, "circle", lambda user: permissions.circle_taskforces(user).values("pk"))


def _visible_actions(user: User) -> QuerySet[Action]:
    return Action.objects.filter(_action_condition(user))


def _actions(user: User) -> QuerySet[Action]:
    return _visible_actions(user).select_related("plan__taskforce__hotspot")


def _across(condition: Q, prefix: str) -> Q:
    """``condition`` on a related model, every lookup read through ``prefix``."""
    return Q.create(
        [
            _across(child, prefix) if isinstance(child, Q) else _lookup(child, prefix)
            for child in condition.children
        ],
        connector=condition.connector,
        negated=condition.negated,
    )


def _lookup(child: Any, prefix: str) -> tuple[str, Any]:
    name, value = child
    return prefix + name, value


def _updates(user: User) -> QuerySet[ActionUpdate]:
    """A note of an action one sees, unless the note itself is police-judicial outside the
    circle (a note may be confidential on an open action).

    The action's condition is applied through the note's own join (not ``action__in`` the
    visible actions: that reads every visible action before the first note matches)."""
    return (
        ActionUpdate.objects.filter(_across(_action_condition(user), "action__"))
        .filter(
            confidentiality.visible_across(user, _circle(user), taskforce="action__plan__taskforce")
        )
        .select_related("action__plan__taskforce__hotspot")
    )


def _seen_taskforces(user: User, path: str) -> Q:
    seen = once(user, "seen", lambda user: permissions.visible_taskforces(user).values("pk"))
    return Q(**{f"{path}__in": seen})


def _meetings(user: User) -> QuerySet[Meeting]:
    return Meeting.objects.filter(_seen_taskforces(user, "taskforce")).select_related(
        "taskforce__hotspot"
    )


def _points(user: User) -> QuerySet[MeetingPoint]:
    return MeetingPoint.objects.filter(_seen_taskforces(user, "meeting__taskforce")).select_related(
        "meeting__taskforce__hotspot"
    )


def _decisions(user: User) -> QuerySet[MeetingDecision]:
    # The decision's text is the task force's (the meeting page shows it to every reader);
    # the action it names is not loaded, so nothing here shows a confidential action.
    return MeetingDecision.objects.filter(
        _seen_taskforces(user, "meeting__taskforce")
    ).select_related("meeting__taskforce__hotspot")


def _hotspot(taskforce: Any) -> str:
    hotspot = taskforce.hotspot
    return f"{hotspot.code} {hotspot.name}"


def _meeting_where(meeting: Meeting) -> str:
    return f"{_hotspot(meeting.taskforce)} · {dates.long_datetime(meeting.starts_at)}"


def _action_url(action_id: int) -> str:
    return reverse("taskforces:action", args=[action_id])


def _meeting_url(meeting_id: int) -> str:
    return reverse("taskforces:meeting", args=[meeting_id])


register(
    Provider(
        key="action",
        label=_("Actions"),
        order=20,
        visible=_actions,
        texts=("title", "description", "deliverable"),
        excerpt=("description", "deliverable"),
        title=lambda action: action.text_in("title"),
        url=lambda action: _action_url(action.pk),
        where=lambda action: f"{_hotspot(action.plan.taskforce)} · {action.get_axis_display()}",
        ordering=("-updated_at", "-pk"),
        indexed=True,
    )
)
register(
    Provider(
        key="action-update",
        label=_("Timeline notes"),
        order=30,
        visible=_updates,
        texts=("comment",),
        title=lambda update: update.action.text_in("title"),
        url=lambda update: _action_url(update.action_id),
        where=lambda update: (
            f"{_hotspot(update.action.plan.taskforce)} · {dates.long_datetime(update.at)}"
        ),
        ordering=("-at", "-pk"),
        indexed=True,
    )
)
register(
    Provider(
        key="meeting",
        label=_("Task force meetings"),
        order=40,
        visible=_meetings,
        texts=("place", "agenda", "minutes"),
        excerpt=("agenda", "minutes"),
        title=lambda meeting: meeting.text_in("place"),
        url=lambda meeting: _meeting_url(meeting.pk),
        where=_meeting_where,
        ordering=("-starts_at", "-pk"),
        indexed=True,
    )
)
register(
    Provider(
        key="meeting-point",
        label=_("Agenda points"),
        order=50,
        visible=_points,
        texts=("title", "notes"),
        excerpt=("notes",),
        title=lambda point: point.text_in("title"),
        url=lambda point: _meeting_url(point.meeting_id),
        where=lambda point: _meeting_where(point.meeting),
        ordering=("-meeting__starts_at", "-pk"),
        indexed=True,
    )
)
register(
    Provider(
        key="meeting-decision",
        label=_("Meeting decisions"),
        order=60,
        visible=_decisions,
        texts=("text",),
        excerpt=(),
        title=lambda decision: decision.text_in("text"),
        url=lambda decision: _meeting_url(decision.meeting_id),
        where=lambda decision: _meeting_where(decision.meeting),
        ordering=("-meeting__starts_at", "-pk"),
        indexed=True,
    )
)
