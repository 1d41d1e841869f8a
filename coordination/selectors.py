"""Reads of the regional layer."""

from __future__ import annotations

import datetime as dt

import redis
from django.conf import settings
from django.db.models import QuerySet
from django.utils import timezone

from coordination.models import Commune, PoliceZone, Strategy, StrategyPeriod, User
from coordination.permissions import CSIR_ROLES

# From this many days before a period ends, the CoReS must decide to extend or stop.
DECISION_WARNING_DAYS = 60


def today() -> dt.date:
    return timezone.localdate()


def current_period(*, on: dt.date | None = None) -> StrategyPeriod | None:
    """The strategy period in force on ``on`` (today by default), or None between periods."""
    on = on or today()
    return (
        StrategyPeriod.objects.select_related("strategy")
        .filter(starts_on__lte=on, ends_on__gte=on)
        .order_by("-strategy__adopted_on", "-number")
        .first()
    )


def csir_people() -> QuerySet[User]:
    """The active staff of the regional cell, who are told of every regional event."""
    return User.objects.filter(role__in=CSIR_ROLES, is_active=True)


def communes() -> QuerySet[Commune]:
    return Commune.objects.select_related("police_zone").order_by("name_fr")


def police_zones() -> QuerySet[PoliceZone]:
    return PoliceZone.objects.prefetch_related("communes").order_by("number")


def strategy_summary(*, on: dt.date | None = None) -> dict:
    """The strategies with their periods, the one in force and how long it has left."""
    on = on or today()
    strategies = list(
        Strategy.objects.prefetch_related("periods__decision__meeting").order_by("-adopted_on")
    )
    period = current_period(on=on)
    days_left = (period.ends_on - on).days if period else None
    return {
        "strategies": strategies,
        "period": period,
        "days_left": days_left,
        "decision_due": days_left is not None and days_left <= DECISION_WARNING_DAYS,
        "today": on,
    }


def broker_status() -> str | None:
    """'ok' when the Celery broker answers, an error text when not, None when there is none."""
    if not settings.REDIS_URL:
        return None
    try:
        redis.Redis.from_url(settings.REDIS_URL, socket_timeout=2).ping()
    except redis.RedisError as exc:
        return f"error: {exc.__class__.__name__}"
    return "ok"
