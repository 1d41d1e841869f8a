"""The permissions check command: grants compared with the data, drift repaired, on the demo."""

from __future__ import annotations

import io

import pytest
from django.core.management import CommandError, call_command
from guardian.shortcuts import remove_perm

from coordination.models import AuditEntry
from taskforces.models import Action, Membership, TaskForce

pytestmark = pytest.mark.django_db


def check(*args: str) -> str:
    out = io.StringIO()
    call_command("permissions_check", *args, stdout=out)
    return out.getvalue()


def test_the_demo_data_has_no_drift_and_a_removed_grant_is_found_and_repaired(settings):
    settings.DEBUG = True
    call_command("seed_demo", stdout=io.StringIO())
    assert "match the data" in check()

    membership = Membership.objects.select_related("user", "taskforce").first()
    remove_perm("taskforces.view_taskforce", membership.user, membership.taskforce)
    secret = Action.objects.filter(confidentiality="police_judicial").first()
    group = secret.lead_agency.group
    remove_perm("taskforces.change_action", group, secret)

    with pytest.raises(CommandError, match="2 permission"):
        check()
    out = check("--repair")
    assert "Repaired 2" in out
    # A police-judicial title never reaches the output of a command run by technical staff.
    assert secret.title not in out and f"action #{secret.pk} (police-judicial)" in out
    assert "match the data" in check()
    repairs = AuditEntry.objects.filter(action="permission.repair")
    assert repairs.count() == 2
    assert repairs.get(police_judicial=True).target_id == str(secret.pk)
    assert TaskForce.objects.filter(pk=membership.taskforce_id).exists()
