"""Demo displacement reports: one open (Gare du Midi → Saint-Antoine, Forest, with a point)
and one followed up and closed (Étangs Noirs → Koekelberg).

Idempotent: a report is looked up by its origin hotspot and place. Seed it after the task
forces (taskforces/demo.py) so the reports reach them; it works without them too.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from coordination.models import Commune, User
from hotspots.models import Hotspot, Phenomenon
from taskforces.models import DisplacementFollowUp, DisplacementReport
from taskforces.permissions import can_follow_up_displacement
from taskforces.services.displacement import (
    displacement_close,
    displacement_create,
    displacement_follow_up,
)

Severity = DisplacementReport.Severity


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _follower(report: DisplacementReport, people: dict[str, User], *usernames: str) -> User:
    """The first of ``usernames`` who may follow the report up, else the CSIR analyst."""
    for username in usernames:
        person = people.get(username)
        if person is not None and can_follow_up_displacement(person, report):
            return person
    return people["csir.analyst"]


def _report(
    *,
    by: User,
    hotspot: Hotspot,
    commune: str,
    place: str,
    days_ago: int,
    **fields,
) -> tuple[DisplacementReport, bool]:
    existing = DisplacementReport.objects.filter(from_hotspot=hotspot, place=place).first()
    if existing is not None:
        return existing, False
    observed_on = timezone.localdate() - dt.timedelta(days=days_ago)
    report = displacement_create(
        by=by,
        from_hotspot=hotspot,
        commune=Commune.objects.get(nis_code=commune),
        place=place,
        observed_on=observed_on,
        **fields,
    )
    # The demo replays the past: date the report the morning after the observation.
    DisplacementReport.objects.filter(pk=report.pk).update(
        reported_at=_at(observed_on + dt.timedelta(days=1), 9)
    )
    return report, True


def _dated_follow_up(report: DisplacementReport, by: User, text: str, day: dt.date) -> None:
    follow_up = displacement_follow_up(report=report, by=by, text=text)
    DisplacementFollowUp.objects.filter(pk=follow_up.pk).update(at=_at(day, 14))


def seed(*, people: dict[str, User], hotspots: dict[str, Hotspot]) -> None:
    analyst = people["csir.analyst"]
    closer = people.get("csir.coordinator", analyst)
    today = timezone.localdate()

    if "HS10" in hotspots:
        _report(
            by=people.get("police.midi", analyst),
            hotspot=hotspots["HS10"],
            commune="21007",
            place="Parvis Saint-Antoine, autour de l'église",
            days_ago=5,
            phenomenon=Phenomenon.DEALING,
            severity=Severity.MEDIUM,
            lon=4.3318,
            lat=50.8172,
        )

    if "HS12" in hotspots:
        report, created = _report(
            by=people.get("police.ouest", analyst),
            hotspot=hotspots["HS12"],
            commune="21011",
            place="Parc Élisabeth, côté basilique",
            days_ago=75,
            phenomenon=Phenomenon.DRIVE_IN,
            severity=Severity.LOW,
        )
        if created:
            _dated_follow_up(
                report,
                _follower(report, people, "police.ouest", "tfl.hs13.coordinator"),
                "Deux points de vente en voiture repérés le long du parc; contrôles "
                "ciblés menés avec la zone Ouest.",
                today - dt.timedelta(days=68),
            )
            _dated_follow_up(
                report,
                analyst,
                "Point fait en réunion CSIR: pas de nouveau signalement depuis trois semaines.",
                today - dt.timedelta(days=40),
            )
            report = displacement_close(
                report=report,
                by=closer,
                note="Plus de signalement depuis six semaines; suivi repris par la task "
                "force Ribaucourt.",
            )
            DisplacementReport.objects.filter(pk=report.pk).update(
                closed_at=_at(today - dt.timedelta(days=30), 11)
            )
