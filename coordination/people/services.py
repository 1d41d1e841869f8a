"""Writes on agencies and people: the agency groups that carry object permissions."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction
from django.dispatch import Signal

from coordination.core.drift import Drift
from coordination.people.models import Agency, User

GROUP_PREFIX = "agency:"

# Sent with ``person`` when a person is created or changes agency, role or commune: the
# apps above re-derive the object permissions that follow from who the person is (a new
# mayor may decide the hotspots pending in their commune). Sent inside the transaction.
person_changed = Signal()


@transaction.atomic
def agency_group(agency: Agency) -> Group:
    """The group of ``agency`` (made on first use): object permissions granted to an agency
    go to it, and every person of the agency is in it."""
    if agency.group_id is not None:
        return agency.group  # type: ignore[return-value]
    agency = Agency.objects.select_for_update().get(pk=agency.pk)
    if agency.group_id is None:
        group, _created = Group.objects.get_or_create(name=f"{GROUP_PREFIX}{agency.pk}")
        agency.group = group
        agency.save(update_fields=["group"])
    return agency.group  # type: ignore[return-value]


@transaction.atomic
def person_join_agency_group(person: User) -> bool:
    """Put ``person`` in their agency's group and out of any other agency's; True if changed.

    Called whenever a person is created or changes agency (admin, demo, commands); the
    permission check command repairs any drift.
    """
    group = agency_group(person.agency)
    other = person.groups.filter(name__startswith=GROUP_PREFIX).exclude(pk=group.pk)
    changed = other.exists()
    if changed:
        person.groups.remove(*other)
    if not person.groups.filter(pk=group.pk).exists():
        person.groups.add(group)
        changed = True
    return changed


@transaction.atomic
def person_saved(person: User) -> None:
    """After a person was created or changed (admin, demo, commands): their agency group,
    and every object permission that follows from their role, commune and agency."""
    person_join_agency_group(person)
    person_changed.send(sender=User, person=person)


def groups_drift(*, repair: bool) -> list[Drift]:
    """People outside their agency's group, or in another agency's group."""
    drifts = []
    memberships = set(
        User.groups.through.objects.filter(group__name__startswith=GROUP_PREFIX).values_list(
            "user_id", "group_id"
        )
    )
    groups = dict(Agency.objects.filter(group__isnull=False).values_list("pk", "group_id"))
    for person in User.objects.select_related("agency"):
        wanted = groups.get(person.agency_id)
        held = {group for user, group in memberships if user == person.pk}
        if wanted is None or wanted not in held or held - {wanted}:
            drifts.append(Drift(True, "auth.group", str(person), str(person.agency), person))
            if repair:
                person_join_agency_group(person)
    return drifts
