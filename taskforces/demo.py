"""Demo task forces: members from several agencies, a year of meetings and of a plan's life.

For every active hotspot: a coordinator, the local police of its zone(s), the prosecutor's
office, the federal judicial police and the associations join the task force (the mayors
chair it since its approval); a plan of three axes is submitted and validated in spring,
then lives for a year (monthly updates, some actions late, one blocked and escalated).
Peterbos (HS08) has its plan returned with comments, Étangs Noirs (HS12) awaits
validation, Gare du Midi (HS10) changed since its validation (a new draft version).

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

from coordination.models import Agency, Axis, User
from coordination.people.demo import person as _person
from hotspots.models import Hotspot, IndicatorDefinition
from taskforces.models import (
    Action,
    ActionPlan,
    ActionUpdate,
    Escalation,
    Meeting,
    MeetingDecision,
    MeetingPoint,
    Membership,
    PlanVersion,
    TaskForce,
)
from taskforces.selectors import plans as plan_selectors
from taskforces.services import actions as action_services
from taskforces.services import meetings as meeting_services
from taskforces.services import plans as plan_services
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

# Police usernames by zone number.
ZONE_USERS = {
    5339: ("police.polbru", "Thomas", "Lemaire"),
    5340: ("police.ouest", "Inès", "Bakkali"),
    5341: ("police.midi", "Kevin", "Van Damme"),
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
    "Bilan mensuel: objectifs atteints.",
    "Nouveaux signalements pris en compte.",
    "Adaptation des horaires après la dernière réunion.",
]
MEETING_PLACES = [
    "Maison communale, salle du collège",
    "Commissariat de division",
    "Maison de quartier",
    "Hôtel de ville, salle des mariages",
]


def _account(username: str, first: str, last: str, agency: Agency, *, like: User) -> User:
    """A demo account made by ``coordination.demo._person``.

    Every demo account has the same published password; an account made here reuses the
    hash of ``like`` (a demo account), since hashing it again for each of the ~25 people
    would take most of the demo's time.
    """
    if like.has_usable_password() and not User.objects.filter(username=username).exists():
        User.objects.create(
            username=username,
            first_name=first,
            last_name=last,
            email=f"{username}@demo.portal.brussels",
            agency=agency,
            role=User.Role.PARTICIPANT,
            password=like.password,
        )
    return _person(username, first, last, agency, User.Role.PARTICIPANT)


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

    plan = plan_selectors.plan_of(taskforce)
    if plan.actions.exists():
        return
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
        actions.append(
            action_services.action_create(
                plan=plan,
                by=author,
                axis=template.axis,
                title=template.title,
                description=f"{template.title} ({hotspot.name_fr}).",
                lead_agency=lead,
                partner_agencies=[agency(key) for key in template.partners],
                start_on=start,
                due_on=due,
                horizon=["short", "medium", "long"][number % 3],
                deliverable=template.deliverable,
                indicator=indicators.get(template.indicator),
                indicator_target=Decimal(template.target) if template.target else None,
                confidentiality=PJ
                if template.police_judicial
                else Action.Confidentiality.TASKFORCE,
            )
        )
    version = plan_services.current_version(plan)
    submitted_on = _at(_months_ago(today, 11, 5))
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
        reviewed_at=None if code == SUBMITTED else submitted_on + dt.timedelta(days=9),
    )

    _live_a_year(plan, actions, rng=rng, by_agency=by_agency, coordinator=coordinator)
    _meetings(taskforce, actions, rng=rng, coordinator=coordinator, members=members)
    if code == BLOCKED:
        _block_and_escalate(actions, by_agency=by_agency, coordinator=coordinator, people=people)
    if code == RESOLVED:
        _block_and_escalate(
            actions, by_agency=by_agency, coordinator=coordinator, people=people, resolve=True
        )
    if code == CHANGED:
        _change_after_validation(plan, actions, coordinator=coordinator)


def _live_a_year(
    plan: ActionPlan,
    actions: list[Action],
    *,
    rng: random.Random,
    by_agency: dict[int | None, User],
    coordinator: User,
) -> None:
    """Monthly updates since each action started, and where each action stands today."""
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
        for step in range(steps):
            day = start_on + dt.timedelta(days=30 * step + rng.randint(0, 12))
            if day >= today:
                break
            old = status
            status = Status.IN_PROGRESS
            target = 100 if final == Status.DONE else 90
            progress = min(target, progress + rng.randint(4, 14))
            if final == Status.DONE and step == steps - 1:
                status, progress = Status.DONE, 100
            update = ActionUpdate(
                action=action,
                author=author,
                agency=author.agency,
                old_status=old if old != status else "",
                new_status=status if old != status else "",
                progress=progress,
                comment=rng.choice(UPDATE_NOTES),
                confidentiality=action.confidentiality,
            )
            rows.append((update, _at(day, rng.randint(8, 18))))
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


def _meetings(
    taskforce: TaskForce,
    actions: list[Action],
    *,
    rng: random.Random,
    coordinator: User,
    members: list[tuple[User, Role]],
) -> None:
    """A meeting every six weeks or so for a year, and the next one (most task forces)."""
    if Meeting.objects.filter(taskforce=taskforce).exists():
        return
    today = timezone.localdate()
    code = taskforce.hotspot.code
    last_gap = 45 if code == NO_RECENT_MEETING else rng.randint(7, 20)
    days = sorted({last_gap + 42 * n + rng.randint(0, 6) for n in range(8)}, reverse=True)
    people = [person for person, role in members if role != Role.OBSERVER]
    for number, days_ago in enumerate(days):
        day = today - dt.timedelta(days=days_ago)
        meeting = meeting_services.meeting_create(
            taskforce=taskforce,
            by=coordinator,
            starts_at=_at(day, 14),
            place=MEETING_PLACES[number % len(MEETING_PLACES)],
            agenda="1. Suivi du plan d'action\n2. Signalements du mois\n3. Divers",
        )
        meeting_services.meeting_update(
            meeting=meeting,
            by=coordinator,
            minutes="Tour de table des partenaires; point sur les actions en retard; "
            "les signalements des habitants sont transmis à la police.",
            attendees=rng.sample(people, k=max(3, len(people) - rng.randint(0, 3))),
        )
        MeetingPoint.objects.bulk_create(
            [
                MeetingPoint(meeting=meeting, title="Bilan des patrouilles", is_open=False),
                MeetingPoint(
                    meeting=meeting,
                    title=rng.choice(
                        [
                            "Budget de l'éclairage",
                            "Local pour la permanence",
                            "Horaires des maraudes",
                        ]
                    ),
                    is_open=number == len(days) - 1 or rng.random() < 0.3,
                ),
            ]
        )
        # Points carried over from the previous meeting get settled at this one.
        meeting.points.filter(carried_from__isnull=False).update(is_open=False)
        # Decisions are read by the whole task force: never about a police-judicial action.
        action = rng.choice([a for a in actions if a.confidentiality != PJ])
        MeetingDecision.objects.create(
            meeting=meeting,
            text=f"La task force confirme la priorité de l'action « {action.title} ».",
            action=action,
            created_by=coordinator,
        )
    if code != NO_RECENT_MEETING:
        meeting_services.meeting_create(
            taskforce=taskforce,
            by=coordinator,
            starts_at=_at(today + dt.timedelta(days=rng.randint(5, 25)), 14),
            place=MEETING_PLACES[0],
            agenda="1. Suivi du plan d'action\n2. Points restés ouverts\n3. Divers",
        )


def _block_and_escalate(
    actions: list[Action],
    *,
    by_agency: dict[int | None, User],
    coordinator: User,
    people: dict[str, User],
    resolve: bool = False,
) -> None:
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
    blocked = action_services.action_set_status(
        action=action,
        by=author,
        revision=action.revision,
        status=Status.BLOCKED,
        progress=action.progress,
        comment="Le marché public a été déclaré infructueux; plus d'entrepreneur disponible.",
    )
    ActionUpdate.objects.filter(pk=blocked.pk).update(at=timezone.now() - dt.timedelta(days=20))
    escalation = action_services.action_escalate(
        action=action,
        by=coordinator,
        reason="Sans appui régional pour relancer le marché, l'action est à l'arrêt depuis deux "
        "mois. Nous demandons l'intervention de Bruxelles Pouvoirs locaux.",
    )
    Escalation.objects.filter(pk=escalation.pk).update(
        raised_at=timezone.now() - dt.timedelta(days=12)
    )
    if resolve:
        action_services.escalation_resolve(
            escalation=escalation,
            by=people["csir.analyst"],
            resolution="Subside régional accordé; le marché est relancé par la commune.",
        )
        action.refresh_from_db()
        action_services.action_set_status(
            action=action,
            by=author,
            revision=action.revision,
            status=Status.IN_PROGRESS,
            progress=action.progress,
            comment="Marché relancé grâce au subside régional.",
        )


def _change_after_validation(plan: ActionPlan, actions: list[Action], *, coordinator: User) -> None:
    """After validation the task force adapted its plan: a new draft version."""
    changed = next(a for a in actions if a.axis == Axis.PREVENTION)
    changed.refresh_from_db()
    action_services.action_update(
        action=changed,
        by=coordinator,
        revision=changed.revision,
        due_on=cast(dt.date, changed.due_on) + dt.timedelta(days=90),
        deliverable="Trois maraudes par semaine, y compris le week-end",
    )
    action_services.action_create(
        plan=plan,
        by=coordinator,
        axis=Axis.NEIGHBOURHOOD,
        title="Jardin partagé sur la friche",
        lead_agency=changed.lead_agency,
        start_on=timezone.localdate(),
        due_on=timezone.localdate() + dt.timedelta(days=200),
        horizon=Action.Horizon.MEDIUM,
        deliverable="Jardin ouvert aux habitants",
    )
