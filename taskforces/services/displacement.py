"""Writes on displacement reports: report, follow up, close. Each one is audited and atomic.

A report reaches the CSIR, the task force of the hotspot it comes from and the task
forces whose hotspot lies within ``DISPLACEMENT_ROUTING_METRES`` of the reported place
(DESIGN.md §8); who it reached, why and at what distance is stored with it
(``DisplacementRouting``), so a later change of hotspots or of the setting does not change
who follows it up.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, ValidationError
from django.db import transaction
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from coordination.audit import services as audit
from coordination.core import bounds
from coordination.models import Commune, User
from coordination.notifications.services import notify, ref
from coordination.people import permissions as policy
from coordination.people.selectors import csir_people
from hotspots.models import Hotspot, Phenomenon
from taskforces.models import DisplacementFollowUp, DisplacementReport, DisplacementRouting
from taskforces.permissions import can_follow_up_displacement, can_report_displacement
from taskforces.selectors import displacement as selectors
from taskforces.services.translations import content_language

Status = DisplacementReport.Status
Severity = DisplacementReport.Severity


def check_point(*, commune: Commune, lon: float | None, lat: float | None) -> None:
    """A point is optional; when given it needs both coordinates and must lie in ``commune``."""
    if lon is None and lat is None:
        return
    if lon is None or lat is None:
        message = _("Give both the longitude and the latitude of the point, or neither.")
        raise ValidationError({NON_FIELD_ERRORS: message})
    found = selectors.commune_of_point(lon, lat)
    if found == commune.nis_code:
        return
    if found is None:
        message = _(
            "The point (%(lon)s, %(lat)s) lies outside the Brussels-Capital Region. "
            "Place it in %(commune)s, or remove it."
        ) % {"lon": round(lon, 5), "lat": round(lat, 5), "commune": commune.name}
    else:
        other = Commune.objects.only("name_fr", "name_nl").get(nis_code=found)
        message = _(
            "The point lies in %(found)s, not in %(commune)s. Choose %(found)s as the "
            "commune, or move the point into %(commune)s."
        ) % {"found": other.name, "commune": commune.name}
    raise ValidationError({NON_FIELD_ERRORS: message})


def _check_report(
    *,
    by: User,
    from_hotspot: Hotspot,
    phenomenon: str,
    commune: Commune,
    place: str,
    observed_on: dt.date,
    severity: str,
    lon: float | None,
    lat: float | None,
) -> None:
    if not can_report_displacement(by):
        raise ValidationError(
            _("Displacement is reported by the CSIR, the police and task-force members.")
        )
    errors: dict[str, list[str]] = {}
    if from_hotspot.status not in selectors.WORKING:
        errors.setdefault("from_hotspot", []).append(
            _("Displacement is reported from an approved or active hotspot.")
        )
    if phenomenon not in Phenomenon.values:
        errors.setdefault("phenomenon", []).append(_("Choose a phenomenon from the list."))
    if severity not in Severity.values:
        errors.setdefault("severity", []).append(_("Choose a severity from the list."))
    if not place.strip():
        errors.setdefault("place", []).append(_("Describe the place the phenomenon moved to."))
    if observed_on > timezone.localdate():
        errors.setdefault("observed_on", []).append(
            _("The observation date cannot be in the future.")
        )
    if errors:
        raise ValidationError(errors)
    check_point(commune=commune, lon=lon, lat=lat)


def _params(report: DisplacementReport) -> dict[str, Any]:
    """The notification's parameters; the ``_nl`` variants are what Dutch readers see."""
    hotspot, commune = report.from_hotspot, report.commune
    return {
        "hotspot": f"{hotspot.code} {hotspot.name_fr}",
        "hotspot_nl": f"{hotspot.code} {hotspot.name_nl}",
        # The place as its reader reads it (named when read), and its commune.
        "place": ref(report, "place", qualifier={"fr": commune.name_fr, "nl": commune.name_nl}),
    }


def _members_of(taskforces: Iterable) -> Iterable[User]:
    return User.objects.filter(memberships__taskforce__in=list(taskforces)).distinct()


