"""Reads of the information exchange: who receives which bulletin, who read it, unread counts.

The audience rule, written once here as a database condition (``audience_filter``) and as
a list of people (``audience``):

- a bulletin to every task force (and every good practice) reaches every member of every
  task force, the CSIR, the CoReS members and the mayors;
- a bulletin to chosen task forces reaches their members and the CSIR.

The author always sees what they posted. A bulletin outside one's audience answers 404.

A correction is a new version (``corrects``); the lists show the current versions only, the
older ones are read from the bulletin's history. A withdrawn bulletin stays listed, marked
withdrawn, for the CSIR, its author and those who had read it; the others, who never had
it, no longer see it in their list (its page still says it was withdrawn, and why).
"""

from __future__ import annotations

import uuid
from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from coordination.models import User
from coordination.people import permissions as policy
from coordination.people.permissions import CSIR_ROLES
from coordination.regional.bulletins.models import Bulletin, BulletinRead
from coordination.regional.bulletins.permissions import (
    TO_ALL_ROLES,
    can_change,
    sees_readers,
    visible_bulletins,
)
from taskforces.models import Membership

# The latest versions (not corrected since); the current ones are also not withdrawn.
LATEST = Q(correction__isnull=True)
CURRENT = LATEST & Q(withdrawn_at__isnull=True)


def unread_count(user: User | AnonymousUser) -> int:
    """How many bulletins ``user`` received and has not opened yet: one query."""
    if not user.is_authenticated:
        return 0
    return (
        visible_bulletins(user)
        .filter(CURRENT)
        .exclude(author_id=user.pk)
        .filter(~Exists(BulletinRead.objects.filter(bulletin=OuterRef("pk"), user_id=user.pk)))
        .count()
    )


def audience(bulletin: Bulletin) -> QuerySet[User]:
    """The active people a bulletin reaches (the author excluded)."""
    if bulletin.to_all:
        reached = Q(role__in=TO_ALL_ROLES) | Q(pk__in=Membership.objects.values("user_id"))
    else:
        members = Membership.objects.filter(taskforce__in=bulletin.taskforces.all())
        reached = Q(role__in=CSIR_ROLES) | Q(pk__in=members.values("user_id"))
    return User.objects.filter(reached, is_active=True).exclude(pk=bulletin.author_id)


def readers_who_had(bulletin: Bulletin) -> QuerySet[User]:
    """The people of the audience who had read ``bulletin`` or an earlier version of it."""
    receipts = BulletinRead.objects.filter(bulletin__in=versions(bulletin).values("pk"))
    return audience(bulletin).filter(pk__in=receipts.values("user_id"))


def sent_with(user: User, token: uuid.UUID | None) -> Bulletin | None:
    """The bulletin a form page with the one-time ``token`` already published, if any."""
    if token is None:
        return None
    return visible_bulletins(user).filter(submission_token=token).first()


def versions(bulletin: Bulletin) -> QuerySet[Bulletin]:
    """Every version of ``bulletin``, the first first."""
    root = bulletin.first_version_id
    return Bulletin.objects.filter(Q(pk=root) | Q(original_id=root)).order_by("version", "pk")


def bulletin_list(user: User, *, kind: str = "", unread: bool = False) -> QuerySet[Bulletin]:
    """The current bulletins ``user`` receives, newest first, each with ``is_read`` and
    ``read_count``; withdrawn ones only for those who had them (module docstring).

    Three queries whatever their number (the bulletins, their task forces, their hotspots).
    """
    bulletins = (
        visible_bulletins(user)
        .filter(LATEST)
        .select_related("author__agency", "source_taskforce__hotspot")
        .prefetch_related("taskforces__hotspot")
        .annotate(
            is_read=ExpressionWrapper(
                Exists(BulletinRead.objects.filter(bulletin=OuterRef("pk"), user_id=user.pk))
                | Q(author_id=user.pk),
                output_field=BooleanField(),
            ),
            read_count=Count("reads", distinct=True),
        )
        .order_by("-published_at", "-id")
    )
    if not policy.is_csir(user):
        bulletins = bulletins.filter(Q(withdrawn_at__isnull=True) | Q(is_read=True))
    if kind:
        bulletins = bulletins.filter(kind=kind)
    if unread:
        bulletins = bulletins.filter(is_read=False, withdrawn_at__isnull=True)
    return bulletins


def readers(bulletin: Bulletin) -> list[BulletinRead]:
    return list(
        BulletinRead.objects.filter(bulletin=bulletin)
        .select_related("user__agency")
        .order_by("read_at", "id")
    )


def bulletin_page(user: User, bulletin: Bulletin) -> dict[str, Any]:
    history = list(versions(bulletin).select_related("corrected_by", "withdrawn_by"))
    current = history[-1] if history else bulletin
    context: dict[str, Any] = {
        "bulletin": bulletin,
        "taskforces": list(bulletin.taskforces.select_related("hotspot")),
        "sees_readers": sees_readers(user, bulletin),
        # Every version, when there is more than one; the newest is the current one.
        "history": history if len(history) > 1 else [],
        "current": current,
        "is_current": current.pk == bulletin.pk,
        "can_change": (
            current.pk == bulletin.pk
            and bulletin.withdrawn_at is None
            and can_change(user, bulletin)
        ),
    }
    if context["sees_readers"]:
        context["read_count"] = bulletin.reads.count()
        context["audience_size"] = audience(bulletin).count()
    return context


def readers_page(bulletin: Bulletin) -> dict[str, Any]:
    """Who read the bulletin and when, and who has not opened it yet; three queries."""
    receipts = readers(bulletin)
    not_yet = (
        audience(bulletin)
        .exclude(pk__in=BulletinRead.objects.filter(bulletin=bulletin).values("user_id"))
        .select_related("agency")
        .order_by("agency__name_fr", "last_name", "first_name")
    )
    return {"bulletin": bulletin, "readers": receipts, "not_yet": list(not_yet)}


def translatable(user: User) -> Q:
    """The bulletins ``user`` may translate: the CSIR every one, an author their own."""
    if not (user.is_authenticated and user.is_active):
        return Q(pk__in=[])
    return Q() if user.role in CSIR_ROLES else Q(author=user)
