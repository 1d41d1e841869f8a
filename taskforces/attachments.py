"""Who may see and attach documents on the task forces' objects (``coordination.attachments``).

Seeing follows each object's access helper, the police-judicial rule included: a document
on a police-judicial action (or note) is as invisible outside the circle as the action.
Attaching is for those who change or comment on the action, who run the meetings, and,
on an escalation, for those who may escalate and the CSIR who resolves it.
"""

from __future__ import annotations

from coordination.attachments.providers import Provider, register
from coordination.models import User
from coordination.people import confidentiality
from taskforces import permissions
from taskforces.models import Action, ActionUpdate, Escalation, Meeting


def _sees_action(user: User, action: Action) -> bool:
    return permissions.can_see_action(permissions.access_for(user, action.plan.taskforce), action)


def _attaches_to_action(user: User, action: Action) -> bool:
    access = permissions.access_for(user, action.plan.taskforce)
    return permissions.can_edit_action(access, action) or permissions.can_comment(access, action)


def _sees_update(user: User, update: ActionUpdate) -> bool:
    access = permissions.access_for(user, update.action.plan.taskforce)
    return permissions.can_see_action(access, update.action) and (
        not confidentiality.is_confidential(update) or access.sees_police_judicial
    )


def _sees_meeting(user: User, meeting: Meeting) -> bool:
    return permissions.access_for(user, meeting.taskforce).can_view


def _attaches_to_meeting(user: User, meeting: Meeting) -> bool:
    return permissions.access_for(user, meeting.taskforce).can_schedule


def _attaches_to_escalation(user: User, escalation: Escalation) -> bool:
    access = permissions.access_for(user, escalation.action.plan.taskforce)
    return access.is_csir or permissions.can_escalate(access, escalation.action)


def _action_confidential(user: User | None, action: Action) -> bool:
    return confidentiality.is_confidential(action)


def register_providers() -> None:
    register(
        Action,
        Provider(
            may_see=_sees_action,
            may_attach=_attaches_to_action,
            confidential=_action_confidential,
        ),
    )
    register(
        ActionUpdate,
        Provider(
            may_see=_sees_update,
            may_attach=lambda user, update: (
                _sees_update(user, update) and _attaches_to_action(user, update.action)
            ),
            confidential=lambda user, update: (
                confidentiality.is_confidential(update)
                or confidentiality.is_confidential(update.action)
            ),
        ),
    )
    register(
        Meeting,
        Provider(may_see=_sees_meeting, may_attach=_attaches_to_meeting),
    )
    register(
        Escalation,
        Provider(
            may_see=lambda user, escalation: _sees_action(user, escalation.action),
            may_attach=lambda user, escalation: (
                _sees_action(user, escalation.action) and _attaches_to_escalation(user, escalation)
            ),
            confidential=lambda user, escalation: confidentiality.is_confidential(
                escalation.action
            ),
        ),
    )
