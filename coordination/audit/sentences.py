"""The audit trail as sentences in the reader's language.

Entries store codes: the action (``report.publish``), the target's type and id, and the
changes by field name with plain values (``audit.services._plain``). They are read here,
when shown, in the reader's language: one sentence per action code ("Claire Dubois
published Regional report to the CoReS 01/07/2026–31/12/2026 (FR, v2)"), the target named
now (not as its writer's language froze it), field names as their model's
``verbose_name``, values as the reader reads them (choices by their label, yes/no, dates
in the locale and Europe/Brussels, ids by the name of what they point to).

Every action code recorded anywhere must have its sentence in :data:`SENTENCES`
(tests/coordination/test_sentences.py walks the code base for them).
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from typing import Any

from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import FieldDoesNotExist, ValidationError
from django.db import models
from django.utils.formats import number_format
from django.utils.text import capfirst
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coordination.core import bilingual
from coordination.core.dates import long_date, long_datetime

# One sentence per action code: ``actor`` (who, or "The system") and ``object`` (the
# target, named in the reader's language).
SENTENCES: dict[str, Any] = {
    # Hotspots and their perimeters
    "hotspot.propose": _("%(actor)s proposed the hotspot %(object)s"),
    "hotspot.update": _("%(actor)s changed the hotspot %(object)s"),
    "hotspot.request_approval": _("%(actor)s asked the mayors to approve the hotspot %(object)s"),
    "hotspot.decide": _("%(actor)s decided on the hotspot %(object)s"),
    "hotspot.approved": _("%(actor)s completed the approval of the hotspot %(object)s"),
    "hotspot.rejected": _("%(actor)s completed the rejection of the hotspot %(object)s"),
    "hotspot.activate": _("%(actor)s activated the hotspot %(object)s"),
    "hotspot.close": _("%(actor)s closed the hotspot %(object)s"),
    "hotspot.perimeter": _("%(actor)s changed the perimeter of %(object)s"),
    "hotspot.perimeter_propose": _("%(actor)s proposed a new perimeter for %(object)s"),
    "hotspot.perimeter_decide": _("%(actor)s decided on the new perimeter of %(object)s"),
    "hotspot.perimeter_in_force": _("The new perimeter of %(object)s came into force"),
    "hotspot.perimeter_rejected": _("The new perimeter of %(object)s was rejected"),
    "hotspot.perimeter_recorded": _("%(actor)s recorded the perimeter of %(object)s"),
    "hotspot.perimeter_withdraw": _("%(actor)s withdrew the proposed perimeter of %(object)s"),
    "hotspot.list_change": _("%(actor)s recorded a change of the hotspot list for %(object)s"),
    "hotspot.exit_criterion_add": _("%(actor)s added an exit criterion to %(object)s"),
    "hotspot.exit_criterion_review": _("%(actor)s reviewed an exit criterion of %(object)s"),
    # Police orders and indicators
    "order.create": _("%(actor)s recorded the police order %(object)s"),
    "order.update": _("%(actor)s changed the police order %(object)s"),
    "order.amend": _("%(actor)s recorded an amendment of the police order %(object)s"),
    "order.publication_step": _(
        "%(actor)s recorded a publication step of the police order %(object)s as done"
    ),
    "indicator.import": _("%(actor)s imported indicator values for %(object)s"),
    "indicator.demo": _("%(actor)s loaded demonstration indicator values for %(object)s"),
    "indicator.value_delete": _("%(actor)s deleted an indicator value of %(object)s"),
    "indicator.value_set": _("%(actor)s entered an indicator value of %(object)s"),
    "indicator.goal_set": _("%(actor)s set the baseline and target of an indicator of %(object)s"),
    "indicator.remind": _("%(actor)s reminded the agencies of missing indicator values"),
    "displacement.demo": _(
        "%(actor)s loaded demonstration buffer and control values for %(object)s"
    ),
    "displacement.setup_set": _(
        "%(actor)s set the buffer and control areas of the displacement quotient of %(object)s"
    ),
    # Task forces
    "taskforce.open": _("%(actor)s opened %(object)s"),
    "taskforce.member_add": _("%(actor)s added a member to %(object)s"),
    "taskforce.member_remove": _("%(actor)s removed a member from %(object)s"),
    "taskforce.member_role": _("%(actor)s changed a member's role in %(object)s"),
    "taskforce.access_grant": _("%(actor)s granted an access right in %(object)s"),
    "taskforce.access_revoke": _("%(actor)s withdrew an access right in %(object)s"),
    "taskforce.no_meeting_reminder": _("%(actor)s reminded %(object)s that it has not met"),
    # Meetings
    "meeting.create": _("%(actor)s scheduled the meeting %(object)s"),
    "meeting.update": _("%(actor)s changed the meeting %(object)s"),
    "meeting.point_add": _("%(actor)s added an agenda point to the meeting %(object)s"),
    "meeting.point_open": _("%(actor)s carried an open point to the meeting %(object)s"),
    "meeting.decision": _("%(actor)s recorded a decision of the meeting %(object)s"),
    "meeting.invite": _("%(actor)s invited members to the meeting %(object)s"),
    "meeting.cancel": _("%(actor)s cancelled the meeting %(object)s"),
    "meeting.attendance": _("%(actor)s recorded the attendance of the meeting %(object)s"),
    "meeting.excuse": _("%(actor)s sent apologies for the meeting %(object)s"),
    "meeting.minutes_save": _("%(actor)s wrote the minutes of the meeting %(object)s"),
    "meeting.minutes_finalise": _("%(actor)s made the minutes of the meeting %(object)s final"),
    "meeting.minutes_correct": _(
        "%(actor)s started a correction of the minutes of the meeting %(object)s"
    ),
    "meeting.point_carry": _("%(actor)s carried a point over to the meeting %(object)s"),
    "meeting.pending_action": _(
        "%(actor)s created the action a decision of the meeting %(object)s was waiting for"
    ),
    # Action plans and actions
    "plan.new_version": _("%(actor)s started a new version of %(object)s"),
    "plan.submit": _("%(actor)s submitted %(object)s for validation"),
    "plan.validate": _("%(actor)s validated %(object)s"),
    "plan.return": _("%(actor)s returned %(object)s with comments"),
    "plan.annex_new_version": _(
        "%(actor)s started a new version of the police-judicial annex of %(object)s"
    ),
    "plan.annex_submit": _(
        "%(actor)s submitted the police-judicial annex of %(object)s for validation"
    ),
    "plan.annex_validate": _("%(actor)s validated the police-judicial annex of %(object)s"),
    "plan.annex_return": _(
        "%(actor)s returned the police-judicial annex of %(object)s with comments"
    ),
    "action.create": _("%(actor)s created the action %(object)s"),
    "action.update": _("%(actor)s changed the action %(object)s"),
    "action.status": _("%(actor)s updated the status of the action %(object)s"),
    "action.comment": _("%(actor)s commented on the action %(object)s"),
    "action.escalate": _("%(actor)s escalated the action %(object)s to the CSIR"),
    "action.escalation_resolve": _("%(actor)s resolved the escalation of the action %(object)s"),
    # Evaluations of ended actions (what worked where)
    "evaluation.record": _("%(actor)s recorded the evaluation of the action %(object)s"),
    "evaluation.revise": _("%(actor)s revised the evaluation of the action %(object)s"),
    "evaluation.submit": _(
        "%(actor)s submitted the evaluation of the action %(object)s for validation"
    ),
    "evaluation.validate": _("%(actor)s validated the evaluation of the action %(object)s"),
    "evaluation.return": _(
        "%(actor)s returned the evaluation of the action %(object)s with comments"
    ),
    # Attachments (documents on actions, meetings, bulletins, escalations)
    "attachment.add": _("%(actor)s attached the document %(object)s"),
    "attachment.version": _("%(actor)s uploaded a new version of the document %(object)s"),
    "attachment.withdraw": _("%(actor)s withdrew the document %(object)s"),
    # Displacement
    "displacement.report": _("%(actor)s reported the displacement %(object)s"),
    "displacement.follow_up": _("%(actor)s followed up the displacement %(object)s"),
    "displacement.close": _("%(actor)s closed the displacement %(object)s"),
    # Reports
    "report.request": _("%(actor)s requested the report %(object)s"),
    "report.ready": _("The report %(object)s was built"),
    "report.fail": _("The build of the report %(object)s failed"),
    "report.requeue": _("The build of the report %(object)s was queued again"),
    "report.retry": _("%(actor)s retried the build of the report %(object)s"),
    "report.publish": _("%(actor)s published the report %(object)s"),
    "report.present": _("%(actor)s recorded the CoReS meeting at which %(object)s was presented"),
    "briefing.create": _("%(actor)s opened %(object)s"),
    "briefing.update": _("%(actor)s changed %(object)s"),
    "briefing.decision_add": _("%(actor)s added a decision asked to %(object)s"),
    "briefing.decision_change": _("%(actor)s changed a decision asked in %(object)s"),
    "briefing.decision_remove": _("%(actor)s took a decision asked out of %(object)s"),
    "briefing.freeze": _("%(actor)s froze %(object)s"),
    # The regional layer
    "strategy.adopt": _("%(actor)s recorded the adoption of %(object)s"),
    "strategy.extend": _("%(actor)s extended %(object)s"),
    "strategy.change": _("%(actor)s changed %(object)s"),
    "cores.meeting_create": _("%(actor)s recorded the CoReS meeting %(object)s"),
    "cores.meeting_update": _("%(actor)s changed the CoReS meeting %(object)s"),
    "cores.decision": _("%(actor)s recorded a decision of the CoReS meeting %(object)s"),
    "bulletin.publish": _("%(actor)s published the bulletin %(object)s"),
    "bulletin.share_practice": _("%(actor)s shared the good practice %(object)s"),
    "bulletin.correct": _("%(actor)s corrected the bulletin %(object)s"),
    "bulletin.withdraw": _("%(actor)s withdrew the bulletin %(object)s"),
    # People, agencies, reference data
    "user.create": _("%(actor)s created the account of %(object)s"),
    "user.change": _("%(actor)s changed the account of %(object)s"),
    "user.password": _("%(actor)s changed the password of %(object)s"),
    "user.permissions": _("%(actor)s changed the permissions of %(object)s"),
    "user.notification_preferences": _("%(actor)s changed the preferences of %(object)s"),
    "user.language": _("%(actor)s changed the interface language of %(object)s"),
    "agency.create": _("%(actor)s created the agency %(object)s"),
    "agency.change": _("%(actor)s changed the agency %(object)s"),
    "commune.change": _("%(actor)s changed the commune %(object)s"),
    "police_zone.change": _("%(actor)s changed the police zone %(object)s"),
    "permission.repair": _("%(actor)s repaired the object permissions of %(object)s"),
    "calendar_feed.create": _("%(actor)s created a calendar subscription"),
    "calendar_feed.renew": _("%(actor)s renewed a calendar subscription"),
    "calendar_feed.revoke": _("%(actor)s revoked a calendar subscription"),
    # Sign-in and two factors
    "login_locked_out": _("The sign-in of %(object)s was locked after repeated failures"),
    "login_unlocked": _("%(actor)s unlocked the sign-in of %(object)s"),
    "two_factor_enrolled": _("%(actor)s set up two-factor authentication for %(object)s"),
    "two_factor_recovery_codes_regenerated": _("%(actor)s made new recovery codes for %(object)s"),
    "two_factor_recovery_code_used": _("%(actor)s signed in with a recovery code"),
    "two_factor_removed": _("%(actor)s removed the two-factor authentication of %(object)s"),
    # Translations of free text (coordination.core.bilingual)
    "content.translate": _("%(actor)s translated %(object)s"),
    # The view log (coordination.audit.viewlog)
    "view": _("%(actor)s viewed %(object)s"),
}
UNKNOWN = _("%(actor)s changed %(object)s")

# Keys of ``changes`` that are not fields of the target: their label.
LABELS: dict[str, Any] = {
    "via": _("seen on"),
    "attempts": _("attempts"),
    "reason": _("reason"),
    "version": _("version"),
    "perimeter_version": _("perimeter version"),
    "perimeter_state": _("state of the perimeter"),
    "annex_version": _("annex version"),
    "backlog_not_emailed": _("notifications not e-mailed"),
    "recovery_codes": _("recovery codes"),
    "recovery_codes_left": _("recovery codes left"),
    "devices": _("devices"),
    "permission": _("permission"),
    "user_permissions": _("permissions"),
    "granted": _("granted"),
    "withdrawn": _("withdrawn"),
    "holder": _("holder"),
    "replaces": _("replaces"),
    "replaced": _("replaced"),
    "superseded": _("superseded"),
    "previous": _("previous version"),
    "point": _("agenda point"),
    "escalation": _("escalation"),
    "update": _("update"),
    "updated": _("updated"),
    "created": _("created"),
    "unchanged": _("unchanged"),
    "values": _("values"),
    "lines": _("lines"),
    "months": _("months"),
    "pages": _("pages"),
    "figures": _("figures"),
    "days": _("days"),
    "last_meeting": _("last meeting"),
    "carried_points": _("points carried over"),
    "actions": _("actions"),
    "new_late": _("newly late actions"),
    "status_changes": _("status changes"),
    "detail": _("detail"),
    "password": _("password"),
    "username": _("user name"),
    "document": _("document"),
    "attached_to": _("attached to"),
    "object": _("object"),
}

# Values that are codes outside any model's choices.
VALUES: dict[str, Any] = {
    "changed": _("changed"),
    "disabled": _("disabled"),
    "approve": _("approve"),
    "reject": _("reject"),
}

# What a target's ``str()`` reads, fetched with it (one query per kind of target).
RELATED: dict[str, tuple[str, ...]] = {
    "taskforces.taskforce": ("hotspot",),
    "taskforces.actionplan": ("taskforce__hotspot",),
    "taskforces.meeting": ("taskforce__hotspot",),
    "taskforces.membership": ("user",),
    "taskforces.accessgrant": ("user",),
    "hotspots.mayordecision": ("hotspot", "commune"),
    "hotspots.perimeterversion": ("hotspot",),
    "hotspots.indicatorvalue": ("hotspot", "indicator"),
}

ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")
ISO_DATETIME = re.compile(r"^\d{4}-\d{2}-\d{2}[T ]\d{2}:\d{2}")

Objects = dict[tuple[int, str], models.Model]


def name_of(obj: models.Model) -> str:
    """``obj`` as the reader names it: a bilingual title in their language, else ``str()``
    (reference names and reports are rendered in the active language)."""
    if isinstance(obj, bilingual.BilingualContent) and "title" in obj.TRANSLATED_FIELDS:
        return obj.shown("title").text
    return str(obj)


def fetch(wanted: dict[int, set[str]]) -> Objects:
    """The objects ``{content type id: {ids}}``, one query per content type."""
    objects: Objects = {}
    for type_id, ids in sorted(wanted.items()):
        model = ContentType.objects.get_for_id(type_id).model_class()
        if model is None:
            continue
        related = RELATED.get(model._meta.label_lower, ())
        keys = []
        for key in ids:
            try:
                keys.append(model._meta.pk.to_python(key))
            except ValidationError:  # not an id of this model (an old free-text value)
                continue
        queryset = model._default_manager.filter(pk__in=keys)
        if related:
            queryset = queryset.select_related(*related)
        found = list(queryset) if keys else []
        for obj in found:
            objects[(type_id, str(obj.pk))] = obj
    return objects


def model_field(model: type[models.Model] | None, name: str) -> models.Field | None:
    if model is None:
        return None
    try:
        field = model._meta.get_field(name)
    except FieldDoesNotExist:
        return None
    return field if isinstance(field, models.Field) else None


def field_label(model: type[models.Model] | None, name: str) -> str:
    """A field's name in the reader's language."""
    field = model_field(model, name)
    if field is not None:
        return str(field.verbose_name)
    if name in LABELS:
        return str(LABELS[name])
    return name.replace("_", " ")


def referenced(model: type[models.Model] | None, name: str, value: Any) -> tuple[int, str] | None:
    """The (content type, id) a foreign key's stored id points to, if it is one."""
    field = model_field(model, name)
    if field is None or not field.is_relation or field.related_model is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int | str) or value in ("", None):
        return None
    related = field.related_model
    if not isinstance(related, type):
        return None
    return ContentType.objects.get_for_model(related).pk, str(value)


