"""Demo task forces: members from several agencies, a year of meetings and of a plan's life.

For every active hotspot: a coordinator, the local police of its zone(s), the prosecutor's
office, the federal judicial police and the associations join the task force (the mayors
chair it since its approval); a plan of three axes is submitted and validated in spring,
then lives for a year (monthly updates, some actions late, one blocked and escalated).
Peterbos (HS08) has its plan returned with comments, Étangs Noirs (HS12) awaits
validation, Gare du Midi (HS10) changed since its validation (a new draft version).

Dates read as real: the task forces were installed in April 2024 and their members joined
in the following weeks (before any meeting); meetings, notes and escalations fall on
working days (``coordination.core.workdays``), meetings at office hours. Texts are in
their author's language (``DUTCH_SPEAKERS`` write in Dutch, ``DUTCH_WRITTEN`` task forces
keep their plan and meetings in Dutch); about half carry their translation (``NL``).

Idempotent: a task force whose plan already has actions is left as it is. The main writes
go through the services; the year of timeline entries is bulk-created and backdated.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import cast

from django.utils import timezone

from coordination.core import workdays
from coordination.core.demo_texts import stored, translated_share
from coordination.models import Agency, Axis, User
from coordination.people.demo import person as _person
from hotspots.models import Hotspot, IndicatorDefinition
from taskforces.models import (
    Action,
    ActionEvaluation,
    ActionPlan,
    ActionUpdate,
    Escalation,
    Meeting,
    MeetingDecision,
    MeetingMinutes,
    MeetingPoint,
    Membership,
    PlanVersion,
    TaskForce,
)
from taskforces.selectors import plans as plan_selectors
from taskforces.services import actions as action_services
from taskforces.services import meetings as meeting_services
from taskforces.services import plans as plan_services
from taskforces.services import practices as practice_services
from taskforces.services import taskforces as taskforce_services

Role = Membership.Role
Status = Action.Status
PJ = Action.Confidentiality.POLICE_JUDICIAL

RETURNED = "HS08"
SUBMITTED = "HS12"
CHANGED = "HS10"
BLOCKED = "HS10"
RESOLVED = "HS07"
NO_RECENT_MEETING = "HS05"
# Task forces whose coordinator is Dutch-speaking: their plan, meetings and decisions are
# written in Dutch (and mostly translated into French). Elsewhere the texts are French,
# translated into Dutch in every other task force, left for the "to translate" list in
# the others.
DUTCH_WRITTEN = {"HS06", "HS12"}
# The task forces were installed after the activation of the hotspots (2 April 2024).
INSTALLED_ON = dt.date(2024, 4, 4)
# Plausible meeting hours (Europe/Brussels).
MEETING_HOURS = [(9, 30), (10, 0), (14, 0), (14, 30)]

# Police usernames by zone number.
ZONE_USERS = {
    5339: ("police.polbru", "Thomas", "Lemaire"),
    5340: ("police.ouest", "Inès", "Bakkali"),
    5341: ("police.midi", "Kevin", "Van Damme"),  # Dutch-speaking (DUTCH_SPEAKERS)
    5342: ("police.marlow", "Julie", "Mertens"),
    5343: ("police.montgomery", "Olivier", "Declercq"),
    5344: ("police.nord", "Samira", "El Amrani"),
}
# Other demo members: username, first, last, agency key.
PARTNERS = [
    ("transit", "Lucas", "Moreau", "Transit"),
    ("dune", "Emma", "Jacobs", "Dune"),
    ("samu", "Hugo", "Lambrecht", "SAMU"),
    ("parquet", "Catherine", "Renard", "PdR"),
    ("pjf", "Mehdi", "Ouali", "PJF"),
    ("fedasil", "Laura", "De Smet", "Fedasil"),
]
# Demo accounts whose preferred language is Dutch; they write their texts in Dutch.
DUTCH_SPEAKERS = {"police.midi", "fedasil", "tfl.hs06.coordinator", "tfl.hs12.coordinator"}
COORDINATOR_NAMES = [
    ("Nathalie", "Hermans"), ("Youssef", "Amrani"), ("Sofie", "Goossens"), ("Antoine", "Leroy"),
    ("Fatima", "Zerouali"), ("Bram", "Willems"), ("Chloé", "Dumont"), ("Rachid", "Benhaddou"),
    ("Elise", "Vandenberghe"), ("Maxime", "Collard"), ("Leila", "Mansouri"), ("Pieter", "Wauters"),
    ("Camille", "Simon"), ("Ayoub", "Tahiri"), ("Marie", "Peeters"), ("Jonas", "Maes"),
]  # fmt: skip


@dataclass(frozen=True)
class Template:
    axis: str
    title: str
    lead: str  # "zone", "commune" or an agency key
    partners: tuple[str, ...] = ()
    deliverable: str = ""
    indicator: str = ""
    target: int | None = None
    police_judicial: bool = False


TEMPLATES = [
    Template(Axis.SECURITY, "Patrouilles pédestres renforcées aux heures de deal", "zone",
             ("commune",), "Présence quotidienne de 16 h à 23 h"),
    Template(Axis.SECURITY, "Contrôles ciblés des points de vente", "zone", ("PJF",),
             indicator="identity_checks", target=400),
    Template(Axis.SECURITY, "Enquête sur le réseau d'approvisionnement", "PJF", ("zone", "PdR"),
             "Dossier transmis au parquet", police_judicial=True),
    Template(Axis.SECURITY, "Traitement accéléré des dossiers de deal de rue", "PdR", ("zone",),
             indicator="drug_arrests", target=60, police_judicial=True),
    Template(Axis.SECURITY, "Caméras de surveillance supplémentaires", "commune", ("zone",),
             "Six caméras raccordées au dispatching"),
    Template(Axis.SECURITY, "Interdictions de lieu pour les revendeurs récidivistes", "commune",
             ("zone", "PdR"), "Arrêté du bourgmestre et suivi mensuel"),
    Template(Axis.PREVENTION, "Travail de rue en soirée", "Transit", ("Dune",),
             indicator="outreach_contacts", target=150),
    Template(Axis.PREVENTION, "Maraudes de réduction des risques", "Dune", ("Transit",),
             "Deux maraudes par semaine"),
    Template(Axis.PREVENTION, "Orientation des usagers vers les soins", "Transit", ("SAMU",),
             indicator="care_referrals", target=40),
    Template(Axis.PREVENTION, "Hébergement d'urgence des personnes sans abri", "SAMU",
             ("Fedasil",), "Vingt places réservées"),
    Template(Axis.PREVENTION, "Accompagnement des mineurs exploités par les réseaux", "commune",
             ("PdR", "Transit"), "Protocole de prise en charge signé"),
    Template(Axis.PREVENTION, "Information des personnes en séjour précaire", "Fedasil",
             ("Transit",), "Permanence hebdomadaire"),
    Template(Axis.NEIGHBOURHOOD, "Éclairage et réaménagement du passage", "commune", ("BPL",),
             "Chantier réceptionné"),
    Template(Axis.NEIGHBOURHOOD, "Nettoyage renforcé et ramassage des seringues", "commune",
             ("Transit",), "Passage quotidien de la propreté"),
    Template(Axis.NEIGHBOURHOOD, "Fête de quartier et occupation positive de l'espace public",
             "commune", ("Dune",), indicator="neighbourhood_activities", target=12),
    Template(Axis.NEIGHBOURHOOD, "Permanence d'écoute pour les habitants", "commune", ("Dune",),
             indicator="resident_complaints", target=20),
    Template(Axis.NEIGHBOURHOOD, "Réunions de riverains trimestrielles", "commune", (),
             "Quatre réunions par an"),
]  # fmt: skip

UPDATE_NOTES = [
    "Point de situation transmis à la task force.",
    "Réunion de coordination avec les partenaires.",
    "Effectifs confirmés pour le mois prochain.",
    "Retour positif des riverains.",
    "Difficultés de planification, rattrapées en fin de mois.",
    "Bilan mensuel : objectifs atteints.",
    "Nouveaux signalements pris en compte.",
    "Adaptation des horaires après la dernière réunion.",
]
MEETING_PLACES = [
    "Maison communale, salle du collège",
    "Commissariat de division",
    "Maison de quartier",
    "Hôtel de ville, salle des mariages",
]
AGENDA = "1. Suivi du plan d'action\n2. Signalements du mois\n3. Divers"
NEXT_AGENDA = "1. Suivi du plan d'action\n2. Points restés ouverts\n3. Divers"
MINUTES = (
    "Tour de table des partenaires ; point sur les actions en retard ; les signalements des "
    "habitants sont transmis à la police."
)
BLOCKED_NOTE = "Le marché public a été déclaré infructueux : aucun entrepreneur n'a remis d'offre."
ESCALATION_REASON = (
    "Sans appui régional pour relancer le marché, l'action est à l'arrêt depuis deux mois. "
    "Nous demandons l'intervention de Bruxelles Pouvoirs locaux."
)
RESOLUTION = "Subside régional accordé ; le marché est relancé par la commune."
RESTARTED_NOTE = "Marché relancé grâce au subside régional."


# The demo's texts in Dutch, by their French text (FRENCH below: the other way).
NL = {
    # Actions (titles and deliverables).
    "Patrouilles pédestres renforcées aux heures de deal": "Versterkte voetpatrouilles tijdens "
    "de dealuren",
    "Présence quotidienne de 16 h à 23 h": "Dagelijkse aanwezigheid van 16 tot 23 uur",
    "Contrôles ciblés des points de vente": "Gerichte controles van de verkooppunten",
    "Enquête sur le réseau d'approvisionnement": "Onderzoek naar het bevoorradingsnetwerk",
    "Dossier transmis au parquet": "Dossier overgemaakt aan het parket",
    "Traitement accéléré des dossiers de deal de rue": "Versnelde afhandeling van de dossiers "
    "van straatdealers",
    "Caméras de surveillance supplémentaires": "Bijkomende bewakingscamera's",
    "Six caméras raccordées au dispatching": "Zes camera's aangesloten op de dispatching",
    "Interdictions de lieu pour les revendeurs récidivistes": "Plaatsverboden voor "
    "recidiverende dealers",
    "Arrêté du bourgmestre et suivi mensuel": "Besluit van de burgemeester en maandelijkse "
    "opvolging",
    "Travail de rue en soirée": "Straathoekwerk 's avonds",
    "Maraudes de réduction des risques": "Outreachrondes voor schadebeperking",
    "Deux maraudes par semaine": "Twee rondes per week",
    "Orientation des usagers vers les soins": "Toeleiding van gebruikers naar de zorg",
    "Hébergement d'urgence des personnes sans abri": "Noodopvang voor daklozen",
    "Vingt places réservées": "Twintig voorbehouden plaatsen",
    "Accompagnement des mineurs exploités par les réseaux": "Begeleiding van minderjarigen "
    "die door de netwerken worden uitgebuit",
    "Protocole de prise en charge signé": "Ondertekend protocol voor de opvang",
    "Information des personnes en séjour précaire": "Informatie voor personen met een "
    "precair verblijf",
    "Permanence hebdomadaire": "Wekelijkse permanentie",
    "Éclairage et réaménagement du passage": "Verlichting en heraanleg van de doorgang",
    "Chantier réceptionné": "Werken opgeleverd",
    "Nettoyage renforcé et ramassage des seringues": "Versterkte reiniging en ophaling van spuiten",
    "Passage quotidien de la propreté": "Dagelijkse ronde van de netheidsdienst",
    "Fête de quartier et occupation positive de l'espace public": "Buurtfeest en positieve "
    "invulling van de openbare ruimte",
    "Permanence d'écoute pour les habitants": "Luisterpermanentie voor de bewoners",
    "Réunions de riverains trimestrielles": "Driemaandelijkse buurtvergaderingen",
    "Quatre réunions par an": "Vier vergaderingen per jaar",
    "Trois maraudes par semaine, y compris le week-end": "Drie rondes per week, ook in het weekend",
    "Jardin partagé sur la friche": "Gedeelde tuin op het braakliggende terrein",
    "Jardin ouvert aux habitants": "Tuin open voor de bewoners",
    # Follow-up notes.
    "Point de situation transmis à la task force.": "Stand van zaken bezorgd aan de taskforce.",
    "Réunion de coordination avec les partenaires.": "Coördinatievergadering met de partners.",
    "Effectifs confirmés pour le mois prochain.": "Personeelsinzet voor volgende maand bevestigd.",
    "Retour positif des riverains.": "Positieve reacties van de buurtbewoners.",
    "Difficultés de planification, rattrapées en fin de mois.": "Problemen met de planning, "
    "op het einde van de maand ingehaald.",
    "Bilan mensuel : objectifs atteints.": "Maandelijkse balans: doelstellingen bereikt.",
    "Nouveaux signalements pris en compte.": "Nieuwe meldingen verwerkt.",
    "Adaptation des horaires après la dernière réunion.": "Uurregeling aangepast na de "
    "laatste vergadering.",
    # Meetings.
    "Maison communale, salle du collège": "Gemeentehuis, collegezaal",
    "Commissariat de division": "Afdelingscommissariaat",
    "Maison de quartier": "Buurthuis",
    "Hôtel de ville, salle des mariages": "Stadhuis, trouwzaal",
    "1. Suivi du plan d'action\n2. Signalements du mois\n3. Divers": "1. Opvolging van het "
    "actieplan\n2. Meldingen van de maand\n3. Varia",
    "1. Suivi du plan d'action\n2. Points restés ouverts\n3. Divers": "1. Opvolging van het "
    "actieplan\n2. Openstaande punten\n3. Varia",
    MINUTES: "Rondvraag bij de partners; stand van zaken van de vertraagde acties; de "
    "meldingen van de bewoners worden aan de politie bezorgd.",
    "Bilan des patrouilles": "Balans van de patrouilles",
    "Budget de l'éclairage": "Budget voor de verlichting",
    "Local pour la permanence": "Lokaal voor de permanentie",
    "Horaires des maraudes": "Uurregeling van de outreachrondes",
    # The blocked and escalated action.
    BLOCKED_NOTE: "De overheidsopdracht werd onvruchtbaar verklaard: geen enkele aannemer "
    "heeft een offerte ingediend.",
    ESCALATION_REASON: "Zonder steun van het Gewest om de opdracht opnieuw uit te schrijven, "
    "ligt de actie al twee maanden stil. Wij vragen de tussenkomst van Brussel Plaatselijke "
    "Besturen.",
    RESOLUTION: "Gewestelijke subsidie toegekend; de gemeente schrijft de opdracht opnieuw uit.",
    RESTARTED_NOTE: "Opdracht opnieuw uitgeschreven dankzij de gewestelijke subsidie.",
}


FRENCH = {dutch: french for french, dutch in NL.items()}


def _texts(
    fields: dict[str, str], *, original: str = "fr", translated: bool = True
) -> dict[str, str]:
    """The columns of demo texts given in French (see ``coordination.core.demo_texts``)."""
    return stored(
        {name: (french, NL[french] if french else "") for name, french in fields.items()},
        original=original,
        translated=translated,
    )


def _decision(title_fr: str, title_nl: str) -> tuple[str, str]:
    return (
        f"La task force confirme la priorité de l'action « {title_fr} ».",
        f"De taskforce bevestigt de prioriteit van de actie ‘{title_nl}’.",
    )


def _description(title_fr: str, hotspot: Hotspot) -> tuple[str, str]:
    return (
        f"{title_fr}, dans le périmètre de la zone prioritaire {hotspot.name_fr}.",
        f"{NL[title_fr]}, binnen de perimeter van de prioritaire zone {hotspot.name_nl}.",
    )


def _working_moment(day: dt.date, hour: int = 10, minute: int = 0) -> dt.datetime:
    """``_at`` on the working day on or before ``day``."""
    moment = workdays.on_or_before(day)
    return timezone.make_aware(dt.datetime.combine(moment, dt.time(hour, minute)))


def _account(
    username: str, first: str, last: str, agency: Agency, *, like: User, language: str = ""
) -> User:
    """A demo account made by ``coordination.demo._person``.

    Every demo account has the same published password; an account made here reuses the
    hash of ``like`` (a demo account), since hashing it again for each of the ~25 people
    would take most of the demo's time.
    """
    language = language or ("nl" if username in DUTCH_SPEAKERS else "fr")
    if like.has_usable_password() and not User.objects.filter(username=username).exists():
        User.objects.create(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@demo.portal.brussels",
            agency=agency,
            role=User.Role.PARTICIPANT,
            password=like.password,
            preferred_language=language,
        )
    return _person(
        username, first, last, agency, User.Role.PARTICIPANT, preferred_language=language
    )


def _months_ago(today: dt.date, months: int, day: int = 10) -> dt.date:
    year, month = divmod(today.year * 12 + today.month - 1 - months, 12)
    return dt.date(year, month + 1, min(day, 28))


def _at(day: dt.date, hour: int = 10) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, 0)))


def seed(
    *, people: dict[str, User], hotspots: dict[str, Hotspot], agencies: dict[str, Agency]
) -> None:
    """Seed the task forces of every active demo hotspot (see the module docstring)."""
    analyst = people["csir.analyst"]
    for username, first, last, key in PARTNERS:
        people[username] = _account(username, first, last, agencies[key], like=analyst)
    indicators = {i.code: i for i in IndicatorDefinition.objects.all()}
    active = sorted(
        (h for h in hotspots.values() if h.status == Hotspot.Status.ACTIVE), key=lambda h: h.code
    )
    for index, hotspot in enumerate(active):
        taskforce = taskforce_services.taskforce_open(hotspot=hotspot, by=analyst)
        _seed_taskforce(taskforce, index, people=people, agencies=agencies, indicators=indicators)
    seed_practices(people=people)


def _seed_taskforce(
    taskforce: TaskForce,
    index: int,
    *,
    people: dict[str, User],
    agencies: dict[str, Agency],
    indicators: dict[str, IndicatorDefinition],
) -> None:
    hotspot = taskforce.hotspot
    code = hotspot.code
    communes = sorted(hotspot.communes.select_related("police_zone"), key=lambda c: c.nis_code)
    main = next((c for c in communes if c.nis_code in agencies), communes[0])
    commune_agency = agencies[main.nis_code]
    zone_numbers = sorted({c.police_zone.number for c in communes})

    # Members.
    first, last = COORDINATOR_NAMES[index % len(COORDINATOR_NAMES)]
    username = f"tfl.{code.lower()}.coordinator"
    like = people["csir.analyst"]
    coordinator = _account(username, first, last, commune_agency, like=like)
    people[username] = coordinator
    by_agency: dict[int | None, User] = {commune_agency.pk: coordinator}
    members = [(coordinator, Role.COORDINATOR)]
    for number in zone_numbers:
        name, zfirst, zlast = ZONE_USERS[number]
        police = _account(name, zfirst, zlast, agencies[str(number)], like=like)
        people[name] = police
        by_agency[police.agency_id] = police
        members.append((police, Role.MEMBER))
    for partner_username, *_ in PARTNERS:
        person = people[partner_username]
        by_agency[person.agency_id] = person
        role = Role.OBSERVER if partner_username == "fedasil" and index % 2 else Role.MEMBER
        members.append((person, role))
    # The CSIR names the coordinator, who then brings in the members; the police join the
    # police-judicial circle, which only the CSIR coordinator (or the circle) widens.
    for person, role in members:
        if person == coordinator:
            by = like
        elif person.agency.kind in Agency.POLICE_JUDICIAL_KINDS:
            by = people["csir.coordinator"]
        else:
            by = coordinator
        taskforce_services.membership_add(taskforce=taskforce, user=person, role=role, by=by)
    _date_memberships(taskforce, [person for person, _ in members], coordinator=coordinator)

    plan = plan_selectors.plan_of(taskforce)
    if plan.actions.exists():
        return
    dutch = code in DUTCH_WRITTEN
    # In the French-speaking task forces, every other one has its texts in Dutch too.
    translated = dutch or index % 2 == 0
    rng = random.Random(code)
    today = timezone.localdate()
    zone_agency = agencies[str(zone_numbers[0])]

    def agency(key: str) -> Agency:
        if key == "zone":
            return zone_agency
        if key == "commune":
            return commune_agency
        return agencies[key]

    # The plan, as written in spring a year ago.
    actions: list[Action] = []
    for number, template in enumerate(TEMPLATES):
        if template.axis != Axis.SECURITY and rng.random() < 0.12:
            continue  # not every task force takes up every action
        start = _months_ago(today, 12 - rng.randint(0, 4), rng.randint(1, 28))
        due = start + dt.timedelta(days=rng.randint(150, 540))
        lead = agency(template.lead)
        author = by_agency.get(lead.pk, coordinator) if template.police_judicial else coordinator
        # Written in the author's language; translated in about half of the task forces.
        texts = stored(
            {
                "title": (template.title, NL[template.title]),
                "description": _description(template.title, hotspot),
                "deliverable": (template.deliverable, NL.get(template.deliverable, "")),
            },
            original="nl" if author.preferred_language == "nl" else "fr",
            translated=translated
            if author == coordinator
            else translated_share(f"{code}:{template.title}"),
        )
        action = action_services.action_create(
            plan=plan,
            by=author,
            axis=template.axis,
            lead_agency=lead,
            partner_agencies=[agency(key) for key in template.partners],
            start_on=start,
            due_on=due,
            horizon=["short", "medium", "long"][number % 3],
            indicator=indicators.get(template.indicator),
            indicator_target=Decimal(template.target) if template.target else None,
            confidentiality=PJ if template.police_judicial else Action.Confidentiality.TASKFORCE,
            **texts,
        )
        actions.append(action)
    version = plan_services.current_version(plan)
    submitted_on = _working_moment(_months_ago(today, 11, 5))
    plan_services.plan_submit(version=version, by=coordinator)
    reviewer = people["csir.coordinator"]
    if code == RETURNED:
        plan_services.plan_return(
            version=version,
            by=reviewer,
            comment="L'axe vie de quartier manque d'indicateurs mesurables; précisez aussi le "
            "calendrier des maraudes et qui mène l'accompagnement des mineurs.",
        )
    elif code != SUBMITTED:
        plan_services.plan_validate(
            version=version, by=reviewer, comment="Plan complet et cohérent."
        )
    PlanVersion.objects.filter(pk=version.pk).update(
        submitted_at=submitted_on,
        reviewed_at=None
        if code == SUBMITTED
        else _working_moment(workdays.add_working_days(submitted_on.date(), 7), 15),
    )

    _live_a_year(plan, actions, rng=rng, by_agency=by_agency, coordinator=coordinator)
    _meetings(
        taskforce,
        actions,
        rng=rng,
        coordinator=coordinator,
        members=members,
        translated=translated,
    )
    if code == BLOCKED:
        _block_and_escalate(actions, by_agency=by_agency, coordinator=coordinator, people=people)
    if code == RESOLVED:
        _block_and_escalate(
            actions, by_agency=by_agency, coordinator=coordinator, people=people, resolve=True
        )
    if code == CHANGED:
        _change_after_validation(plan, actions, coordinator=coordinator)


def _date_memberships(taskforce: TaskForce, people: list[User], *, coordinator: User) -> None:
    """Date the task force and its members as they were installed, in spring 2024.

    The task force opened two days after the hotspot's activation with its mayors as
    chairs; the CSIR named the coordinator the next working day, who brought in the other
    members over the following weeks: all before the first meeting. Deterministic, so a
    second run changes nothing.
    """
    # A hotspot added to the list later (hotspots/demo.py: 2025) opens its task force then.
    # Read from the database: the demo dates the activation after the service ran.
    activated = (
        Hotspot.objects.filter(pk=taskforce.hotspot_id).values_list("activated_at", flat=True).get()
    )
    installed = max(
        INSTALLED_ON,
        timezone.localdate(activated) + dt.timedelta(days=2) if activated else INSTALLED_ON,
    )
    opened = timezone.make_aware(dt.datetime.combine(installed, dt.time(11, 0)))
    TaskForce.objects.filter(pk=taskforce.pk).update(created_at=opened)
    Membership.objects.filter(taskforce=taskforce, role=Role.CHAIR).update(joined_at=opened)
    named = workdays.add_working_days(installed, 1)
    rng = random.Random(f"members:{taskforce.hotspot.code}")
    for person in people:
        day = (
            named if person == coordinator else workdays.add_working_days(named, rng.randint(2, 25))
        )
        Membership.objects.filter(taskforce=taskforce, user=person).update(
            joined_at=timezone.make_aware(dt.datetime.combine(day, dt.time(rng.randint(9, 16), 0)))
        )


def _title_in(action: Action, language: str) -> str:
    """The action's title in French or Dutch, whichever it was written in."""
    if action.language == language:
        return action.title
    return action.title_translation or (
        NL[action.title] if language == "nl" else FRENCH[action.title]
    )


