"""Writes of the information exchange: CSIR bulletins, good practices, read receipts.

A bulletin records the language it was written in (by default the author's, from their
interface) and may carry its translation into the other language (``title_translation``,
``body_translation``), given when it is published or added later from the list of texts
to translate.

A published bulletin is not edited: what the task forces were told stays as they read it.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.audit import services as audit
from coordination.core.bilingual import CONTENT_LANGUAGES, default_language
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


def _announce(bulletin: Bulletin, *, kind: str, params: dict[str, Any]) -> None:
    notify(
        recipients=bulletin_selectors.audience(bulletin),
        kind=kind,
        params=params,
        url=reverse("bulletins:detail", args=[bulletin.pk]),
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
) -> Bulletin:
    """Publish a CSIR bulletin to every task force or to the chosen ones, and tell them."""
    if not bulletin_permissions.can_publish(by):
        raise PermissionDenied
    title, body = _check_text(title, body)
    texts = _translations(language, title_translation, body_translation)
    chosen = [] if to_all else list(taskforces)
    if not to_all and not chosen:
        raise ValidationError(_("Choose at least one task force, or send to every task force."))
    bulletin = Bulletin.objects.create(
        kind=Bulletin.Kind.BULLETIN, title=title, body=body, author=by, to_all=to_all, **texts
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
    _announce(bulletin, kind="bulletin_published", params={"title": ref(bulletin, "title")})
    return bulletin


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
) -> Bulletin:
    """A member of ``taskforce`` shares one of its good practices with every task force."""
    if not bulletin_permissions.sharing_taskforces(by).filter(pk=taskforce.pk).exists():
        raise PermissionDenied
    title, body = _check_text(title, body)
    texts = _translations(language, title_translation, body_translation)
    bulletin = Bulletin.objects.create(
        kind=Bulletin.Kind.GOOD_PRACTICE,
        title=title,
        body=body,
        author=by,
        source_taskforce=taskforce,
        to_all=True,
        **texts,
    )
    audit.record(
        actor=by,
        action="bulletin.share_practice",
        target=bulletin,
        changes={"title": title, **texts, "taskforce": taskforce.hotspot.code},
    )
    _announce(
        bulletin,
        kind="good_practice_shared",
        params={
            "title": ref(bulletin, "title"),
            "taskforce": f"{taskforce.hotspot.code} {taskforce.hotspot.name_fr}",
            "taskforce_nl": f"{taskforce.hotspot.code} {taskforce.hotspot.name_nl}",
        },
    )
    return bulletin


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
    if created:
        Notification.objects.filter(
            recipient=user,
            kind__in=["bulletin_published", "good_practice_shared"],
            url=reverse("bulletins:detail", args=[bulletin.pk]),
            read_at__isnull=True,
        ).update(read_at=timezone.now())
    return receipt
