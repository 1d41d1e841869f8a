"""Reads of the reference data."""

from __future__ import annotations

from django.db.models import QuerySet

from coordination.reference.models import Commune


def communes() -> QuerySet[Commune]:
    return Commune.objects.select_related("police_zone").order_by("name_fr")
