"""The secret of a person's calendar address: made, hashed and looked up here.

The token is 32 random bytes (``secrets.token_urlsafe``), given to the person once; the
database keeps only its SHA-256. A lookup hashes what was presented and finds the row by
that hash, so the time it takes tells nothing about the token (an index walk on a hash
leaks at most a prefix of the hash, which does not help to forge a token), and the hash is
compared once more with :func:`hmac.compare_digest`. The writes (create, renew, revoke)
are audited by ``taskforces.services.calendar``, a layer above the audit trail.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import hmac
import re
import secrets

from django.utils import timezone

from coordination.people.models import CalendarFeed

TOKEN_BYTES = 32
# token_urlsafe(32): 43 characters of the URL-safe base64 alphabet.
TOKEN_PATTERN = re.compile(r"[A-Za-z0-9_-]{43}")
# A calendar app polls often: the use is written at most once in this interval.
TOUCH_INTERVAL = dt.timedelta(minutes=1)


def new_token() -> str:
    return secrets.token_urlsafe(TOKEN_BYTES)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8")).hexdigest()


def active_feed(token: str) -> CalendarFeed | None:
    """The live address ``token`` opens, with its person, or None (unknown, revoked,
    malformed, or its person deactivated). One query."""
    if not TOKEN_PATTERN.fullmatch(token):
        return None
    presented = token_hash(token)
    feed = (
        CalendarFeed.objects.select_related("user__agency")
        .filter(token_hash=presented, revoked_at__isnull=True, user__is_active=True)
        .first()
    )
    if feed is None or not hmac.compare_digest(feed.token_hash, presented):
        return None
    return feed


def current_feed(user_id: int) -> CalendarFeed | None:
    """The person's live address (its dates only: the token is not kept)."""
    return CalendarFeed.objects.filter(user_id=user_id, revoked_at__isnull=True).first()


def touch(feed: CalendarFeed) -> None:
    """Note that the address was used, at most once per ``TOUCH_INTERVAL``: calendar apps
    poll every few minutes and a write per poll would be wasted."""
    now = timezone.now()
    if feed.last_used_at is not None and now - feed.last_used_at < TOUCH_INTERVAL:
        return
    CalendarFeed.objects.filter(pk=feed.pk).update(last_used_at=now)
    feed.last_used_at = now