@transaction.atomic
def displacement_create(
    *,
    by: User,
    from_hotspot: Hotspot,
    phenomenon: str,
    commune: Commune,
    place: str,
    observed_on: dt.date,
    severity: str,
    lon: float | None = None,
    lat: float | None = None,
    language: str | None = None,
) -> DisplacementReport:
    """Record that a phenomenon moved from a hotspot to a place, route it and tell people.

    The report is routed to the task forces :func:`selectors.routing_for` picks (each
    stored with its reason and distance, and the reach in force) and notified to the CSIR
    and the members of those task forces (not to the reporter). A point, when given, must
    lie in the destination commune; without one, distances run from the commune's edge.
    """
    bounds.check_date(observed_on, bounds.DISPLACEMENT)
    _check_report(
        by=by,
        from_hotspot=from_hotspot,
        phenomenon=phenomenon,
        commune=commune,
        place=place,
        observed_on=observed_on,
        severity=severity,
        lon=lon,
        lat=lat,
    )
    reach = selectors.routing_reach_m()
    report = DisplacementReport.objects.create(
        from_hotspot=from_hotspot,
        phenomenon=phenomenon,
        commune=commune,
        place=place.strip(),
        language=content_language(language),
        lon=None if lon is None else round(lon, 6),
        lat=None if lat is None else round(lat, 6),
        observed_on=observed_on,
        severity=severity,
        reported_by=by,
        routing_reach_m=reach,
    )
    routes = selectors.routing_for(
        from_hotspot=from_hotspot, commune=commune, lon=report.lon, lat=report.lat, reach_m=reach
    )
    DisplacementRouting.objects.bulk_create(
        DisplacementRouting(
            displacementreport=report,
            taskforce=route.taskforce,
            reason=route.reason,
            distance_m=route.distance_m,
        )
        for route in routes
    )
    routed = [route.taskforce for route in routes]
    audit.record(
        actor=by,
        action="displacement.report",
        target=report,
        changes={
            "from_hotspot": from_hotspot.code,
            "commune": commune.nis_code,
            "phenomenon": phenomenon,
            "severity": severity,
            "observed_on": observed_on,
            "point": [report.lon, report.lat] if report.lon is not None else None,
            # Hotspot code → distance in metres; the origin's may exceed the reach.
            "routed_to": {route.taskforce.hotspot.code: route.distance_m for route in routes},
            "routing_reach_m": reach,
            "language": report.language,
        },
    )
    recipients = [*csir_people(), *_members_of(routed)]
    notify(
        recipients=[person for person in recipients if person.pk != by.pk],
        kind="displacement_reported",
        params=_params(report),
        url=reverse("taskforces:displacement_detail", args=[report.pk]),
    )
    return report


@transaction.atomic
def displacement_follow_up(
    *, report: DisplacementReport, by: User, text: str, language: str | None = None
) -> DisplacementFollowUp:
    """Add what was done or seen; the first follow-up moves the report to 'being followed up'."""
    # Lock the report: two first follow-ups at once must not both record the status change.
    report = DisplacementReport.objects.select_for_update().get(pk=report.pk)
    if report.status == Status.CLOSED:
        raise ValidationError(_("This displacement report is closed: it takes no more follow-up."))
    if not can_follow_up_displacement(by, report):
        raise ValidationError(_("The CSIR and the task forces the report reached follow it up."))
    if not text.strip():
        raise ValidationError({"text": [_("Write what was done or seen.")]})
    follow_up = DisplacementFollowUp.objects.create(
        report=report, author=by, text=text.strip(), language=content_language(language)
    )
    changes: dict[str, object] = {"follow_up": follow_up.pk}
    if report.status == Status.OPEN:
        report.status = Status.FOLLOWED_UP
        report.save(update_fields=["status"])
        changes["status"] = [Status.OPEN, Status.FOLLOWED_UP]
    audit.record(actor=by, action="displacement.follow_up", target=report, changes=changes)
    return follow_up


@transaction.atomic
def displacement_close(
    *, report: DisplacementReport, by: User, note: str, language: str | None = None
) -> DisplacementReport:
    """The CSIR closes a report with a note on how it was dealt with; everyone involved is told."""
    report = (
        DisplacementReport.objects.select_for_update()
        .select_related("from_hotspot", "commune")
        .get(pk=report.pk)
    )
    if not policy.is_csir(by):
        raise ValidationError(_("Only the CSIR closes a displacement report."))
    if report.status == Status.CLOSED:
        raise ValidationError(_("This displacement report is already closed."))
    if not note.strip():
        raise ValidationError({"closure_note": [_("Say how the displacement was dealt with.")]})
    before = report.status
    report.status = Status.CLOSED
    report.closed_at = timezone.now()
    report.closure_note = note.strip()
    report.closure_note_language = content_language(language)
    report.save(update_fields=["status", "closed_at", "closure_note", "closure_note_language"])
    audit.record(
        actor=by,
        action="displacement.close",
        target=report,
        changes={
            "status": [before, Status.CLOSED],
            "closure_note": report.closure_note,
            "closure_note_language": report.closure_note_language,
        },
    )
    recipients = [report.reported_by, *_members_of(report.routed_to.all())]
    notify(
        recipients=[person for person in recipients if person.pk != by.pk],
        kind="displacement_closed",
        params=_params(report),
        url=reverse("taskforces:displacement_detail", args=[report.pk]),
    )
    return report
