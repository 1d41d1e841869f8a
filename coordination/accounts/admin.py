"""The admin of lock-outs and second factors: clearing a lock-out or removing a person's
devices goes through the audited services; secrets and recovery codes are never shown,
and devices are never added or edited here (a person sets up their own)."""

from __future__ import annotations

from axes.admin import AccessAttemptAdmin as AxesAccessAttemptAdmin
from axes.models import AccessAttempt
from django.contrib import admin, messages
from django.db.models import QuerySet
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _
from django.utils.translation import ngettext
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice
from django_otp.plugins.otp_totp.models import TOTPDevice

from coordination.accounts.services import lockout_unlock, two_factor_remove

for _model in (AccessAttempt, TOTPDevice, StaticDevice):
    if admin.site.is_registered(_model):
        admin.site.unregister(_model)


@admin.register(AccessAttempt)
class AccessAttemptAdmin(AxesAccessAttemptAdmin):
    """Failed logins per account, address and browser; deleting a row unlocks."""

    actions = ["unlock"]
    # The submitted form data (even cleansed) stays out of sight.
    fieldsets = (
        (None, {"fields": ("username", "path_info", "failures_since_start")}),
        (_("Meta Data"), {"fields": ("user_agent", "ip_address", "attempt_time")}),
    )

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    @admin.action(description=_("Unlock: clear the selected failed logins"))
    def unlock(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        count = lockout_unlock(attempts=queryset, by=request.user)  # type: ignore[arg-type]
        self.message_user(
            request,
            ngettext("%(count)d record cleared.", "%(count)d records cleared.", count)
            % {"count": count},
            messages.SUCCESS,
        )

    def delete_model(self, request: HttpRequest, obj: AccessAttempt) -> None:
        lockout_unlock(
            attempts=AccessAttempt.objects.filter(pk=obj.pk),
            by=request.user,  # type: ignore[arg-type]
        )

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet[AccessAttempt]) -> None:
        lockout_unlock(attempts=queryset, by=request.user)  # type: ignore[arg-type]


class DeviceAdmin(admin.ModelAdmin):
    """A person's device, to see and to remove (lost phone); never its secret."""

    list_display = ["user", "name", "confirmed", "created_at", "last_used_at"]
    list_filter = ["confirmed"]
    list_select_related = ["user"]
    search_fields = ["user__username", "user__email", "user__last_name"]
    fields = ("user", "name", "confirmed", "created_at", "last_used_at")
    readonly_fields = ("user", "name", "confirmed", "created_at", "last_used_at")

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj=None) -> bool:
        return False

    def delete_model(self, request: HttpRequest, obj: Device) -> None:
        two_factor_remove(user=obj.user, by=request.user, devices=[obj])  # type: ignore[arg-type]

    def delete_queryset(self, request: HttpRequest, queryset: QuerySet) -> None:
        for device in queryset.select_related("user"):
            two_factor_remove(user=device.user, by=request.user, devices=[device])  # type: ignore[arg-type]


admin.site.register(TOTPDevice, DeviceAdmin)
admin.site.register(StaticDevice, DeviceAdmin)
