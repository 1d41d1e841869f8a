"""Reads of the information exchange: who receives which bulletin, who read it, unread counts.

The audience rule, written once here as a database condition (``audience_filter``) and as
a list of people (``audience``):

- a bulletin to every task force (and every good practice) reaches every member of every
  task force, the CSIR, the CoReS members and the mayors;
- a bulletin to chosen task forces reaches their members and the CSIR.

The author always sees what they posted. A bulletin outside one's audience answers 404.
"""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import AnonymousUser
from django.db.models import BooleanField, Count, Exists, ExpressionWrapper, OuterRef, Q, QuerySet

from coordination.models import User
from coordination.people.permissions import CSIR_ROLES
from coordination.regional.bulletins.models import Bulletin, BulletinRead
from coordination.regional.bulletins.permissions import (
    TO_ALL_ROLES,
    sees_readers,
    visible_bulletins,
)
from taskforces.models import Membership


def unread_count(user: User | AnonymousUser) -> int:
    """How many bulletins ``user`` received and has not opened yet: one query."""
    if not user.is_authenticated:
        return 0
    return (
        visible_bulletins(user)
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


def bulletin_list(user: User, *, kind: str = "", unread: bool = False) -> QuerySet[Bulletin]:
    """The bulletins ``user`` receives, newest first, each with ``is_read`` and ``read_count``.

    Three queries whatever their number (the bulletins, their task forces, their hotspots).
    """
    bulletins = (
        visible_bulletins(user)
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
    if kind:
        bulletins = bulletins.filter(kind=kind)
    if unread:
        bulletins = bulletins.filter(is_read=False)
    return bulletins


def readers(bulletin: Bulletin) -> list[BulletinRead]:
    return list(
        BulletinRead.objects.filter(bulletin=bulletin)
        .select_related("user__agency")
        .order_by("read_at", "id")
    )


def bulletin_page(user: User, bulletin: Bulletin) -> dict[str, Any]:
    context: dict[str, Any] = {
        "bulletin": bulletin,
        "taskforces": list(bulletin.taskforces.select_related("hotspot")),
        "sees_readers": sees_readers(user, bulletin),
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
