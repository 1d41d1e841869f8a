"""Demo data of the regional layer: agencies, people of every role, the strategy.

Idempotent: running it twice changes nothing. Later apps add their own ``demo.py``.
"""

from __future__ import annotations

import datetime as dt

from coordination.models import Agency, Commune, PoliceZone, Strategy, User
from coordination.people.demo import person
from coordination.regional.cores import demo as cores_demo
from coordination.strategy import selectors, services
from hotspots import demo as hotspot_demo
from hotspots import demo_indicators, demo_orders
from reporting import demo as reporting_demo
from taskforces import demo as taskforce_demo
from taskforces import demo_displacement
from taskforces.models import TaskForce

Kind = Agency.Kind
Role = User.Role

# The communes in which the 2024 hotspots lie (hotspots_2024.csv).
HOTSPOT_COMMUNES = ["21004", "21009", "21013", "21001", "21007", "21012", "21015", "21014"]

OTHER_AGENCIES = [
    # name_fr, name_nl, acronym, kind
    (
        "safe.brussels (Bruxelles Prévention & Sécurité)",
        "safe.brussels (Brussel Preventie & Veiligheid)",
        "BPS",
        Kind.REGIONAL_COORDINATION,
    ),
    (
        "Police judiciaire fédérale de Bruxelles",
        "Federale gerechtelijke politie Brussel",
        "PJF",
        Kind.FEDERAL_POLICE,
    ),
    ("Parquet de Bruxelles", "Parket van Brussel", "PdR", Kind.PROSECUTOR),
    (
        "Bruxelles Pouvoirs locaux",
        "Brussel Plaatselijke Besturen",
        "BPL",
        Kind.REGIONAL_ADMINISTRATION,
    ),
    (
        "Cabinet du Ministre-Président",
        "Kabinet van de Minister-President",
        "MP",
        Kind.REGIONAL_ADMINISTRATION,
    ),
    ("Transit asbl", "Transit vzw", "Transit", Kind.ASSOCIATION),
    ("Dune asbl", "Dune vzw", "Dune", Kind.ASSOCIATION),
    ("Samusocial", "Samusocial", "SAMU", Kind.ASSOCIATION),
    ("Office des Étrangers", "Dienst Vreemdelingenzaken", "OE", Kind.FEDERAL_ADMINISTRATION),
    ("Fedasil", "Fedasil", "Fedasil", Kind.FEDERAL_ADMINISTRATION),
]

# Fictitious demo people, one mayor per commune concerned.
DEMO_MAYORS = [
    ("21004", "mayor.bruxelles", "Anne", "Lambert"),
    ("21009", "mayor.ixelles", "Marc", "Janssens"),
    ("21013", "mayor.saint-gilles", "Nadia", "Benali"),
    ("21001", "mayor.anderlecht", "Luc", "Maes"),
    ("21007", "mayor.forest", "Sarah", "Claes"),
    ("21012", "mayor.molenbeek", "Karim", "Haddad"),
    ("21015", "mayor.schaerbeek", "Sophie", "Wouters"),
    ("21014", "mayor.saint-josse", "Pierre", "Dupont"),
]
COMMUNE_AGENCY_NAMES = {
    "21004": ("Ville de Bruxelles", "Stad Brussel"),
    "21009": ("Commune d'Ixelles", "Gemeente Elsene"),
    "21013": ("Commune de Saint-Gilles", "Gemeente Sint-Gillis"),
    "21001": ("Commune d'Anderlecht", "Gemeente Anderlecht"),
    "21007": ("Commune de Forest", "Gemeente Vorst"),
    "21012": ("Commune de Molenbeek-Saint-Jean", "Gemeente Sint-Jans-Molenbeek"),
    "21015": ("Commune de Schaerbeek", "Gemeente Schaarbeek"),
    "21014": ("Commune de Saint-Josse-ten-Noode", "Gemeente Sint-Joost-ten-Node"),
}

STRATEGY_ADOPTED = dt.date(2024, 3, 12)
# Dates of the CoReS meetings that extended the strategy by six months each time.
EXTENSIONS = [
    dt.date(2024, 9, 5),
    dt.date(2025, 3, 6),
    dt.date(2025, 9, 4),
    dt.date(2026, 3, 5),
    dt.date(2026, 9, 3),
    dt.date(2027, 3, 4),
]


