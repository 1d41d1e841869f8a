"""Writes on agencies and people: the agency groups that carry object permissions."""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction

from coordination.people.models import Agency, User

GROUP_PREFIX = "agency:"


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