def _live_a_year(
    plan: ActionPlan,
    actions: list[Action],
    *,
    rng: random.Random,
    by_agency: dict[int | None, User],
    coordinator: User,
) -> None:
    """Monthly updates (on working days) since each action started, and where each stands.

    Each note is in its author's language; about half carry their translation.
    """
    today = timezone.localdate()
    rows: list[tuple[ActionUpdate, dt.datetime]] = []
    for action in actions:
        author = by_agency.get(action.lead_agency_id, coordinator)
        due_passed = cast(dt.date, action.due_on) < today
        roll = rng.random()
        if due_passed:
            final = Status.DONE if roll < 0.6 else Status.IN_PROGRESS  # the others are late
        else:
            final = Status.PLANNED if roll < 0.15 else Status.IN_PROGRESS
            final = Status.DONE if roll > 0.9 else final
        start_on = cast(dt.date, action.start_on)
        months = max(0, (today.year - start_on.year) * 12 + today.month - start_on.month)
        steps = months if final != Status.PLANNED else 0
        progress, status, entries = 0, Status.PLANNED, 0
        original = "nl" if author.preferred_language == "nl" else "fr"
        for step in range(steps):
            day = workdays.on_or_after(start_on + dt.timedelta(days=30 * step + rng.randint(0, 12)))
            if day >= today:
                break
            old = status
            status = Status.IN_PROGRESS
            target = 100 if final == Status.DONE else 90
            progress = min(target, progress + rng.randint(4, 14))
            if final == Status.DONE and step == steps - 1:
                status, progress = Status.DONE, 100
            note = rng.choice(UPDATE_NOTES)
            update = ActionUpdate(
                action=action,
                author=author,
                agency=author.agency,
                old_status=old if old != status else "",
                new_status=status if old != status else "",
                progress=progress,
                confidentiality=action.confidentiality,
                **_texts({"comment": note}, original=original, translated=rng.random() < 0.5),
            )
            rows.append((update, _at(day, rng.randint(8, 17))))
            entries += 1
        # Each of these steps was a save of the action: the revision follows.
        Action.objects.filter(pk=action.pk).update(
            status=status, progress=progress, revision=action.revision + entries
        )
        action.status, action.progress = status, progress
        action.revision += entries
    created = ActionUpdate.objects.bulk_create(update for update, _ in rows)
    # auto_now_add stamped them today: put each entry back on its day.
    for update, (_, moment) in zip(created, rows, strict=True):
        update.at = moment
    ActionUpdate.objects.bulk_update(created, ["at"], batch_size=200)


