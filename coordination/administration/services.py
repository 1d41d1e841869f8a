"""The administrator's writes on agencies, people and reference data (the Django admin).

The administrator (technical staff) manages agencies, people, communes and police zones in
the Django admin; each save goes through one of these services, which records an audit
entry with the old and new values in the admin's transaction. Nothing here is deleted.

Why here and not in ``coordination/people`` and ``coordination/reference``: the audit trail
sits above those two packages in the layers (``pyproject.toml``: the audit entry knows who
acted), so their audited writes live above all three.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.contrib.auth.models import Permission
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.utils.translation import gettext_lazy as _

from coordination.audit import services as audit
from coordination.people.models import Agency, User
from coordination.people.services import agency_group, person_saved
from coordination.reference.models import Commune, PoliceZone

# What the admin may change in the reference data (codes, numbers and boundaries come from
# the official sources with the data migration).
COMMUNE_FIELDS = ["name_fr", "name_nl", "postal_codes"]
POLICE_ZONE_FIELDS = ["name_fr", "name_nl", "alias"]

# What the admin may set on an agency (its group follows it and is never edited).
AGENCY_FIELDS = ["name_fr", "name_nl", "kind", "acronym", "commune", "police_zone"]
# What the admin may set on a person. The password is never among them: it is set by
# ``person_set_password`` and recorded as a code, never as a hash.
PERSON_FIELDS = [
    "username",
    "first_name",
    "last_name",
    "email",
    "agency",
    "role",
    "commune",
    "preferred_language",
    "email_mode",
    "is_active",
    "is_staff",
    "is_superuser",
]
# Nobody changes these on their own account.
SELF_GUARDED_FIELDS = ("agency", "role", "commune", "is_active", "is_staff", "is_superuser")
# Changing one of these changes the object permissions that follow from who a person is.
PERSON_PERMISSION_FIELDS = frozenset({"agency", "role", "commune", "is_active"})


def _check_fields(fields: dict[str, Any], allowed: list[str]) -> None:
    unknown = set(fields) - set(allowed)
    if unknown:
        raise ValueError(f"not a field the admin sets: {sorted(unknown)}")


def check_agency_kind(*, old_kind: str, new_kind: str) -> None:
    """Refuse a change of kind that moves an agency into or out of the circle."""
    # The police-judicial circle is granted with each membership of a police or prosecutor
    # agency's member: moving an agency in or out of the circle here would leave those
    # grants behind (or missing). A different kind of agency is a new agency.
    if (old_kind in Agency.POLICE_JUDICIAL_KINDS) != (new_kind in Agency.POLICE_JUDICIAL_KINDS):
        raise ValidationError(
            {
                "kind": _(
                    "An agency cannot move into or out of the police-judicial circle (police, "
                    "prosecutor's office): its members' access follows from it. Create a new "
                    "agency instead."
                )
            }
        )


@transaction.atomic
def agency_create(*, by: User | None, **fields: Any) -> Agency:
    """Create an agency and its group; audited with what was set."""
    _check_fields(fields, AGENCY_FIELDS)
    agency = Agency(**fields)
    agency.full_clean()
    agency.save()
    agency_group(agency)
    audit.record(
        actor=by, action="agency.create", target=agency, changes=audit.snapshot(agency, [*fields])
    )
    return agency


@transaction.atomic
def agency_change(*, agency: Agency, by: User | None, **fields: Any) -> Agency:
    """Change an agency's names, kind, acronym, commune or police zone; audited (old, new)."""
    _check_fields(fields, AGENCY_FIELDS)
    current = Agency.objects.select_for_update().get(pk=agency.pk)
    before = audit.snapshot(current, AGENCY_FIELDS)
    if "kind" in fields:
        check_agency_kind(old_kind=current.kind, new_kind=fields["kind"])
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean()
    changes = audit.diff(before, audit.snapshot(current, AGENCY_FIELDS))
    if changes:
        current.save(update_fields=list(changes))
        audit.record(actor=by, action="agency.change", target=current, changes=changes)
    return current


