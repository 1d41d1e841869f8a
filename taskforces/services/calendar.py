"""Writes on a person's calendar address: create, renew, revoke, each audited.

The token is returned to the caller to be shown once and is never written anywhere else
(not in the audit trail, not in a log): only its hash is stored.
"""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.audit import services as audit
from coordination.people import calendar as feed_secrets
from coordination.people.models import CalendarFeed, User


def _lock(user: User) -> None:
    # Serialise the person's own changes (two tabs renewing at once); the conditional unique
    # constraint is the last guard.
    User.objects.select_for_update().filter(pk=user.pk).first()


def _revoke(feed: CalendarFeed, *, by: User, action: str) -> None:
    feed.revoked_at = timezone.now()
    feed.save(update_fields=["revoked_at"])
    audit.record(
        actor=by,
        action=action,
        target=feed,
        changes={"revoked_at": [None, feed.revoked_at]},
    )


def _create(user: User, *, action: str, replaces: CalendarFeed | None) -> tuple[CalendarFeed, str]:
    token = feed_secrets.new_token()
    feed = CalendarFeed.objects.create(user=user, token_hash=feed_secrets.token_hash(token))
    changes = {"replaces": replaces.pk} if replaces is not None else {}
    audit.record(actor=user, action=action, target=feed, changes=changes)
    return feed, token


@transaction.atomic
def calendar_feed_create(*, user: User) -> tuple[CalendarFeed, str]:
    """Give ``user`` a calendar address; returns it with its token, to be shown once."""
    _lock(user)
    if feed_secrets.current_feed(user.pk) is not None:
        raise ValidationError(
            _("You already have a calendar address. Renew it to get a new one."),
            code="exists",
        )
    return _create(user, action="calendar_feed.create", replaces=None)


@transaction.atomic
def calendar_feed_renew(*, user: User) -> tuple[CalendarFeed, str]:
    """Revoke ``user``'s address (if any) and give a new one: the old one answers 404."""
    _lock(user)
    old = feed_secrets.current_feed(user.pk)
    if old is not None:
        _revoke(old, by=user, action="calendar_feed.revoke")
    return _create(user, action="calendar_feed.renew", replaces=old)


@transaction.atomic
def calendar_feed_revoke(*, user: User) -> CalendarFeed | None:
    """Revoke ``user``'s address; the calendar apps using it get 404 from now on.

    Returns the revoked address, or None when there was none (a second click)."""
    _lock(user)
    feed = feed_secrets.current_feed(user.pk)
    if feed is not None:
        _revoke(feed, by=user, action="calendar_feed.revoke")
    return feed
