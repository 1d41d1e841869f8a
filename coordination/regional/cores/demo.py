"""Demo data of the CoReS and of the information exchange.

CoReS meetings from 2024 to 2026: the adoption of the strategy (12 March 2024), the
validation of the hotspot list (29 March 2024), one meeting per extension already in the
demo's strategy periods (each extension decision is linked to its existing period by the
decision date, no period is created here), and one extraordinary meeting after shootings.
Then a few CSIR bulletins (to every task force and to chosen ones) and a good practice
shared by a task force, with some of them read.

The CoReS's agendas and decisions are bilingual, as the Region publishes them. Of the
four bulletins, one is written in Dutch by the (bilingual) CSIR analyst; two carry their
translation and two are left for the "to translate" list. Bulletins are published on
working days.

Idempotent: a meeting that has its decisions, a bulletin that exists (same kind and
title) is left as it is. Meetings and decisions go through the services (audited);
bulletins are created directly and backdated, without notifying or e-mailing anybody.
"""

from __future__ import annotations

import datetime as dt
from typing import NamedTuple

from django.utils import timezone

from coordination.core import workdays
from coordination.core.demo_texts import stored
from coordination.models import CoresDecision, CoresMeeting, Strategy, StrategyPeriod, User
from coordination.regional.bulletins.models import Bulletin, BulletinRead
from coordination.regional.cores import services as cores_services
from coordination.strategy import selectors
from coordination.strategy.demo import STRATEGY_ADOPTED
from taskforces.models import Membership, TaskForce

Kind = CoresDecision.Kind
ORDINARY, EXTRAORDINARY = CoresMeeting.Kind.ORDINARY, CoresMeeting.Kind.EXTRAORDINARY

ATTENDEES = "\n".join(
    [
        "Ministre-Président de la Région de Bruxelles-Capitale (présidence)",
        "Procureur du Roi de Bruxelles",
        "Présidents des collèges de police",
        "Directeur coordonnateur administratif de la police fédérale",
        "Directeur judiciaire de la police fédérale",
        "Chefs de corps des six zones de police",
        "Bourgmestres des 19 communes",
        "Haut fonctionnaire de l'agglomération bruxelloise",
        "Directrice générale de safe.brussels (CSIR)",
    ]
)
EXTENSION_TEXT = (
    "Le CoReS prolonge la stratégie régionale de six mois, sur la base du rapport de la "
    "CSIR sur l'exécution des plans d'action des task forces locales."
)