def show(model: type[models.Model] | None, name: str, value: Any, objects: Objects) -> str:
    """One stored value as the reader reads it."""
    if value is None or value == "" or value == []:
        return "—"
    if isinstance(value, bool):
        return gettext("yes") if value else gettext("no")
    if isinstance(value, list):
        return ", ".join(show(model, name, item, objects) for item in value) or "—"
    if isinstance(value, dict):
        return "; ".join(
            f"{field_label(None, str(k))}: {show(None, str(k), v, objects)}"
            for k, v in value.items()
        )
    field = model_field(model, name)
    if field is not None and field.choices:
        labels = {str(code): label for code, label in field.flatchoices}
        if str(value) in labels:
            return str(labels[str(value)])
    key = referenced(model, name, value)
    if key is not None and key in objects:
        return name_of(objects[key])
    if isinstance(value, str):
        if ISO_DATE.match(value):
            try:
                return long_date(dt.date.fromisoformat(value))
            except ValueError:
                return value
        if ISO_DATETIME.match(value):
            try:
                return long_datetime(dt.datetime.fromisoformat(value))
            except ValueError:
                return value
        if value in VALUES:
            return str(VALUES[value])
    if isinstance(value, float | int):
        return number_format(value, use_l10n=True)
    return str(value)


def sentence(action: str, actor: str, target: str) -> str:
    """The entry's sentence in the active language."""
    template = SENTENCES.get(action, UNKNOWN)
    return capfirst(str(template) % {"actor": actor, "object": target})


def wanted_refs(entries: Iterable[Any]) -> dict[int, set[str]]:
    """Targets, and objects that foreign-key values point to, for a page of entries."""
    wanted: dict[int, set[str]] = {}
    for entry in entries:
        wanted.setdefault(entry.target_type_id, set()).add(str(entry.target_id))
        model = ContentType.objects.get_for_id(entry.target_type_id).model_class()
        for name, value in (entry.changes or {}).items():
            values = value if isinstance(value, list) else [value]
            for item in values:
                for one in item if isinstance(item, list) else [item]:
                    key = referenced(model, name, one)
                    if key is not None:
                        wanted.setdefault(key[0], set()).add(key[1])
    return wanted