def _meeting_start(day: dt.date, rng: random.Random, *, after: bool = False) -> dt.datetime:
    """A plausible start on the working day on (or before; ``after``: after) ``day``."""
    day = workdays.on_or_after(day) if after else workdays.on_or_before(day)
    hour, minute = rng.choice(MEETING_HOURS)
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour, minute)))


def _meetings(
    taskforce: TaskForce,
    actions: list[Action],
    *,
    rng: random.Random,
    coordinator: User,
    members: list[tuple[User, Role]],
    translated: bool,
) -> None:
    """A meeting every six weeks or so for a year (on working days, with minutes), and the
    next one (most task forces). In the coordinator's language; translated when the task
    force translates (the oldest minutes of a Dutch-speaking one are left to translate)."""
    if Meeting.objects.filter(taskforce=taskforce).exists():
        return
    today = timezone.localdate()
    code = taskforce.hotspot.code
    original = "nl" if code in DUTCH_WRITTEN else "fr"
    last_gap = 45 if code == NO_RECENT_MEETING else rng.randint(7, 20)
    days = sorted({last_gap + 42 * n + rng.randint(0, 6) for n in range(8)}, reverse=True)
    people = [person for person, role in members if role != Role.OBSERVER]
    for number, days_ago in enumerate(days):
        # At least a week ago (``last_gap``): it took place, so it has its minutes.
        starts_at = _meeting_start(today - dt.timedelta(days=days_ago), rng)
        place = MEETING_PLACES[number % len(MEETING_PLACES)]
        meeting = meeting_services.meeting_create(
            taskforce=taskforce, by=coordinator, starts_at=starts_at, place=place, agenda=AGENDA
        )
        meeting_services.meeting_update(
            meeting=meeting,
            by=coordinator,
            minutes=MINUTES,
            attendees=rng.sample(people, k=max(3, len(people) - rng.randint(0, 3))),
        )
        minutes_translated = translated and not (original == "nl" and number < 3)
        texts = _texts({"place": place, "agenda": AGENDA}, original=original, translated=translated)
        minutes = _texts({"minutes": MINUTES}, original=original, translated=minutes_translated)
        Meeting.objects.filter(pk=meeting.pk).update(**{**texts, **minutes})
        # The minutes' version says the same as the meeting's mirror; held, so final.
        MeetingMinutes.objects.filter(meeting=meeting).update(
            text=minutes["minutes"],
            text_translation=minutes.get("minutes_translation", ""),
            language=minutes.get("language", original),
        )
        meeting_services.minutes_finalise(meeting=meeting, by=coordinator)
        second = rng.choice(
            ["Budget de l'éclairage", "Local pour la permanence", "Horaires des maraudes"]
        )
        MeetingPoint.objects.bulk_create(
            [
                MeetingPoint(
                    meeting=meeting,
                    is_open=False,
                    **_texts(
                        {"title": "Bilan des patrouilles"}, original=original, translated=translated
                    ),
                ),
                MeetingPoint(
                    meeting=meeting,
                    is_open=number == len(days) - 1 or rng.random() < 0.3,
                    **_texts({"title": second}, original=original, translated=translated),
                ),
            ]
        )
        # Points carried over from the previous meeting get settled at this one.
        meeting.points.filter(carried_from__isnull=False).update(is_open=False)
        # Decisions are read by the whole task force: never about a police-judicial action.
        action = rng.choice([a for a in actions if a.confidentiality != PJ])
        MeetingDecision.objects.create(
            meeting=meeting,
            action=action,
            created_by=coordinator,
            **stored(
                {"text": _decision(_title_in(action, "fr"), _title_in(action, "nl"))},
                original=original,
                translated=translated,
            ),
        )
    if code != NO_RECENT_MEETING:
        upcoming = meeting_services.meeting_create(
            taskforce=taskforce,
            by=coordinator,
            starts_at=_meeting_start(
                today + dt.timedelta(days=rng.randint(5, 25)), rng, after=True
            ),
            place=MEETING_PLACES[0],
            agenda=NEXT_AGENDA,
        )
        Meeting.objects.filter(pk=upcoming.pk).update(
            **_texts(
                {"place": MEETING_PLACES[0], "agenda": NEXT_AGENDA},
                original=original,
                translated=False,  # just announced: not translated yet
            )
        )


