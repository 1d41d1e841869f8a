"""Forms of the members page."""

from __future__ import annotations

from typing import cast

from django import forms
from django.utils.translation import gettext_lazy as _

from coordination.core.forms import IdChoiceField, SafeForm
from coordination.models import User
from taskforces.models import AccessGrant, Membership, TaskForce

# --- Members --------------------------------------------------------------------------


class MembershipAddForm(SafeForm):
    user = IdChoiceField(
        label=_("Person"),
        queryset=User.objects.none(),
        help_text=_("Active portal users who are not members yet; their agency comes with them."),
    )
    role = forms.ChoiceField(
        label=_("Role in the task force"),
        choices=Membership.Role.choices,
        initial=Membership.Role.MEMBER,
    )

    def __init__(self, *args, taskforce: TaskForce, **kwargs):
        super().__init__(*args, **kwargs)
        user = cast(forms.ModelChoiceField, self.fields["user"])
        user.queryset = (
            User.objects.filter(is_active=True)
            .exclude(memberships__taskforce=taskforce)
            .select_related("agency")
            .order_by("agency__name_fr", "last_name", "first_name")
        )
        user.label_from_instance = lambda person: f"{person} · {person.agency}"  # type: ignore[method-assign, assignment]


class MembershipRoleForm(SafeForm):
    role = forms.ChoiceField(label=_("Role in the task force"), choices=Membership.Role.choices)


class AccessGrantForm(SafeForm):
    """Read access to one task force for somebody who is not a member (audited)."""

    user = IdChoiceField(
        label=_("Person"),
        queryset=User.objects.filter(is_active=True)
        .select_related("agency")
        .order_by("agency__name_fr", "last_name", "first_name"),
    )
    codename = forms.ChoiceField(
        label=_("Access"), choices=AccessGrant.Perm.choices, initial=AccessGrant.Perm.VIEW
    )
    reason = forms.CharField(
        label=_("Why"),
        max_length=300,
        help_text=_("For example: observer of Fedasil for the reception of asylum seekers."),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        user = cast(forms.ModelChoiceField, self.fields["user"])
        user.label_from_instance = lambda person: f"{person} · {person.agency}"
