"""Task force pages: the list, a task force, its members; my actions (the calendar feeds
are in ``taskforces.views.calendar``)."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import HttpResponse
from django.shortcuts import redirect, render
from django.template.response import TemplateResponse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from coordination.audit import viewlog
from coordination.core.htmx import htmx_partial
from coordination.people import permissions as policy
from coordination.people.http import AuthenticatedHttpRequest
from taskforces import permissions
from taskforces.forms.actions import MyActionsFilter
from taskforces.forms.taskforces import AccessGrantForm, MembershipAddForm, MembershipRoleForm
from taskforces.models import Membership, TaskForce
from taskforces.selectors import actions as action_selectors
from taskforces.selectors import balance as balance_selectors
from taskforces.selectors import plans as plan_selectors
from taskforces.selectors import taskforces as taskforce_selectors
from taskforces.services import taskforces as taskforce_services


@require_GET
def taskforce_list(request: AuthenticatedHttpRequest) -> HttpResponse:
    context = {
        "taskforces": taskforce_selectors.taskforce_list(request.user),
        "is_csir": policy.is_csir(request.user),
    }
    return render(request, "taskforces/list.html", context)


@require_GET
def taskforce_detail(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    taskforce = permissions.get_taskforce_for(request.user, pk)
    plan = plan_selectors.plan_of(taskforce)
    # ?all=1: every late and blocked action (by default the first of each list).
    show_all = request.GET.get("all") == "1"
    context = taskforce_selectors.taskforce_page(request.user, taskforce, plan, show_all=show_all)
    context["balance"] = balance_selectors.balance_for(request.user, taskforce)
    viewlog.shown(request, [*context["late"], *context["blocked"]], via=viewlog.VIA_TASKFORCE_PAGE)
    return render(request, "taskforces/detail.html", context)


@require_http_methods(["GET", "POST"])
def taskforce_members(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """The members, and who can see the task force and why; the chair, the coordinator and
    the CSIR add people here, an administrator or the CSIR coordinator grants extra access."""
    perm: permissions.TaskForcePerm = "manage_members" if request.method == "POST" else "members"
    taskforce = permissions.get_taskforce_for(request.user, pk, perm)
    form = MembershipAddForm(request.POST or None, taskforce=taskforce)
    if request.method == "POST" and form.is_valid():
        try:
            taskforce_services.membership_add(
                taskforce=taskforce, by=request.user, **form.cleaned_data
            )
        except (
            taskforce_services.CircleEntryRefused,
            taskforce_services.ChairProtected,
        ) as refused:
            # 403 with the reason, the typed choice kept (not the bare 403 page).
            form.add_error(None, str(refused))
            return _members_page(request, taskforce, form=form, status=403)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Member added."))
            return redirect("taskforces:members", pk=taskforce.pk)
    return _members_page(request, taskforce, form=form)


def _members_page(
    request: AuthenticatedHttpRequest,
    taskforce: TaskForce,
    *,
    form: MembershipAddForm | None = None,
    grant_form: AccessGrantForm | None = None,
    status: int = 200,
) -> HttpResponse:
    access = permissions.access_for(request.user, taskforce)
    can_grant = permissions.can_grant_access(request.user)
    context = {
        "taskforce": taskforce,
        "access": access,
        "members": taskforce_selectors.members(taskforce),
        "viewers": taskforce_selectors.who_can_see(taskforce),
        "form": (form or MembershipAddForm(taskforce=taskforce)) if access.manages else None,
        "grant_form": (grant_form or AccessGrantForm(prefix="grant")) if can_grant else None,
        "can_grant": can_grant,
        "roles": Membership.Role.choices,
        "brings_into_circle": permissions.can_bring_into_circle(request.user, taskforce),
    }
    return render(request, "taskforces/members.html", context, status=status)


@require_POST
def access_grant(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Give somebody read access beyond the memberships (administrator, CSIR coordinator)."""
    taskforce = permissions.get_taskforce_for(request.user, pk, "grant_access")
    form = AccessGrantForm(request.POST, prefix="grant")
    if form.is_valid():
        try:
            taskforce_services.access_grant(
                taskforce=taskforce, by=request.user, **form.cleaned_data
            )
        except taskforce_services.CircleEntryRefused as refused:
            form.add_error(None, str(refused))
            return _members_page(request, taskforce, grant_form=form, status=403)
        except ValidationError as error:
            form.add_error(None, error)
        else:
            messages.success(request, _("Access granted."))
            return redirect("taskforces:members", pk=taskforce.pk)
    return _members_page(request, taskforce, grant_form=form)


@require_POST
def access_revoke(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    grant = permissions.get_access_grant_for(request.user, pk)
    try:
        taskforce_services.access_revoke(grant=grant, by=request.user)
    except ValidationError as error:
        messages.error(request, " ".join(error.messages))
    else:
        messages.success(request, _("Access revoked."))
    return redirect("taskforces:members", pk=grant.taskforce_id)


@require_POST
def membership_role(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    membership = permissions.get_membership_for(request.user, pk, "change")
    form = MembershipRoleForm(request.POST)
    if form.is_valid():
        try:
            taskforce_services.membership_change_role(
                membership=membership, role=form.cleaned_data["role"], by=request.user
            )
        except taskforce_services.ChairProtected as refused:
            messages.error(request, str(refused))
        else:
            messages.success(request, _("Role changed."))
    else:
        messages.error(request, _("Choose a role."))
    return redirect("taskforces:members", pk=membership.taskforce_id)


@require_http_methods(["GET", "POST"])
def membership_remove(request: AuthenticatedHttpRequest, pk: int) -> HttpResponse:
    """Removing a member is confirmed on a page of its own (GET), which posts here; the
    chair is removed by the CSIR only: anyone else reads why on that page (403)."""
    membership = permissions.get_membership_for(request.user, pk, "change")
    refusal = ""
    try:
        taskforce_services.check_removal(membership=membership, by=request.user)
        if request.method == "POST":
            taskforce_services.membership_remove(membership=membership, by=request.user)
            messages.success(
                request, _("%(person)s is no longer a member.") % {"person": membership.user}
            )
            return redirect("taskforces:members", pk=membership.taskforce_id)
    except taskforce_services.ChairProtected as refused:
        refusal = str(refused)
    context = {"membership": membership, "taskforce": membership.taskforce, "refusal": refusal}
    status = 403 if refusal else 200
    return render(request, "taskforces/membership_remove.html", context, status=status)


@require_GET
@htmx_partial("my-actions-table")
def my_actions(request: AuthenticatedHttpRequest) -> HttpResponse:
    """The actions the person's agency leads or partners in, across their task forces."""
    filters = MyActionsFilter(request.GET)
    status = filters.values(request).get("status", "")
    pages = _pages_shown(request.GET.get("pages", ""))
    actions, total = action_selectors.my_actions_shown(request.user, status=status, pages=pages)
    viewlog.shown(request, actions, via=viewlog.VIA_MY_ACTIONS)
    context = {
        "actions": actions,
        "actions_total": total,
        "filters": filters,
        "status": status,
        # The next page's query string ("more" link), the filter kept.
        "more_query": urlencode({**({"status": status} if status else {}), "pages": pages + 1})
        if total > len(actions)
        else "",
    }
    return TemplateResponse(request, "taskforces/my_actions.html", context)


def _pages_shown(raw: str) -> int:
    """How many pages of "my actions" to show (``?pages=``): 1 to 100, 1 for anything else."""
    if len(raw) <= 3 and raw.isascii() and raw.isdigit():
        return min(max(int(raw), 1), 100)
    return 1
