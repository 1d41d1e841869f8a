"""Writes of the information exchange: CSIR bulletins, good practices, read receipts.

A bulletin records the language it was written in (by default the author's, from their
interface) and may carry its translation into the other language (``title_translation``,
``body_translation``), given when it is published or added later from the list of texts
to translate.

A published bulletin is not edited: what the task forces were told stays as they read it.
Its author or the CSIR may correct it, which publishes a new version linked to the previous
one (``corrects``), or withdraw it with a reason; neither deletes anything. Those who had
read it (the read receipts of any of its versions) are told, by a notification that names
it; the others simply see the current version, unread, in their list.

Each form publishes once (coordination/core/once.py): sent twice with the same token, the
second POST raises ``once.AlreadyDone`` with the bulletin the first one published.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.audit import services as audit
from coordination.core.bilingual import CONTENT_LANGUAGES, default_language
from coordination.core.once import create_once
from coordination.models import Notification, User
from coordination.notifications.services import notify, ref
from coordination.regional.bulletins import permissions as bulletin_permissions
from coordination.regional.bulletins import selectors as bulletin_selectors
from coordination.regional.bulletins.models import Bulletin, BulletinRead
from hotspots.services.translations import translate
from taskforces.models import TaskForce


def _check_text(title: str, body: str) -> tuple[str, str]:
    title, body = title.strip(), body.strip()
    if not title or not body:
        raise ValidationError(_("Give a title and a text."))
    return title, body


def _translations(language: str | None, title: str, body: str) -> dict[str, str]:
    """The language of a new bulletin and its translations (both or neither)."""
    title, body = title.strip(), body.strip()
    if bool(title) != bool(body):
        raise ValidationError(
            _("Give both the title and the text in the other language, or neither.")
        )
    return {
        "language": language if language in dict(CONTENT_LANGUAGES) else default_language(),
        "title_translation": title,
        "body_translation": body,
    }


# The notifications that announce a new bulletin (to its whole audience).
ANNOUNCEMENTS = ("bulletin_published", "good_practice_shared")
# Every notification that leads to a bulletin's page, cleared when the reader opens it.
LEADING_TO_A_BULLETIN = (*ANNOUNCEMENTS, "bulletin_corrected", "bulletin_withdrawn")


def _url(bulletin: Bulletin) -> str:
    return reverse("bulletins:detail", args=[bulletin.pk])


def _announcement(bulletin: Bulletin) -> tuple[str, dict[str, Any]]:
    """The kind and parameters of the notification announcing ``bulletin``: references,
    named in the reader's language when shown."""
    if bulletin.kind == Bulletin.Kind.GOOD_PRACTICE and bulletin.source_taskforce is not None:
        hotspot = bulletin.source_taskforce.hotspot
        return "good_practice_shared", {
            "title": ref(bulletin, "title"),
            "taskforce": f"{hotspot.code} {hotspot.name_fr}",
            "taskforce_nl": f"{hotspot.code} {hotspot.name_nl}",
        }
    return "bulletin_published", {"title": ref(bulletin, "title")}


def _announce(bulletin: Bulletin) -> None:
    kind, params = _announcement(bulletin)
    notify(
        recipients=bulletin_selectors.audience(bulletin),
        kind=kind,
        params=params,
        url=_url(bulletin),
    )


@transaction.atomic
def bulletin_publish(
    *,
    by: User,
    title: str,
    body: str,
    to_all: bool = True,
    taskforces: Iterable[TaskForce] = (),
    language: str | None = None,
    title_translation: str = "",
    body_translation: str = "",
    once: uuid.UUID | None = None,
) -> Bulletin:
    """Publish a CSIR bulletin to every task force or to the chosen ones, and tell them.

    ``once`` is the form's one-time token: a second call with it publishes nothing and
    raises ``once.AlreadyDone`` with the first bulletin."""
    if not bulletin_permissions.can_publish(by):
        raise PermissionDenied
    title, body = _check_text(title, body)
    texts = _translations(language, title_translation, body_translation)
    chosen = [] if to_all else list(taskforces)
    if not to_all and not chosen:
        raise ValidationError(_("Choose at least one task force, or send to every task force."))

    def publish() -> Bulletin:
        bulletin = Bulletin.objects.create(
            kind=Bulletin.Kind.BULLETIN,
            title=title,
            body=body,
            author=by,
            to_all=to_all,
            submission_token=once,
            **texts,
        )
        bulletin.taskforces.set(chosen)
        audit.record(
            actor=by,
            action="bulletin.publish",
            target=bulletin,
            changes={
                "title": title,
                **texts,
                "to_all": to_all,
                "taskforces": sorted(taskforce.hotspot.code for taskforce in chosen),
            },
        )
        _announce(bulletin)
        return bulletin

    return create_once(model=Bulletin, token=once, create=publish)