# The CoReS's texts and the bulletins in Dutch, by their French text.
NL = {
    EXTENSION_TEXT: "De GeVeRa verlengt de gewestelijke strategie met zes maanden, op basis van "
    "het verslag van de CSIR over de uitvoering van de actieplannen van de lokale taskforces.",
    "1. Situation de la sécurité autour des lieux de deal\n"
    "2. Projet de stratégie régionale de lutte contre le trafic de drogues": "1. "
    "Veiligheidssituatie rond de dealplekken\n2. Ontwerp van gewestelijke strategie tegen "
    "drugshandel",
    "Le CoReS adopte la stratégie régionale de lutte contre le trafic de drogues et son "
    "impact sur la sécurité, pour une première période de six mois.": "De GeVeRa keurt de "
    "gewestelijke strategie tegen drugshandel en de impact ervan op de veiligheid goed, voor "
    "een eerste periode van zes maanden.",
    "1. Liste des zones prioritaires proposée par la CSIR\n2. Installation des task forces": (
        "1. Lijst van prioritaire zones voorgesteld door de CSIR\n2. Installatie van de taskforces"
    ),
    "Le CoReS valide la liste des zones prioritaires (hotspots) proposée par la CSIR, sous "
    "réserve de l'approbation de chaque bourgmestre concerné.": "De GeVeRa bekrachtigt de "
    "lijst van prioritaire zones (hotspots) die de CSIR voorstelt, onder voorbehoud van de "
    "goedkeuring door elke betrokken burgemeester.",
    "Après les fusillades à Anderlecht et à Saint-Gilles": "Na de schietpartijen in "
    "Anderlecht en Sint-Gillis",
    "1. Point de situation du parquet et de la police fédérale\n"
    "2. Mesures immédiates dans les zones concernées": "1. Stand van zaken door het parket "
    "en de federale politie\n2. Onmiddellijke maatregelen in de betrokken zones",
    "Renfort temporaire de la présence policière autour des stations de métro concernées et "
    "contrôles d'identité systématiques pendant six semaines.": "Tijdelijke versterking van "
    "de politieaanwezigheid rond de betrokken metrostations en systematische "
    "identiteitscontroles gedurende zes weken.",
    "1. Bilan de la première année\n2. Prolongation de la stratégie\n3. Volet prévention": (
        "1. Balans van het eerste jaar\n2. Verlenging van de strategie\n3. Luik preventie"
    ),
    "Le volet prévention est renforcé : chaque plan d'action prévoit une action "
    "d'accompagnement des mineurs exploités par les réseaux.": "Het luik preventie wordt "
    "versterkt: elk actieplan voorziet in een actie voor de begeleiding van minderjarigen "
    "die door de netwerken worden uitgebuit.",
    "1. Rapport de la CSIR à l'échéance de la période\n2. Prolongation de la stratégie": (
        "1. Verslag van de CSIR bij het verstrijken van de periode\n2. Verlenging van de strategie"
    ),
    # Bulletins.
    "Prolongation de l'arrêté régional sur le protoxyde d'azote": "Verlenging van het "
    "gewestelijk besluit over distikstofmonoxide",
    "Le Ministre-Président a prolongé de six mois l'arrêté régional interdisant la vente de "
    "protoxyde d'azote (gaz hilarant) dans toutes les zones prioritaires.\n"
    "Merci d'en informer les services de terrain de vos task forces.": "De "
    "Minister-President heeft het gewestelijk besluit dat de verkoop van distikstofmonoxide "
    "(lachgas) in alle prioritaire zones verbiedt, met zes maanden verlengd.\nGelieve de "
    "terreindiensten van uw taskforces hiervan op de hoogte te brengen.",
    "Décisions du dernier CoReS": "Beslissingen van de laatste GeVeRa",
    "Le CoReS a prolongé la stratégie régionale de six mois. Le rapport de la CSIR présenté "
    "en séance est disponible dans le portail.": "De GeVeRa heeft de gewestelijke strategie "
    "met zes maanden verlengd. Het verslag van de CSIR dat op de vergadering werd "
    "voorgesteld, staat in het portaal.",
    "Réunion commune des task forces voisines": "Gezamenlijke vergadering van de naburige "
    "taskforces",
    "La CSIR réunit les task forces de zones voisines pour suivre les déplacements du "
    "phénomène d'une zone à l'autre. Merci de désigner un représentant par task force.": "De "
    "CSIR brengt de taskforces van naburige zones samen om de verplaatsing van het fenomeen "
    "van de ene zone naar de andere op te volgen. Gelieve per taskforce een vertegenwoordiger "
    "aan te duiden.",
}


def _texts(fields: dict[str, str], *, original: str = "fr", translated: bool = True) -> dict:
    """The columns of demo texts given in French (see ``coordination.core.demo_texts``)."""
    return stored(
        {name: (french, NL[french] if french else "") for name, french in fields.items()},
        original=original,
        translated=translated,
    )


class Demo(NamedTuple):
    held_on: dt.date
    kind: str
    occasion: str
    agenda: str
    decisions: list[tuple[str, str]]


