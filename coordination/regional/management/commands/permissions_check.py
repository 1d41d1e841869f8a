"""Compare the object permissions (django-guardian) with the data that implies them.

    manage.py permissions_check            # list the drift; exit 1 if there is any
    manage.py permissions_check --repair   # and repair it (each repair is audited)

What implies a permission: a person's agency (their agency's group), memberships and extra
grants (task forces), lead and partner agencies (actions), pending mayors' decisions
(hotspots). CI runs it on the demo data.
"""

from __future__ import annotations

from typing import Any

from django.core.management.base import BaseCommand, CommandError, CommandParser
from django.db import transaction

from coordination.audit import services as audit
from coordination.core.drift import Drift
from coordination.people import services as people_services
from hotspots.services import hotspots as hotspot_services
from taskforces.services import taskforces as taskforce_services


class Command(BaseCommand):
    help = "Compare the object permissions with the memberships, actions and decisions."

    def add_arguments(self, parser: CommandParser) -> None:
        parser.add_argument("--repair", action="store_true", help="Repair the drift found.")

    def handle(self, *args: Any, repair: bool = False, **options: Any) -> None:
        with transaction.atomic():
            drifts: list[Drift] = [
                *people_services.groups_drift(repair=repair),
                *hotspot_services.decide_grants_drift(repair=repair),
                *taskforce_services.grants_drift(repair=repair),
            ]
            for drift in drifts if repair else []:
                # A police-judicial action's title stays inside the circle, in the trail too.
                audit.record(
                    actor=None,
                    action="permission.repair",
                    target=drift.obj,
                    changes={
                        "permission": drift.perm,
                        "holder": drift.holder,
                        "granted": drift.missing,
                    },
                    police_judicial=drift.police_judicial,
                )
        for drift in drifts:
            self.stdout.write(str(drift))
        if not drifts:
            self.stdout.write(self.style.SUCCESS("The permissions match the data."))
        elif repair:
            self.stdout.write(self.style.SUCCESS(f"Repaired {len(drifts)} permission(s)."))
        else:
            raise CommandError(f"{len(drifts)} permission(s) drifted; run with --repair.")