@transaction.atomic
def good_practice_share(
    *,
    by: User,
    taskforce: TaskForce,
    title: str,
    body: str,
    language: str | None = None,
    title_translation: str = "",
    body_translation: str = "",
    once: uuid.UUID | None = None,
) -> Bulletin:
    """A member of ``taskforce`` shares one of its good practices with every task force
    (once per form: see :func:`bulletin_publish`)."""
    if not bulletin_permissions.sharing_taskforces(by).filter(pk=taskforce.pk).exists():
        raise PermissionDenied
    title, body = _check_text(title, body)
    texts = _translations(language, title_translation, body_translation)

    def share() -> Bulletin:
        bulletin = Bulletin.objects.create(
            kind=Bulletin.Kind.GOOD_PRACTICE,
            title=title,
            body=body,
            author=by,
            source_taskforce=taskforce,
            to_all=True,
            submission_token=once,
            **texts,
        )
        audit.record(
            actor=by,
            action="bulletin.share_practice",
            target=bulletin,
            changes={"title": title, **texts, "taskforce": taskforce.hotspot.code},
        )
        _announce(bulletin)
        return bulletin

    return create_once(model=Bulletin, token=once, create=share)


# What a correction may change, and what its audit entry compares with the previous version.
CORRECTED_FIELDS = ["title", "body", "language", "title_translation", "body_translation"]
WITHDRAWAL_FIELDS = ["withdrawn_at", "withdrawn_by", "withdrawal_reason"]


def _lock_current(bulletin: Bulletin) -> Bulletin:
    """``bulletin`` locked, if it can still be corrected or withdrawn: the current version
    (not corrected since) and not withdrawn. The lock makes two corrections of the same
    version, or a correction and a withdrawal at once, wait for each other."""
    locked = (
        Bulletin.objects.select_for_update(of=("self",))
        .select_related("source_taskforce__hotspot")
        .get(pk=bulletin.pk)
    )
    if locked.withdrawn_at is not None:
        raise ValidationError(_("This bulletin was withdrawn."))
    if Bulletin.objects.filter(corrects=locked).exists():
        raise ValidationError(
            _("This version was corrected since: correct or withdraw the current version.")
        )
    return locked


@transaction.atomic
def bulletin_correct(
    *,
    bulletin: Bulletin,
    by: User,
    title: str,
    body: str,
    note: str = "",
    language: str | None = None,
    title_translation: str = "",
    body_translation: str = "",
    once: uuid.UUID | None = None,
) -> Bulletin:
    """Correct ``bulletin``: publish its next version to the same audience, linked to it.

    Its author or the CSIR. The previous version stays as it was, readable as history. Who
    had read any earlier version is told "corrected", and the new version is unread for
    them; who was announced the bulletin but never opened it now finds the announcement
    leading to the current version. Audited with the old and new texts.
    """
    if not bulletin_permissions.can_change(by, bulletin):
        raise PermissionDenied
    title, body = _check_text(title, body)
    texts = _translations(language, title_translation, body_translation)
    note = note.strip()

    def correct() -> Bulletin:
        previous = _lock_current(bulletin)
        before = audit.snapshot(previous, CORRECTED_FIELDS)
        correction = Bulletin.objects.create(
            kind=previous.kind,
            title=title,
            body=body,
            author_id=previous.author_id,
            source_taskforce=previous.source_taskforce,
            to_all=previous.to_all,
            version=previous.version + 1,
            corrects=previous,
            original_id=previous.first_version_id,
            corrected_by=by,
            correction_note=note,
            submission_token=once,
            **texts,
        )
        correction.taskforces.set(previous.taskforces.all())
        changes: dict[str, Any] = audit.diff(before, audit.snapshot(correction, CORRECTED_FIELDS))
        changes["version"] = [previous.version, correction.version]
        changes["correction"] = correction.pk
        if note:
            changes["note"] = note
        audit.record(actor=by, action="bulletin.correct", target=previous, changes=changes)
        notify(
            recipients=bulletin_selectors.readers_who_had(correction).exclude(pk=by.pk),
            kind="bulletin_corrected",
            params={"title": ref(correction, "title")},
            url=_url(correction),
        )
        # Announced but never opened: nothing to correct for them, the announcement now
        # leads to the current version (the old one's receipt-less readers never had it).
        kind, params = _announcement(correction)
        Notification.objects.filter(
            kind__in=ANNOUNCEMENTS, url=_url(previous), read_at__isnull=True
        ).update(kind=kind, params=params, url=_url(correction))
        return correction

    return create_once(model=Bulletin, token=once, create=correct)