def _block_and_escalate(
    actions: list[Action],
    *,
    by_agency: dict[int | None, User],
    coordinator: User,
    people: dict[str, User],
    resolve: bool = False,
) -> None:
    """Block an action (20 days ago), escalate it (12 days ago), maybe resolve it (6 days
    ago): on working days, each text in its author's language (the CSIR translates)."""
    # The in-progress ones first: those have a history before the block.
    open_actions = sorted(
        (a for a in actions if a.status in (Status.PLANNED, Status.IN_PROGRESS)),
        key=lambda a: a.status != Status.IN_PROGRESS,
    )
    action = next(
        (a for a in open_actions if a.axis == Axis.NEIGHBOURHOOD and a.confidentiality != PJ),
        open_actions[0],
    )
    action.refresh_from_db()
    author = by_agency.get(action.lead_agency_id, coordinator)
    today = timezone.localdate()

    def written(user: User) -> str:
        return "nl" if user.preferred_language == "nl" else "fr"

    blocked = action_services.action_set_status(
        action=action,
        by=author,
        revision=action.revision,
        status=Status.BLOCKED,
        progress=action.progress,
        comment=BLOCKED_NOTE,
    )
    ActionUpdate.objects.filter(pk=blocked.pk).update(
        at=_working_moment(today - dt.timedelta(days=20), 11),
        **_texts({"comment": BLOCKED_NOTE}, original=written(author)),
    )
    escalation = action_services.action_escalate(
        action=action, by=coordinator, reason=ESCALATION_REASON
    )
    Escalation.objects.filter(pk=escalation.pk).update(
        raised_at=_working_moment(today - dt.timedelta(days=12), 9, 30),
        # The open escalation waits for its translation; the resolved one has it.
        **_texts({"reason": ESCALATION_REASON}, original=written(coordinator), translated=resolve),
    )
    if resolve:
        analyst = people["csir.analyst"]
        action_services.escalation_resolve(escalation=escalation, by=analyst, resolution=RESOLUTION)
        # The CSIR answered in French and translated its answer.
        resolution = _texts({"resolution": RESOLUTION}, original="fr")
        Escalation.objects.filter(pk=escalation.pk).update(
            resolved_at=_working_moment(today - dt.timedelta(days=6), 15),
            resolution=resolution["resolution"],
            resolution_translation=resolution["resolution_translation"],
            resolution_language="fr",
        )
        action.refresh_from_db()
        restarted = action_services.action_set_status(
            action=action,
            by=author,
            revision=action.revision,
            status=Status.IN_PROGRESS,
            progress=action.progress,
            comment=RESTARTED_NOTE,
        )
        ActionUpdate.objects.filter(pk=restarted.pk).update(
            at=_working_moment(today - dt.timedelta(days=5), 10),
            **_texts({"comment": RESTARTED_NOTE}, original=written(author), translated=False),
        )


