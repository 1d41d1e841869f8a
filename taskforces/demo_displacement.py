"""Demo displacement reports: one open (Gare du Midi → Saint-Antoine, Forest, with a point)
and one followed up and closed (Étangs Noirs → Koekelberg).

The reporters write in their language (the Midi zone's officer in Dutch); the Étangs
Noirs report and its follow-ups carry their translation, the new one not yet.

Idempotent: a report is looked up by its origin hotspot and place. Seed it after the task
forces (taskforces/demo.py) so the reports reach them; it works without them too.
"""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from coordination.core import workdays
from coordination.core.demo_texts import stored
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

# The texts in Dutch, by their French text.
NL = {
    "Parvis Saint-Antoine, autour de l'église": "Sint-Antoniusvoorplein, rond de kerk",
    "Parc Élisabeth, côté basilique": "Elisabethpark, aan de kant van de basiliek",
    "Deux points de vente en voiture repérés le long du parc ; contrôles ciblés menés avec "
    "la zone Ouest.": "Twee verkooppunten vanuit de auto opgemerkt langs het park; gerichte "
    "controles uitgevoerd met de zone West.",
    "Point fait en réunion CSIR : pas de nouveau signalement depuis trois semaines.": "Besproken "
    "op de vergadering van de CSIR: al drie weken geen nieuwe melding.",
    "Plus de signalement depuis six semaines ; suivi repris par la task force Ribaucourt.": (
        "Al zes weken geen meldingen meer; de opvolging wordt overgenomen door de taskforce "
        "Ribaucourt."
    ),
}


def _written(user: User) -> str:
    return "nl" if user.preferred_language == "nl" else "fr"


def _texts(fields: dict[str, str], *, original: str, translated: bool = True) -> dict[str, str]:
    return stored(
        {name: (french, NL[french]) for name, french in fields.items()},
        original=original,
        translated=translated,
    )


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
    translated: bool = True,
    **fields,
) -> tuple[DisplacementReport, bool]:
    """The report of ``place`` (French; written in the reporter's language)."""
    texts = _texts({"place": place}, original=_written(by), translated=translated)
    existing = DisplacementReport.objects.filter(
        from_hotspot=hotspot, place__in={place, texts["place"]}
    ).first()
    if existing is not None:
        return existing, False
    observed_on = timezone.localdate() - dt.timedelta(days=days_ago)
    report = displacement_create(
        by=by,
        from_hotspot=hotspot,
        commune=Commune.objects.get(nis_code=commune),
        place=texts["place"],
        observed_on=observed_on,
        **fields,
    )
    # The demo replays the past: date the report the morning after the observation.
    DisplacementReport.objects.filter(pk=report.pk).update(
        reported_at=_at(observed_on + dt.timedelta(days=1), 9), **texts
    )
    report.refresh_from_db()
    return report, True


def _dated_follow_up(report: DisplacementReport, by: User, text: str, day: dt.date) -> None:
    """A follow-up (French text, written in ``by``'s language, translated) on a working day."""
    texts = _texts({"text": text}, original=_written(by))
    follow_up = displacement_follow_up(
        report=report, by=by, text=texts["text"], language=texts["language"]
    )
    DisplacementFollowUp.objects.filter(pk=follow_up.pk).update(
        at=_at(workdays.on_or_before(day), 14), **texts
    )


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
            translated=False,  # reported this week: not translated yet
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
                "Deux points de vente en voiture repérés le long du parc ; contrôles "
                "ciblés menés avec la zone Ouest.",
                today - dt.timedelta(days=68),
            )
            _dated_follow_up(
                report,
                analyst,
                "Point fait en réunion CSIR : pas de nouveau signalement depuis trois semaines.",
                today - dt.timedelta(days=40),
            )
            note = _texts(
                {
                    "closure_note": "Plus de signalement depuis six semaines ; suivi repris "
                    "par la task force Ribaucourt."
                },
                original=_written(closer),
            )
            report = displacement_close(
                report=report, by=closer, note=note["closure_note"], language=note["language"]
            )
            DisplacementReport.objects.filter(pk=report.pk).update(
                closed_at=_at(workdays.on_or_before(today - dt.timedelta(days=30)), 11),
                closure_note=note["closure_note"],
                closure_note_translation=note["closure_note_translation"],
                closure_note_language=note["language"],
            )
