"""The notification centre: one entry per person and event, shown in the portal and e-mailed
immediately or in a daily digest, as each person chose (``User.email_mode``).

Every app reports its events through :func:`notify`; the text is rendered from ``MESSAGES``
in the reader's language when shown, so a notification reads right in FR, NL and EN.
The e-mails themselves are sent by the Celery jobs of :mod:`coordination.mailing`.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import re
from collections.abc import Callable, Iterable, Iterator
from contextvars import ContextVar
from typing import Any

from django.apps import apps
from django.conf import settings
from django.db import models, transaction
from django.utils import timezone
from django.utils.functional import Promise
from django.utils.translation import get_language
from django.utils.translation import gettext_lazy as _

from coordination.audit import services as audit
from coordination.core import bilingual
from coordination.core.dates import long_date
from coordination.notifications.models import Notification
from coordination.outbox import services as outbox
from coordination.people.models import User

MESSAGES = {
    "decision_requested": _("Hotspot %(hotspot)s awaits your decision."),
    "hotspot_approved": _("Every concerned mayor approved hotspot %(hotspot)s."),
    "hotspot_rejected": _("Hotspot %(hotspot)s was rejected by a mayor."),
    "perimeter_change_requested": _(
        "A new perimeter (version %(version)s) of hotspot %(hotspot)s awaits your decision."
    ),
    "perimeter_in_force": _(
        "Every concerned mayor approved the new perimeter (version %(version)s) of %(hotspot)s."
    ),
    "perimeter_rejected": _(
        "A mayor rejected the new perimeter (version %(version)s) of %(hotspot)s."
    ),
    "order_expiring": _("Police order “%(order)s” expires on %(date)s."),
    "order_step_pending": _(
        "A publication step of the police order “%(order)s” is pending (due on %(date)s): %(step)s."
    ),
    "indicator_missing": _("Indicator values of %(month)s are still missing: %(missing)s."),
    "plan_submitted": _("The action plan of %(taskforce)s was submitted for validation."),
    "plan_validated": _("The CSIR validated the action plan of %(taskforce)s."),
    "plan_returned": _("The CSIR returned the action plan of %(taskforce)s with comments."),
    # Told only inside the police-judicial circle (and to the CSIR coordinator).
    "annex_submitted": _(
        "The police-judicial annex of the action plan of %(taskforce)s was submitted for "
        "validation."
    ),
    "annex_validated": _(
        "The CSIR validated the police-judicial annex of the action plan of %(taskforce)s."
    ),
    "annex_returned": _(
        "The CSIR returned the police-judicial annex of the action plan of %(taskforce)s "
        "with comments."
    ),
    "action_escalated": _("Action “%(action)s” of %(taskforce)s is escalated to the CSIR."),
    "escalation_resolved": _("The CSIR resolved the escalation of action “%(action)s”."),
    "evaluation_submitted": _(
        "The evaluation of action “%(action)s” of %(taskforce)s awaits your validation."
    ),
    "evaluation_validated": _(
        "The CSIR validated the evaluation of action “%(action)s”: it is in the library of "
        "practices."
    ),
    "evaluation_returned": _(
        "The CSIR returned the evaluation of action “%(action)s” with comments."
    ),
    "displacement_reported": _("Displacement reported from %(hotspot)s to %(place)s."),
    "displacement_closed": _("The displacement from %(hotspot)s to %(place)s is closed."),
    "displacement_quotient_warning": _(
        "Possible displacement around %(hotspot)s (%(indicator)s): weighted displacement "
        "quotient %(wdq)s, buffer count %(buffer_before)s before, %(buffer_after)s after "
        "(to %(month)s)."
    ),
    "bulletin_published": _("New bulletin: %(title)s"),
    "good_practice_shared": _("%(taskforce)s shares a good practice: %(title)s"),
    # Told to those who had read an earlier version (coordination.regional.bulletins).
    "bulletin_corrected": _("Bulletin corrected: %(title)s"),
    "bulletin_withdrawn": _("Bulletin withdrawn: %(title)s"),
    "meeting_scheduled": _("Task force %(taskforce)s meets on %(date)s, %(place)s."),
    "meeting_moved": _("The meeting of task force %(taskforce)s is now on %(date)s, %(place)s."),
    "meeting_cancelled": _("The meeting of task force %(taskforce)s on %(date)s is cancelled."),
    "no_meeting": _("Task force %(taskforce)s has not met for %(days)s days."),
    "report_ready": _("The report “%(report)s” is ready."),
    "report_failed": _("The report “%(report)s” could not be built; it can be retried."),
    "report_published": _("The report “%(report)s” is published."),
}

# How the daily digest groups the notifications, in this order.
GROUPS: list[tuple[Promise, frozenset[str]]] = [
    (
        _("Hotspots"),
        frozenset(
            {
                "decision_requested",
                "hotspot_approved",
                "hotspot_rejected",
                "perimeter_change_requested",
                "perimeter_in_force",
                "perimeter_rejected",
            }
        ),
    ),
    (_("Police orders"), frozenset({"order_expiring", "order_step_pending"})),
    (_("Indicators"), frozenset({"indicator_missing"})),
    (
        _("Action plans"),
        frozenset(
            {
                "plan_submitted",
                "plan_validated",
                "plan_returned",
                "annex_submitted",
                "annex_validated",
                "annex_returned",
            }
        ),
    ),
    (_("Escalations"), frozenset({"action_escalated", "escalation_resolved"})),
    (
        _("Displacement"),
        frozenset(
            {"displacement_reported", "displacement_closed", "displacement_quotient_warning"}
        ),
    ),
    (
        _("Bulletins"),
        frozenset(
            {
                "bulletin_published",
                "good_practice_shared",
                "bulletin_corrected",
                "bulletin_withdrawn",
            }
        ),
    ),
    (
        _("Meetings"),
        frozenset({"meeting_scheduled", "meeting_moved", "meeting_cancelled", "no_meeting"}),
    ),
    (
        _("Evaluations of actions"),
        frozenset({"evaluation_submitted", "evaluation_validated", "evaluation_returned"}),
    ),
]
OTHER_GROUP = _("Other")

EMAIL_MODES = ("immediate", "digest", "none")
ISO_DATE = re.compile(r"^\d{4}-\d{2}-\d{2}$")


def _localized(params: dict[str, Any]) -> dict[str, Any]:
    """The parameters as the active language reads them.

    Conventions for callers of :func:`notify`: never a sentence or a name frozen in the
    writer's language. A thing others wrote (an action's title, a report, a place) is
    given as :func:`ref` and named when read; a reference name known in both languages
    may instead go under the same key with ``_nl`` for its Dutch variant (``{"hotspot":
    "HS10 Gare du Midi", "hotspot_nl": "HS10 Zuidstation"}``); a date is given as an ISO
    string (``date.isoformat()``), shown in the reader's date format.
    """
    dutch = (get_language() or "").startswith("nl")
    shown = {}
    for key, value in params.items():
        if dutch and f"{key}_nl" in params:
            value = params[f"{key}_nl"]
        if isinstance(value, str) and ISO_DATE.match(value):
            with contextlib.suppress(ValueError):  # "2025-02-30" stays as it is
                value = long_date(dt.date.fromisoformat(value))
        shown[key] = value
    return shown


def ref(
    obj: models.Model, field: str = "", *, qualifier: dict[str, str] | None = None
) -> dict[str, Any]:
    """A parameter naming ``obj``, named at read time in the reader's language.

    ``field`` is a text field of ``obj`` (bilingual content shows the reader's language
    when translated); without it the object's ``str()`` in the reader's language (a
    report's name). A translation added after the notification still shows. ``text`` is
    kept only for when the object is gone. ``qualifier`` (``{"fr": …, "nl": …}``) is shown
    in brackets after the name (the commune of a place).
    """
    value: dict[str, Any] = {
        "ref": obj._meta.label_lower,
        "id": obj.pk,
        "field": field,
        "text": _name_of(obj, field),
    }
    if qualifier:
        value["qualifier"] = qualifier
    return value


def _name_of(obj: models.Model, field: str) -> str:
    if field:
        return bilingual.shown(obj, field).text
    return str(obj)


def _is_ref(value: Any) -> bool:
    return isinstance(value, dict) and "ref" in value and "id" in value


Objects = dict[tuple[str, str], models.Model]


def referenced(notifications: Iterable[Notification]) -> Objects:
    """The objects the notifications' parameters name, one query per kind of object."""
    wanted: dict[str, set[str]] = {}
    for notification in notifications:
        for value in (notification.params or {}).values():
            if _is_ref(value):
                wanted.setdefault(str(value["ref"]), set()).add(str(value["id"]))
    objects: Objects = {}
    for label, ids in sorted(wanted.items()):
        try:
            model = apps.get_model(label)
        except (LookupError, ValueError):
            continue
        for obj in model._default_manager.filter(pk__in=ids):
            objects[(label, str(obj.pk))] = obj
    return objects


def _shown_ref(value: dict[str, Any], objects: Objects) -> str:
    obj = objects.get((str(value["ref"]), str(value["id"])))
    name = _name_of(obj, str(value.get("field") or "")) if obj is not None else ""
    name = name or str(value.get("text") or "")
    qualifier = value.get("qualifier")
    if isinstance(qualifier, dict) and qualifier:
        language = "nl" if (get_language() or "").startswith("nl") else "fr"
        name = f"{name} ({qualifier.get(language) or qualifier.get('fr', '')})"
    return name


def message(notification: Notification, objects: Objects | None = None) -> str:
    """The notification's text in the active language.

    ``objects`` are the named objects fetched for a whole page (:func:`referenced`);
    without it, those of this notification are fetched.
    """
    template = MESSAGES.get(notification.kind)
    if template is None:
        return str(_("(an event of an unknown kind)"))
    if objects is None:
        objects = referenced([notification])
    params = {
        key: _shown_ref(value, objects) if _is_ref(value) else value
        for key, value in (notification.params or {}).items()
    }
    try:
        return str(template) % _localized(params)
    except (KeyError, TypeError, ValueError):
        return str(template)


def group_label(kind: str) -> Promise:
    """The digest heading a notification of ``kind`` is listed under."""
    for label, kinds in GROUPS:
        if kind in kinds:
            return label
    return OTHER_GROUP


# --- Files attached to the e-mail of a notification --------------------------------------
#
# A notification stores references, not files: an app that wants its e-mail to carry a
# file (a meeting's calendar invitation) registers a builder for its kinds from its
# ``AppConfig.ready()``; the builder makes the file when the e-mail is sent, for that
# recipient, in their language, from the object as it is then (and returns nothing if
# the recipient may no longer see it). The layers below never import the apps above.

#: (file name, content, MIME type)
Attachment = tuple[str, bytes, str]
_attachment_builders: dict[str, Callable[[Notification], list[Attachment]]] = {}


def add_attachments(
    kinds: Iterable[str], build: Callable[[Notification], list[Attachment]]
) -> None:
    """Register ``build`` for the e-mails of notifications of ``kinds``."""
    for kind in kinds:
        assert kind in MESSAGES, f"unknown notification kind {kind!r}"
        _attachment_builders[kind] = build


def attachments(notification: Notification) -> list[Attachment]:
    """The files the e-mail of ``notification`` carries (none for most kinds)."""
    build = _attachment_builders.get(notification.kind)
    return build(notification) if build is not None else []


def notify(
    *, recipients: Iterable[User], kind: str, params: dict[str, Any], url: str = ""
) -> list[Notification]:
    """Record one notification per active recipient; e-mail the 'immediate' ones after commit.

    Call it inside the service's transaction: if the write rolls back, nobody is told.
    ``params`` must be JSON (see :func:`_localized` for Dutch variants and dates); ``url``
    is a path inside the portal (``reverse(...)``), opened through the notification centre.
    People who chose the digest get it the next morning; those who chose 'none' only see
    it in the portal.
    """
    assert kind in MESSAGES, f"unknown notification kind {kind!r}"
    unique = {person.pk: person for person in recipients if person.is_active}
    notifications = Notification.objects.bulk_create(
        Notification(recipient=person, kind=kind, params=params, url=url)
        for person in unique.values()
    )
    immediate = [
        n.pk for n in notifications if unique[n.recipient_id].email_mode == "immediate" and n.pk
    ]
    if _mail_suppressed.get():
        # The demo tells its people in the portal only: no e-mail is ever due, neither now
        # nor in a digest.
        Notification.objects.filter(pk__in=[n.pk for n in notifications]).update(
            emailed_at=timezone.now()
        )
    elif immediate:
        # In the same transaction as the event: the e-mail is sent once the event commits,
        # whatever the broker's state then (coordination.outbox).
        outbox.enqueue("coordination.email_notifications", notification_ids=immediate)
    return notifications


_mail_suppressed: ContextVar[bool] = ContextVar("mail_suppressed", default=False)


@contextlib.contextmanager
def mail_suppressed() -> Iterator[None]:
    """Within it, notifications are shown in the portal and never e-mailed (the demo)."""
    token = _mail_suppressed.set(True)
    try:
        yield
    finally:
        _mail_suppressed.reset(token)


# --- The reader's actions ---------------------------------------------------------------


def notification_mark_read(*, notification: Notification) -> Notification:
    """Mark one notification read (once: the first reading time is kept)."""
    if notification.read_at is None:
        now = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(read_at=now)
        notification.read_at = now
    return notification


def notifications_mark_all_read(*, person: User) -> int:
    """Mark every unread notification of ``person`` read; returns how many."""
    return Notification.objects.filter(recipient=person, read_at__isnull=True).update(
        read_at=timezone.now()
    )


PREFERENCE_FIELDS = ["email_mode", "preferred_language"]


@transaction.atomic
def notification_preferences_set(*, person: User, email_mode: str, preferred_language: str) -> User:
    """Choose how ``person`` receives e-mail (immediate / digest / none) and in which language.

    Audited. Leaving 'none' does not e-mail the backlog of that time: those notifications
    are marked as settled for e-mail (they stay in the centre), or the sweeper would send
    weeks of old events one by one.
    """
    if email_mode not in EMAIL_MODES:
        raise ValueError(f"unknown e-mail mode {email_mode!r}")
    person = User.objects.select_for_update().get(pk=person.pk)
    before = audit.snapshot(person, PREFERENCE_FIELDS)
    person.email_mode = email_mode
    person.preferred_language = preferred_language
    changes: dict[str, Any] = audit.diff(before, audit.snapshot(person, PREFERENCE_FIELDS))
    if not changes:
        return person
    if before["email_mode"] == "none" and email_mode != "none":
        skipped = Notification.objects.filter(recipient=person, emailed_at__isnull=True).update(
            emailed_at=timezone.now()
        )
        if skipped:
            changes["backlog_not_emailed"] = skipped
    person.save(update_fields=PREFERENCE_FIELDS)
    audit.record(
        actor=person, action="user.notification_preferences", target=person, changes=changes
    )
    return person


@transaction.atomic
def preferred_language_set(*, person: User, language: str) -> User:
    """Set the language of ``person``'s interface and e-mails (the FR/NL/EN switcher while
    signed in). Audited; nothing is recorded when it does not change."""
    if language not in {code for code, _name in settings.LANGUAGES}:
        raise ValueError(f"unknown language {language!r}")
    person = User.objects.select_for_update().get(pk=person.pk)
    before = person.preferred_language
    if before == language:
        return person
    person.preferred_language = language
    person.save(update_fields=["preferred_language"])
    audit.record(
        actor=person,
        action="user.language",
        target=person,
        changes={"preferred_language": [before, language]},
    )
    return person