MEETINGS = [
    Demo(
        dt.date(2024, 3, 12),
        ORDINARY,
        "",
        "1. Situation de la sécurité autour des lieux de deal\n"
        "2. Projet de stratégie régionale de lutte contre le trafic de drogues",
        [
            (
                Kind.ADOPT,
                "Le CoReS adopte la stratégie régionale de lutte contre le trafic de drogues et "
                "son impact sur la sécurité, pour une première période de six mois.",
            )
        ],
    ),
    Demo(
        dt.date(2024, 3, 29),
        ORDINARY,
        "",
        "1. Liste des zones prioritaires proposée par la CSIR\n2. Installation des task forces",
        [
            (
                Kind.VALIDATE_HOTSPOTS,
                "Le CoReS valide la liste des zones prioritaires (hotspots) proposée par la CSIR, "
                "sous réserve de l'approbation de chaque bourgmestre concerné.",
            )
        ],
    ),
    Demo(
        dt.date(2025, 2, 13),
        EXTRAORDINARY,
        "Après les fusillades à Anderlecht et à Saint-Gilles",
        "1. Point de situation du parquet et de la police fédérale\n"
        "2. Mesures immédiates dans les zones concernées",
        [
            (
                Kind.NEW_MEASURE,
                "Renfort temporaire de la présence policière autour des stations de métro "
                "concernées et contrôles d'identité systématiques pendant six semaines.",
            )
        ],
    ),
    Demo(
        dt.date(2025, 3, 6),
        ORDINARY,
        "",
        "1. Bilan de la première année\n2. Prolongation de la stratégie\n3. Volet prévention",
        [
            (Kind.EXTEND, EXTENSION_TEXT),
            (
                Kind.ADAPT,
                "Le volet prévention est renforcé : chaque plan d'action prévoit une action "
                "d'accompagnement des mineurs exploités par les réseaux.",
            ),
        ],
    ),
]


def _meetings_to_seed(periods: dict[dt.date, StrategyPeriod]) -> list[Demo]:
    """The fixed meetings, plus one ordinary meeting per extension the demo recorded."""
    fixed = {demo.held_on for demo in MEETINGS}
    extensions = [
        Demo(
            period.decided_on,
            ORDINARY,
            "",
            "1. Rapport de la CSIR à l'échéance de la période\n2. Prolongation de la stratégie",
            [(Kind.EXTEND, EXTENSION_TEXT)],
        )
        for period in periods.values()
        if period.number > 1 and period.decided_on not in fixed
    ]
    return sorted([*MEETINGS, *extensions], key=lambda demo: demo.held_on)


def seed_meetings(*, by: User) -> list[CoresMeeting]:
    strategy = Strategy.objects.filter(adopted_on=STRATEGY_ADOPTED).first()
    periods = {p.decided_on: p for p in strategy.periods.all()} if strategy else {}
    meetings = []
    for demo in _meetings_to_seed(periods):
        if demo.held_on > selectors.today():
            continue
        meeting = CoresMeeting.objects.filter(held_on=demo.held_on, kind=demo.kind).first()
        if meeting is None:
            meeting = cores_services.cores_meeting_create(
                by=by,
                held_on=demo.held_on,
                kind=demo.kind,
                occasion=demo.occasion,
                attendees=ATTENDEES,
                agenda=demo.agenda,
            )
            CoresMeeting.objects.filter(pk=meeting.pk).update(
                **_texts({"occasion": demo.occasion, "agenda": demo.agenda})
            )
        meetings.append(meeting)
        if meeting.decisions.exists():
            continue
        for kind, text in demo.decisions:
            period = None
            if kind in (Kind.ADOPT, Kind.EXTEND):
                # Link the period the demo strategy already has; never open a new one here.
                period = periods.get(demo.held_on)
                if period is None or hasattr(period, "decision"):
                    continue
            decision = cores_services.cores_decision_record(
                meeting=meeting, by=by, kind=kind, text=text, period=period
            )
            CoresDecision.objects.filter(pk=decision.pk).update(**_texts({"text": text}))
    return meetings


def _at(day: dt.date, hour: int) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def _bulletin(
    *,
    kind: str,
    title: str,
    body: str,
    author: User,
    published: dt.date,
    language: str = "fr",
    translated: bool = True,
    **extra,
):
    """The bulletin titled ``title`` (French), written in ``language``, published on the
    working day on or before ``published``."""
    texts = (
        _texts({"title": title, "body": body}, original=language, translated=translated)
        if title in NL
        else {"title": title, "body": body, "language": "fr"}
    )
    # By its title in either language (a demo seeded before had it in French only).
    titles = {title, texts["title"]}
    bulletin = Bulletin.objects.filter(kind=kind, title__in=titles).first()
    if bulletin is not None:
        return bulletin, False
    chosen = extra.pop("taskforces", [])
    bulletin = Bulletin.objects.create(kind=kind, author=author, **texts, **extra)
    bulletin.taskforces.set(chosen)
    Bulletin.objects.filter(pk=bulletin.pk).update(
        published_at=_at(workdays.on_or_before(published), 9)
    )
    return bulletin, True