def _change_after_validation(plan: ActionPlan, actions: list[Action], *, coordinator: User) -> None:
    """After validation the task force adapted its plan: a new draft version (the new texts
    are not translated yet)."""
    original = "nl" if coordinator.preferred_language == "nl" else "fr"
    changed = next(a for a in actions if a.axis == Axis.PREVENTION)
    changed.refresh_from_db()
    deliverable = _texts(
        {"deliverable": "Trois maraudes par semaine, y compris le week-end"},
        original=changed.language,
        translated=False,
    )
    del deliverable["language"]
    action_services.action_update(
        action=changed,
        by=coordinator,
        revision=changed.revision,
        due_on=cast(dt.date, changed.due_on) + dt.timedelta(days=90),
        **deliverable,
    )
    action_services.action_create(
        plan=plan,
        by=coordinator,
        axis=Axis.NEIGHBOURHOOD,
        lead_agency=changed.lead_agency,
        start_on=timezone.localdate(),
        due_on=timezone.localdate() + dt.timedelta(days=200),
        horizon=Action.Horizon.MEDIUM,
        partner_agencies=(),
        **_texts(
            {"title": "Jardin partagé sur la friche", "deliverable": "Jardin ouvert aux habitants"},
            original=original,
            translated=False,
        ),
    )


