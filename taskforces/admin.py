"""The task forces in the Django admin: read-only lists that lead to the portal's pages.

Memberships, grants and actions change only through the services (audited, with the
object permissions they imply); the admin shows them and links to the members page, where
an administrator grants or revokes extra access.
"""

from __future__ import annotations

from django.contrib import admin
from django.urls import reverse
from django.utils.html import format_html
from django.utils.translation import gettext_lazy as _

from coordination.admin import ReadOnlyAdmin
from taskforces.models import AccessGrant, TaskForce


@admin.register(TaskForce)
class TaskForceAdmin(ReadOnlyAdmin):
    list_display = ["__str__", "created_at", "access_link"]
    list_select_related = ["hotspot"]
    search_fields = ["hotspot__code", "hotspot__name_fr", "hotspot__name_nl"]

    @admin.display(description=_("Who can see it"))
    def access_link(self, obj: TaskForce) -> str:
        url = reverse("taskforces:members", args=[obj.pk])
        return format_html('<a href="{}">{}</a>', url, _("Members and access"))


@admin.register(AccessGrant)
class AccessGrantAdmin(ReadOnlyAdmin):
    list_display = ["taskforce", "user", "codename", "reason", "granted_by", "granted_at"]
    list_select_related = ["taskforce__hotspot", "user", "granted_by"]
    list_filter = ["codename"]
    search_fields = ["user__username", "user__last_name", "reason"]
