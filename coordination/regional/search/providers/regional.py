"""Bulletins and the CoReS' meetings and decisions in the search. Who sees them:
``coordination.regional.bulletins.permissions.visible_bulletins`` (the audience of each
bulletin) and ``coordination.regional.cores.permissions.can_read_cores``."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coordination.core import dates
from coordination.models import CoresDecision, CoresMeeting, User
from coordination.regional.bulletins.models import Bulletin
from coordination.regional.bulletins.permissions import visible_bulletins
from coordination.regional.cores import permissions as cores_permissions
from coordination.regional.search.selectors import Provider, register


def _bulletins(user: User) -> QuerySet[Bulletin]:
    return visible_bulletins(user).select_related("source_taskforce__hotspot")


def _bulletin_where(bulletin: Bulletin) -> str:
    source = bulletin.source_taskforce
    origin = source.hotspot.code if source is not None else _("CSIR")
    return f"{bulletin.get_kind_display()} · {origin} · {dates.long_date(bulletin.published_at)}"


def _cores_meetings(user: User) -> QuerySet[CoresMeeting]:
    if not cores_permissions.can_read_cores(user):
        return CoresMeeting.objects.none()
    return CoresMeeting.objects.all()


def _cores_decisions(user: User) -> QuerySet[CoresDecision]:
    if not cores_permissions.can_read_cores(user):
        return CoresDecision.objects.none()
    return CoresDecision.objects.select_related("meeting")


register(
    Provider(
        key="bulletin",
        label=_("Bulletins and good practices"),
        order=70,
        visible=_bulletins,
        texts=("title", "body"),
        excerpt=("body",),
        title=lambda bulletin: bulletin.text_in("title"),
        url=lambda bulletin: reverse("bulletins:detail", args=[bulletin.pk]),
        where=_bulletin_where,
        ordering=("-published_at", "-pk"),
        indexed=True,
    )
)
register(
    Provider(
        key="cores-meeting",
        label=_("CoReS meetings"),
        order=100,
        visible=_cores_meetings,
        texts=("occasion", "agenda"),
        excerpt=("agenda",),
        title=str,
        url=lambda meeting: reverse("cores:detail", args=[meeting.pk]),
        where=lambda meeting: meeting.text_in("occasion"),
        ordering=("-held_on", "-pk"),
    )
)
register(
    Provider(
        key="cores-decision",
        label=_("CoReS decisions"),
        order=110,
        visible=_cores_decisions,
        texts=("text",),
        excerpt=(),
        title=lambda decision: decision.text_in("text"),
        url=lambda decision: reverse("cores:detail", args=[decision.meeting_id]),
        where=str,
        ordering=("-meeting__held_on", "-pk"),
    )
)