def seed_agencies() -> dict[str, Agency]:
    """Every agency of the demo, by acronym (communes by NIS code, police by zone number)."""
    agencies: dict[str, Agency] = {}
    for name_fr, name_nl, acronym, kind in OTHER_AGENCIES:
        agencies[acronym] = Agency.objects.update_or_create(
            name_fr=name_fr, defaults={"name_nl": name_nl, "acronym": acronym, "kind": kind}
        )[0]
    for commune in Commune.objects.filter(nis_code__in=HOTSPOT_COMMUNES):
        agencies[commune.nis_code] = Agency.objects.update_or_create(
            name_fr=COMMUNE_AGENCY_NAMES[commune.nis_code][0],
            defaults={
                "name_nl": COMMUNE_AGENCY_NAMES[commune.nis_code][1],
                "kind": Kind.COMMUNE,
                "commune": commune,
            },
        )[0]
    for zone in PoliceZone.objects.all():
        agencies[str(zone.number)] = Agency.objects.update_or_create(
            name_fr=f"Zone de police {zone.number} {zone.name_fr}",
            defaults={
                "name_nl": f"Politiezone {zone.number} {zone.name_nl}",
                "acronym": zone.alias or f"ZP {zone.number}",
                "kind": Kind.LOCAL_POLICE,
                "police_zone": zone,
            },
        )[0]
    return agencies


def seed_people(agencies: dict[str, Agency]) -> dict[str, User]:
    people = {
        "csir.coordinator": person(
            "csir.coordinator", "Claire", "Dubois", agencies["BPS"], Role.CSIR_COORDINATOR
        ),
        "csir.analyst": person(
            "csir.analyst", "Jonas", "Peeters", agencies["BPS"], Role.CSIR_ANALYST
        ),
        "cores.member": person(
            "cores.member", "Hélène", "Vermeulen", agencies["MP"], Role.CORES_MEMBER
        ),
        "admin": person(
            "admin",
            "Alex",
            "Admin",
            agencies["BPS"],
            Role.ADMINISTRATOR,
            is_staff=True,
            is_superuser=True,
        ),
    }
    communes = {c.nis_code: c for c in Commune.objects.filter(nis_code__in=HOTSPOT_COMMUNES)}
    for nis_code, username, first, last in DEMO_MAYORS:
        commune = communes[nis_code]
        people[username] = person(
            username, first, last, agencies[nis_code], Role.MAYOR, commune=commune
        )
    return people


def seed_strategy(*, by: User) -> Strategy:
    strategy = Strategy.objects.filter(adopted_on=STRATEGY_ADOPTED).first()
    if strategy is None:
        strategy = services.strategy_adopt(
            title_fr="Stratégie régionale de lutte contre le trafic de drogues et son impact "
            "sur la sécurité",
            title_nl="Gewestelijke strategie tegen drugshandel en de impact ervan op de veiligheid",
            adopted_on=STRATEGY_ADOPTED,
            by=by,
        )
    # Extend, as the CoReS did, with each decision taken by today.
    decided = set(strategy.periods.values_list("decided_on", flat=True))
    for decided_on in EXTENSIONS:
        if decided_on > selectors.today():
            break
        if decided_on not in decided:
            services.strategy_extend(strategy=strategy, decided_on=decided_on, by=by)
    return strategy


def seed() -> dict[str, User]:
    """The whole demo, app by app (the regional layer sits on top of every app)."""
    agencies = seed_agencies()
    people = seed_people(agencies)
    seed_strategy(by=people["csir.coordinator"])
    hotspots = hotspot_demo.seed(people=people)
    demo_orders.seed(people=people, hotspots=hotspots)
    demo_indicators.seed(people=people, hotspots=hotspots)
    taskforce_demo.seed(people=people, hotspots=hotspots, agencies=agencies)
    cores_demo.seed(people=people, taskforces=list(TaskForce.objects.order_by("hotspot__code")))
    demo_displacement.seed(people=people, hotspots=hotspots)
    reporting_demo.seed(people=people)
    return people