# --- What worked where: evaluations of ended actions, validated by the CSIR ------------

# The kind of drug market of each demo hotspot (the others: mixed).
MARKETS = {
    "HS01": "cannabis_street",
    "HS03": "open_crack_scene",
    "HS05": "premises",
    "HS06": "cocaine_point",
    "HS07": "cocaine_point",
    "HS08": "cocaine_point",
    "HS10": "open_crack_scene",
    "HS11": "open_crack_scene",
    "HS12": "delivery",
}


@dataclass(frozen=True)
class Practice:
    effect: str
    phenomena: tuple[str, ...]
    cost_eur: int | None
    person_days: int | None
    mechanism: tuple[str, str]  # French, Dutch
    notes: tuple[str, str]


# By the French title of the action evaluated.
PRACTICES = {
    "Patrouilles pédestres renforcées aux heures de deal": Practice(
        "some", ("dealing", "nuisance"), 18000, 220,
        ("Une présence visible et prévisible aux heures de vente a cassé la routine des "
         "revendeurs; l'effet tient tant que les horaires varient d'une semaine à l'autre.",
         "Een zichtbare aanwezigheid op de uren van de verkoop doorbrak de routine van de "
         "dealers; het effect houdt stand zolang de uren van week tot week wisselen."),
        ("Binômes police et gardiens de la paix; briefing commun chaque lundi.",
         "Duo's van politie en gemeenschapswachten; gezamenlijke briefing elke maandag."),
    ),
    "Contrôles ciblés des points de vente": Practice(
        "clear", ("dealing", "drive_in"), 9500, 140,
        ("Les contrôles ciblés, appuyés par les signalements des habitants, ont rendu les "
         "points fixes trop risqués : la vente s'est fragmentée puis a reculé.",
         "De gerichte controles, gesteund door meldingen van bewoners, maakten de vaste "
         "verkooppunten te riskant: de verkoop versnipperde en nam daarna af."),
        ("Cartographie mensuelle des points de vente partagée avec le parquet.",
         "Maandelijkse kaart van de verkooppunten, gedeeld met het parket."),
    ),
    "Caméras de surveillance supplémentaires": Practice(
        "none", ("dealing",), 145000, 60,
        ("Les caméras ont déplacé la vente de quelques dizaines de mètres, hors du champ; "
         "sans présence humaine, aucun effet durable sur le marché.",
         "De camera's verplaatsten de verkoop enkele tientallen meters, buiten beeld; "
         "zonder menselijke aanwezigheid geen blijvend effect op de markt."),
        ("Prévoir les angles morts avec la police avant l'installation.",
         "De dode hoeken vóór de plaatsing samen met de politie bepalen."),
    ),
    "Travail de rue en soirée": Practice(
        "clear", ("public_use", "nuisance"), 32000, 310,
        ("Les travailleurs de rue, présents aux heures où la scène est ouverte, ont gagné "
         "la confiance des usagers et orienté les plus fragiles vers les soins.",
         "De straathoekwerkers, aanwezig op de uren waarop de scène open is, wonnen het "
         "vertrouwen van de gebruikers en leidden de kwetsbaarsten naar zorg."),
        ("Deux travailleurs de rue de 18 h à 23 h, quatre soirs par semaine.",
         "Twee straathoekwerkers van 18 tot 23 uur, vier avonden per week."),
    ),
    "Maraudes de réduction des risques": Practice(
        "some", ("public_use",), 21000, 190,
        ("Le matériel stérile et l'écoute ont réduit les seringues abandonnées; le lien "
         "créé a permis des orientations que la police seule n'obtenait pas.",
         "Steriel materiaal en een luisterend oor verminderden het aantal achtergelaten "
         "spuiten; het contact maakte doorverwijzingen mogelijk die de politie niet haalde."),
        ("Horaires alignés sur ceux de la scène, annoncés aux riverains.",
         "Uren afgestemd op die van de scène, aangekondigd aan de buurtbewoners."),
    ),
    "Orientation des usagers vers les soins": Practice(
        "some", ("public_use",), None, 120,
        ("Un accès direct, sans rendez-vous, à une consultation le jour même a transformé "
         "les contacts de rue en prises en charge.",
         "Rechtstreekse toegang tot een consultatie dezelfde dag, zonder afspraak, "
         "maakte van contacten op straat echte zorgtrajecten."),
        ("Convention avec le service d'urgence; une place réservée chaque matin.",
         "Overeenkomst met de spoeddienst; elke ochtend één plaats gereserveerd."),
    ),
    "Éclairage et réaménagement du passage": Practice(
        "clear", ("dealing", "nuisance"), 260000, 80,
        ("Un passage éclairé et ouvert ne se prête plus à la vente : les riverains se le "
         "sont réapproprié et les plaintes ont baissé.",
         "Een verlichte, open doorgang leent zich niet meer tot verkoop: de buurtbewoners "
         "namen hem opnieuw in gebruik en het aantal klachten daalde."),
        ("Marché public relancé deux fois; associer les riverains au choix de l'éclairage.",
         "Overheidsopdracht twee keer opnieuw uitgeschreven; de bewoners betrekken bij de keuze."),
    ),
    "Fête de quartier et occupation positive de l'espace public": Practice(
        "too_early", ("nuisance",), 7000, 35,
        ("Les habitants sont revenus sur la place le temps des activités; trop tôt pour "
         "dire si l'occupation tient hors des jours de fête.",
         "De bewoners kwamen terug naar het plein tijdens de activiteiten; te vroeg om te "
         "zeggen of het gebruik standhoudt buiten de feestdagen."),
        ("Programmation mensuelle avec les associations du quartier.",
         "Maandelijkse programmatie met de buurtverenigingen."),
    ),
    "Enquête sur le réseau d'approvisionnement": Practice(
        "clear", ("dealing", "exploitation"), None, 400,
        ("Le croisement des constatations de rue et des écoutes a permis de remonter au "
         "grossiste; les revendeurs mineurs ont été orientés vers l'aide à la jeunesse.",
         "Het kruisen van de vaststellingen op straat met de taps leidde naar de groothandelaar; "
         "de minderjarige verkopers werden naar de jeugdhulp doorverwezen."),
        ("Réunion mensuelle police, PJF et parquet.",
         "Maandelijkse vergadering van politie, FGP en parket."),
    ),
}  # fmt: skip
# Validated practices in the demo (plus one police-judicial and one awaiting the CSIR).
VALIDATED_PRACTICES = 6


