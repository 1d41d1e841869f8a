"""E-mail of notifications: one by one for 'immediate' people, a daily digest for 'digest'
people, and a sweeper so that a failing mail server delays mail but loses none.

``Notification.emailed_at`` is set only after the mail server accepted the message; each
job claims the rows it sends with ``select_for_update(skip_locked=True)`` and re-checks
``emailed_at IS NULL`` under the lock, so two runs of a job (a retry and a sweep, or two
workers) never send the same notification twice. Called by the Celery jobs in
``coordination.tasks``; testable without Celery.
"""

from __future__ import annotations

import datetime as dt
import smtplib
from collections.abc import Iterable
from typing import Any

from django.conf import settings
from django.core.mail import EmailMessage
from django.db import transaction
from django.db.models import Exists, F, OuterRef, Q
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils import timezone, translation

from coordination.notifications.models import Notification
from coordination.notifications.services import (
    GROUPS,
    OTHER_GROUP,
    Attachment,
    Objects,
    attachments,
    group_label,
    message,
    referenced,
)
from coordination.outbox import services as outbox
from coordination.people.models import User

MAIL_ERRORS = (OSError, smtplib.SMTPException)
# An 'immediate' notification still unsent after this long is queued again by the sweeper.
SWEEP_AFTER = dt.timedelta(minutes=10)
SWEEP_BATCH = 50
SWEEP_LIMIT = 2000

# Who may receive e-mail at all: active people with an address.
_REACHABLE = Q(recipient__is_active=True) & ~Q(recipient__email="")
_IMMEDIATE = _REACHABLE & Q(recipient__email_mode="immediate")


def _link(path: str) -> str:
    return settings.PORTAL_BASE_URL.rstrip("/") + path if path else ""


def _render(template: str, person: User, context: dict[str, Any]) -> tuple[str, str]:
    """Subject and body of ``template`` for ``person``, in their language (context built
    inside, so that the notification texts are in that language too)."""
    ctx = {
        **context,
        "person": person,
        "base_url": settings.PORTAL_BASE_URL.rstrip("/"),
        "centre_link": _link(reverse("notifications:list")),
        "preferences_link": _link(reverse("notifications:preferences")),
    }
    subject = " ".join(render_to_string(f"{template}_subject.txt", ctx).split())
    body = render_to_string(f"{template}_body.txt", ctx)
    return subject, body


def _item(notification: Notification, objects: Objects | None = None) -> dict[str, Any]:
    return {
        "text": message(notification, objects),
        "link": _link(notification.url),
        "at": notification.created_at,
        "kind": notification.kind,
    }


def _send(person: User, subject: str, body: str, files: Iterable[Attachment] = ()) -> None:
    # The default mailer (settings.MAILERS); SMTP errors propagate to the caller.
    email = EmailMessage(subject=subject, body=body, to=[person.email])
    for name, content, mimetype in files:
        email.attach(name, content, mimetype)
    email.send()


def _count_failure(ids: Iterable[int]) -> None:
    # Outside the rolled-back transaction of the send, so that the count stays.
    Notification.objects.filter(pk__in=list(ids)).update(email_attempts=F("email_attempts") + 1)


# --- Immediate ---------------------------------------------------------------------------


def send_immediate(ids: Iterable[int]) -> int:
    """E-mail each of these notifications not yet e-mailed whose recipient still chose
    'immediate'; returns how many were sent.

    On a mail server error the notification's ``email_attempts`` grows and the error is
    raised again (after the notifications before it were sent and marked), so the Celery
    task retries the rest later; the sweeper catches whatever the retries leave.
    """
    sent = 0
    for pk in sorted(set(ids)):
        try:
            sent += _send_one(pk)
        except MAIL_ERRORS:
            _count_failure([pk])
            raise
    return sent


def _send_one(pk: int) -> int:
    with transaction.atomic():
        notification = (
            Notification.objects.select_for_update(skip_locked=True, of=("self",))
            .select_related("recipient")
            .filter(_IMMEDIATE, pk=pk, emailed_at__isnull=True)
            .first()
        )
        if notification is None:
            return 0
        person = notification.recipient
        with translation.override(person.preferred_language):
            subject, body = _render(
                "coordination/email/notification", person, {"item": _item(notification)}
            )
            files = attachments(notification)
        _send(person, subject, body, files)
        notification.emailed_at = timezone.now()
        notification.save(update_fields=["emailed_at"])
    return 1


# --- Daily digest ------------------------------------------------------------------------


def send_digests(now: dt.datetime) -> int:
    """One e-mail per 'digest' person listing every notification not yet e-mailed (created
    up to ``now``), grouped by subject, then marks them e-mailed. Returns how many e-mails.

    A mail server error raises after counting the attempt: the task retries, and the people
    already served have nothing left to send.
    """
    pending = Notification.objects.filter(
        recipient=OuterRef("pk"), emailed_at__isnull=True, created_at__lte=now
    )
    people = (
        User.objects.filter(email_mode="digest", is_active=True)
        .exclude(email="")
        .filter(Exists(pending))
        .order_by("pk")
    )
    return sum(_send_digest(person, now) for person in people)


def _digest_groups(notifications: list[Notification]) -> list[dict[str, Any]]:
    order = [str(label) for label, _kinds in GROUPS] + [str(OTHER_GROUP)]
    groups: dict[str, list[dict[str, Any]]] = {}
    objects = referenced(notifications)
    for notification in notifications:
        item = _item(notification, objects)
        groups.setdefault(str(group_label(notification.kind)), []).append(item)
    return [{"label": label, "items": groups[label]} for label in sorted(groups, key=order.index)]


def _send_digest(person: User, now: dt.datetime) -> int:
    ids: list[int] = []
    try:
        with transaction.atomic():
            notifications = list(
                Notification.objects.select_for_update(skip_locked=True)
                .filter(recipient=person, emailed_at__isnull=True, created_at__lte=now)
                .order_by("created_at", "id")
            )
            if not notifications:
                return 0
            ids = [n.pk for n in notifications]
            with translation.override(person.preferred_language):
                context = {"groups": _digest_groups(notifications), "total": len(ids)}
                subject, body = _render("coordination/email/digest", person, context)
                # One file per name: a meeting scheduled then moved is sent once, as it is.
                files = list({f[0]: f for n in notifications for f in attachments(n)}.values())
            _send(person, subject, body, files)
            Notification.objects.filter(pk__in=ids).update(emailed_at=timezone.now())
    except MAIL_ERRORS:
        _count_failure(ids)
        raise
    return 1


# --- The sweeper -------------------------------------------------------------------------


def sweep_unsent(now: dt.datetime) -> int:
    """Queue again the 'immediate' notifications still unsent ``SWEEP_AFTER`` after their
    creation (a worker died, the broker was down, the retries ran out): the guarantee that
    no e-mail is lost. Returns how many were queued.
    """
    ids = list(
        Notification.objects.filter(
            _IMMEDIATE, emailed_at__isnull=True, created_at__lte=now - SWEEP_AFTER
        )
        .order_by("created_at", "id")
        .values_list("pk", flat=True)[:SWEEP_LIMIT]
    )
    with transaction.atomic():
        for start in range(0, len(ids), SWEEP_BATCH):
            outbox.enqueue(
                "coordination.email_notifications",
                notification_ids=ids[start : start + SWEEP_BATCH],
            )
    return len(ids)