@transaction.atomic
def person_create(*, by: User | None, password: str | None, **fields: Any) -> User:
    """Create a person (``password`` None: no password sign-in); their agency group and
    the permissions their role implies follow. The password is recorded as set, as a code."""
    _check_fields(fields, PERSON_FIELDS)
    person = User(**fields)
    if password is None:
        person.set_unusable_password()
    else:
        person.set_password(password)
    person.full_clean(exclude=["password"])
    person.save()
    person_saved(person)
    changes = audit.snapshot(person, [*fields])
    changes["password"] = "set" if password is not None else "unusable"
    audit.record(actor=by, action="user.create", target=person, changes=changes)
    return person


@transaction.atomic
def person_change(*, person: User, by: User | None, **fields: Any) -> User:
    """Change a person's identity, agency, role or access flags; audited with old values.

    A change of agency, role, commune or activity re-derives their object permissions.
    """
    _check_fields(fields, PERSON_FIELDS)
    current = User.objects.select_for_update().get(pk=person.pk)
    before = audit.snapshot(current, PERSON_FIELDS)
    own = by is not None and by.pk == current.pk
    if own and any(
        fields.get(name, getattr(current, name)) != getattr(current, name)
        for name in SELF_GUARDED_FIELDS
    ):
        # Otherwise an administrator could make themselves CSIR coordinator, and so read
        # the police-judicial items: another administrator does it, on the record.
        raise ValidationError(
            _(
                "You cannot change your own agency, role or access rights: "
                "ask another administrator."
            )
        )
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean(exclude=["password"])
    changes = audit.diff(before, audit.snapshot(current, PERSON_FIELDS))
    if changes:
        current.save(update_fields=list(changes))
        if PERSON_PERMISSION_FIELDS & set(changes):
            person_saved(current)
        audit.record(actor=by, action="user.change", target=current, changes=changes)
    return current


@transaction.atomic
def person_set_permissions(
    *, person: User, by: User | None, permissions: Iterable[Permission]
) -> User:
    """Set a person's model-wide permissions (the admin's); audited with the old set.

    Object permissions (django-guardian) are granted by the services that imply them.
    """

    def names(perms: Iterable[Permission]) -> list[str]:
        return sorted(f"{p.content_type.app_label}.{p.codename}" for p in perms)

    wanted = list(permissions)
    before = names(person.user_permissions.select_related("content_type"))
    after = names(
        Permission.objects.filter(pk__in=[p.pk for p in wanted]).select_related("content_type")
    )
    if before != after:
        person.user_permissions.set(wanted)
        audit.record(
            actor=by,
            action="user.permissions",
            target=person,
            changes={"user_permissions": [before, after]},
        )
    return person


@transaction.atomic
def person_set_password(*, person: User, by: User | None, password: str | None) -> User:
    """Set a person's password, or turn password sign-in off (``None``).

    The trail records that it changed, as a code: never the password nor its hash.
    """
    current = User.objects.select_for_update().get(pk=person.pk)
    if password is None:
        current.set_unusable_password()
    else:
        current.set_password(password)
    current.save(update_fields=["password"])
    audit.record(
        actor=by,
        action="user.password",
        target=current,
        changes={"password": "changed" if password is not None else "disabled"},
    )
    person.password = current.password
    return current


def _change(
    obj: models.Model, *, by: User | None, action: str, allowed: list[str], fields: dict[str, Any]
) -> models.Model:
    _check_fields(fields, allowed)
    current = type(obj)._default_manager.select_for_update().get(pk=obj.pk)
    before = audit.snapshot(current, allowed)
    for name, value in fields.items():
        setattr(current, name, value)
    current.full_clean()
    changes = audit.diff(before, audit.snapshot(current, allowed))
    if changes:
        current.save(update_fields=list(changes))
        audit.record(actor=by, action=action, target=current, changes=changes)
    return current


@transaction.atomic
def commune_change(*, commune: Commune, by: User | None, **fields: Any) -> Commune:
    """Change a commune's names or postal codes; audited with the old values."""
    changed = _change(
        commune, by=by, action="commune.change", allowed=COMMUNE_FIELDS, fields=fields
    )
    assert isinstance(changed, Commune)
    return changed


@transaction.atomic
def police_zone_change(*, zone: PoliceZone, by: User | None, **fields: Any) -> PoliceZone:
    """Change a police zone's names or usual name; audited with the old values."""
    changed = _change(
        zone, by=by, action="police_zone.change", allowed=POLICE_ZONE_FIELDS, fields=fields
    )
    assert isinstance(changed, PoliceZone)
    return changed
