"""Demo accounts (DEBUG only): every one shares the published demo password."""

from __future__ import annotations

import hashlib

from django_otp.plugins.otp_totp.models import TOTPDevice

from coordination.people.models import Agency, User
from coordination.people.services import person_saved
from coordination.people.two_factor import DEVICE_NAME, must_use_two_factor, secret_base32
from coordination.reference.models import Commune, PoliceZone

Kind = Agency.Kind
Role = User.Role

DEMO_PASSWORD = "demo-brussels-2024"  # noqa: S105 - published demo accounts, DEBUG only


def person(username: str, first: str, last: str, agency: Agency, role: str, **extra) -> User:
    user, created = User.objects.get_or_create(
        username=username,
        defaults={
            "first_name": first,
            "last_name": last,
            "email": f"{username}@demo.portal.brussels",
            "agency": agency,
            "role": role,
            **extra,
        },
    )
    if created:
        user.set_password(DEMO_PASSWORD)
        user.save(update_fields=["password"])
    person_saved(user)
    return user


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

# Demo accounts whose preferred language is Dutch (the portal speaks to them in Dutch;
# they write their texts in Dutch). The task forces add a police officer, a federal
# administration member and two task-force coordinators (taskforces/demo.py).
DUTCH_SPEAKERS = {"cores.member", "mayor.anderlecht"}

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
            "cores.member",
            "Hilde",
            "Vermeulen",
            agencies["MP"],
            Role.CORES_MEMBER,
            preferred_language="nl" if "cores.member" in DUTCH_SPEAKERS else "fr",
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
            username,
            first,
            last,
            agencies[nis_code],
            Role.MAYOR,
            commune=commune,
            preferred_language="nl" if username in DUTCH_SPEAKERS else "fr",
        )
    return people


def demo_totp_key(username: str) -> str:
    """The demo's published TOTP secret of ``username`` (hex, as django-otp stores it).

    PUBLIC, like the demo password: the SHA-1 of ``portal-demo-totp:<username>``. Only the
    demo data uses it (README.md, "Demo accounts and their second factor").
    """
    return hashlib.sha1(f"portal-demo-totp:{username}".encode()).hexdigest()  # noqa: S324


def demo_totp_secret(username: str) -> str:
    """The same secret in base32, as an authenticator app or ``oathtool -b`` takes it."""
    return secret_base32(demo_totp_key(username))


def seed_two_factor() -> dict[str, str]:
    """Give every demo person who must use two factors an app with the published secret.

    Run after the task forces (they put people in the police-judicial circles). Written
    directly, not through ``two_factor_enrol`` (which needs a code from a real app).
    Returns the base32 secret per username.
    """
    secrets: dict[str, str] = {}
    for user in User.objects.filter(is_active=True).select_related("agency").order_by("username"):
        if not must_use_two_factor(user):
            continue
        TOTPDevice.objects.update_or_create(
            user=user,
            name=DEVICE_NAME,
            defaults={"key": demo_totp_key(user.username), "confirmed": True},
        )
        secrets[user.username] = demo_totp_secret(user.username)
    return secrets


def demo_two_factor_accounts() -> dict[str, str]:
    """The demo people with the published second factor, and its base32 secret."""
    return {
        device.user.username: demo_totp_secret(device.user.username)
        for device in TOTPDevice.objects.filter(confirmed=True)
        .select_related("user")
        .order_by("user__username")
        if device.key == demo_totp_key(device.user.username)
    }