@transaction.atomic
def bulletin_withdraw(*, bulletin: Bulletin, by: User, reason: str) -> Bulletin:
    """Withdraw the current version of ``bulletin``, with a reason; nothing is deleted.

    Its author or the CSIR. Who had read it (any version) is told "withdrawn" and sees it
    marked withdrawn with the reason; the announcements not yet opened are settled (no
    longer unread, not e-mailed in a digest): those people never had it. Audited.
    """
    if not bulletin_permissions.can_change(by, bulletin):
        raise PermissionDenied
    reason = reason.strip()
    if not reason:
        raise ValidationError(_("Say why the bulletin is withdrawn."))
    locked = _lock_current(bulletin)
    before = audit.snapshot(locked, WITHDRAWAL_FIELDS)
    now = timezone.now()
    locked.withdrawn_at = now
    locked.withdrawn_by = by
    locked.withdrawal_reason = reason
    locked.save(update_fields=WITHDRAWAL_FIELDS)
    audit.record(
        actor=by,
        action="bulletin.withdraw",
        target=locked,
        changes=audit.diff(before, audit.snapshot(locked, WITHDRAWAL_FIELDS)),
    )
    notify(
        recipients=bulletin_selectors.readers_who_had(locked).exclude(pk=by.pk),
        kind="bulletin_withdrawn",
        params={"title": ref(locked, "title")},
        url=_url(locked),
    )
    unopened = Notification.objects.filter(
        kind__in=ANNOUNCEMENTS, url=_url(locked), read_at__isnull=True
    )
    unopened.filter(emailed_at__isnull=True).update(emailed_at=now)
    unopened.update(read_at=now)
    return locked


def bulletin_translate(
    *,
    obj: Bulletin,
    by: User,
    translations: Mapping[str, str],
    expected: Mapping[str, str] | None = None,
) -> Bulletin:
    """Add (or correct) the translation of a bulletin's title and text: its author or the
    CSIR, from the list of texts to translate. Audited; the bulletin itself is unchanged."""
    allowed = (
        Bulletin.TRANSLATED_FIELDS
        if Bulletin.objects.filter(bulletin_selectors.translatable(by), pk=obj.pk).exists()
        else ()
    )
    return translate(obj=obj, by=by, translations=translations, allowed=allowed, expected=expected)


def bulletin_mark_read(*, bulletin: Bulletin, user: User) -> BulletinRead | None:
    """Record that ``user`` opened ``bulletin`` (once), and clear its notification.

    Not audited: the read receipt is itself the record. The author does not "read" their
    own bulletin, so the counts only show the audience.
    """
    if bulletin.author_id == user.pk:
        return None
    receipt, created = BulletinRead.objects.get_or_create(bulletin=bulletin, user=user)
    if created or bulletin.withdrawn_at is not None:
        # A withdrawal is told to those who had already read it: opening it again clears
        # that notice too.
        Notification.objects.filter(
            recipient=user,
            kind__in=LEADING_TO_A_BULLETIN,
            url=_url(bulletin),
            read_at__isnull=True,
        ).update(read_at=timezone.now())
    return receipt