def _read(bulletin: Bulletin, readers: list[User], day: dt.date) -> None:
    for reader in readers:
        receipt, created = BulletinRead.objects.get_or_create(bulletin=bulletin, user=reader)
        if created:
            BulletinRead.objects.filter(pk=receipt.pk).update(read_at=_at(day, 14))


def seed_bulletins(*, people: dict[str, User], taskforces: list[TaskForce]) -> list[Bulletin]:
    today = selectors.today()
    coordinator, analyst = people["csir.coordinator"], people["csir.analyst"]
    regional = [people[key] for key in ("cores.member", "mayor.bruxelles") if key in people]
    order, created = _bulletin(
        kind=Bulletin.Kind.BULLETIN,
        title="Prolongation de l'arrêté régional sur le protoxyde d'azote",
        body="Le Ministre-Président a prolongé de six mois l'arrêté régional interdisant la "
        "vente de protoxyde d'azote (gaz hilarant) dans toutes les zones prioritaires.\n"
        "Merci d'en informer les services de terrain de vos task forces.",
        author=coordinator,
        published=today - dt.timedelta(days=40),
        to_all=True,
    )
    if created:
        _read(order, [analyst, *regional], workdays.on_or_after(today - dt.timedelta(days=39)))
    report, created = _bulletin(
        kind=Bulletin.Kind.BULLETIN,
        title="Décisions du dernier CoReS",
        body="Le CoReS a prolongé la stratégie régionale de six mois. Le rapport de la CSIR "
        "présenté en séance est disponible dans le portail.",
        author=coordinator,
        published=today - dt.timedelta(days=12),
        to_all=True,
        translated=False,  # on the "to translate" list
    )
    if created:
        _read(report, regional[:1], workdays.on_or_before(today - dt.timedelta(days=10)))
    bulletins = [order, report]
    if not taskforces:
        return bulletins
    targets = taskforces[:2]
    members = list(
        User.objects.filter(memberships__taskforce__in=targets, is_active=True)
        .distinct()
        .order_by("pk")
    )
    targeted, created = _bulletin(
        kind=Bulletin.Kind.BULLETIN,
        title="Réunion commune des task forces voisines",
        body="La CSIR réunit les task forces de zones voisines pour suivre les déplacements "
        "du phénomène d'une zone à l'autre. Merci de désigner un représentant par task force.",
        author=analyst,
        published=today - dt.timedelta(days=20),
        to_all=False,
        taskforces=targets,
        language="nl",  # the analyst (bilingual) wrote it in Dutch, then its French version
    )
    if created:
        _read(targeted, members[:3], workdays.on_or_before(today - dt.timedelta(days=18)))
    bulletins.append(targeted)
    source = taskforces[0]
    sharer = (
        Membership.objects.filter(taskforce=source, user__is_active=True)
        .exclude(role=Membership.Role.OBSERVER)
        .select_related("user")
        .order_by("role", "pk")
        .first()
    )
    if sharer is not None:
        practice, created = _bulletin(
            kind=Bulletin.Kind.GOOD_PRACTICE,
            title="Maraudes conjointes police et travail de rue en soirée",
            body="Une fois par semaine, la police de proximité et les travailleurs de rue "
            "parcourent ensemble le quartier en soirée : les usagers sont orientés vers les "
            "soins avant toute intervention répressive. Moins de plaintes de riverains en "
            "trois mois.",
            author=sharer.user,
            published=today - dt.timedelta(days=7),
            to_all=True,
            source_taskforce=source,
        )
        if created:
            _read(
                practice,
                [coordinator, *members[3:6]],
                workdays.on_or_before(today - dt.timedelta(days=5)),
            )
        bulletins.append(practice)
    return bulletins


def seed(*, people: dict[str, User], taskforces: list[TaskForce]) -> None:
    """Seed the CoReS meetings, bulletins and a good practice (see the module docstring)."""
    seed_meetings(by=people["csir.coordinator"])
    seed_bulletins(people=people, taskforces=taskforces)