def seed_practices(*, people: dict[str, User]) -> None:
    """A few evaluations of done actions, written by the task forces in their language and
    validated by the CSIR coordinator; one police-judicial (its circle only) and one
    awaiting validation. Idempotent: nothing is added once an evaluation exists."""
    if ActionEvaluation.objects.exists():
        return
    reviewer = people["csir.coordinator"]
    done = (
        Action.objects.filter(status=Status.DONE)
        .select_related("plan__taskforce__hotspot", "indicator")
        .order_by("plan__taskforce__hotspot__code", "pk")
    )
    validated, pj_done, submitted_done = 0, False, False
    seen: set[str] = set()
    for action in done:
        code = action.plan.taskforce.hotspot.code
        title = _title_in(action, "fr")
        practice = PRACTICES.get(title)
        confidential = action.confidentiality == PJ
        if practice is None or (confidential and pj_done) or code in seen:
            continue
        if not confidential and validated >= VALIDATED_PRACTICES and submitted_done:
            continue
        author = (
            people.get("pjf") if confidential else people.get(f"tfl.{code.lower()}.coordinator")
        )
        if author is None:
            continue
        language = "nl" if author.preferred_language == "nl" else "fr"
        other = 0 if language == "nl" else 1
        mine = 1 - other
        practice_services.evaluation_save(
            action=action,
            by=author,
            effect=practice.effect,
            mechanism=practice.mechanism[mine],
            market=MARKETS.get(code, "mixed"),
            implementation_notes=practice.notes[mine],
            cost_eur=Decimal(practice.cost_eur) if practice.cost_eur is not None else None,
            person_days=Decimal(practice.person_days) if practice.person_days else None,
            phenomena=practice.phenomena,
            language=language,
            translations={
                "mechanism_translation": practice.mechanism[other],
                "implementation_notes_translation": practice.notes[other],
            },
        )
        practice_services.evaluation_submit(action=action, by=author)
        seen.add(code)
        if confidential:
            pj_done = True
        elif validated >= VALIDATED_PRACTICES:
            submitted_done = True  # left for the CSIR coordinator to review
            continue
        else:
            validated += 1
        practice_services.evaluation_validate(
            action=action,
            by=reviewer,
            comment="Pratique documentée, transférable." if language == "fr" else "",
        )
