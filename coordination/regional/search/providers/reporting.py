"""Reports in the search, by their hotspot's code and names (a report has no free text).
Who sees which report is ``reporting.permissions.visible_reports``: published ones for
their readers, the police-judicial version only for its circle."""

from __future__ import annotations

from django.db.models import QuerySet
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from coordination.models import User
from coordination.regional.search.selectors import Provider, register
from reporting.models import Report
from reporting.permissions import visible_reports


def _reports(user: User) -> QuerySet[Report]:
    return visible_reports(user).select_related("hotspot")


def _where(report: Report) -> str:
    scope = str(report.hotspot) if report.hotspot is not None else str(_("Region"))
    return f"{scope} · {report.get_audience_display()} · {report.get_status_display()}"


register(
    Provider(
        key="report",
        label=_("Reports"),
        order=90,
        visible=_reports,
        texts=(),
        names=("hotspot__code", "hotspot__name_fr", "hotspot__name_nl"),
        title=str,
        url=lambda report: reverse("reporting:detail", args=[report.pk]),
        where=_where,
        ordering=("-requested_at", "-pk"),
    )
)
