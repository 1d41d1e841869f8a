from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext_lazy as _

from coordination.audit.models import AuditEntry
from coordination.people import confidentiality
from coordination.people.models import Agency, User
from coordination.people.services import person_saved
from coordination.reference.models import Commune, PoliceZone
from coordination.strategy.models import Strategy, StrategyPeriod


@admin.register(PoliceZone)
class PoliceZoneAdmin(admin.ModelAdmin):
    list_display = ["number", "name_fr", "name_nl", "alias"]
    search_fields = ["name_fr", "name_nl", "alias"]


@admin.register(Commune)
class CommuneAdmin(admin.ModelAdmin):
    list_display = ["nis_code", "name_fr", "name_nl", "police_zone", "postal_codes"]
    list_select_related = ["police_zone"]
    list_filter = ["police_zone"]
    search_fields = ["nis_code", "name_fr", "name_nl"]
    readonly_fields = ["boundary"]


@admin.register(Agency)
class AgencyAdmin(admin.ModelAdmin):
    list_display = ["name_fr", "name_nl", "acronym", "kind", "commune", "police_zone"]
    list_filter = ["kind"]
    list_select_related = ["commune", "police_zone"]
    search_fields = ["name_fr", "name_nl", "acronym"]


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ["username", "first_name", "last_name", "email", "agency", "role", "is_active"]
    list_filter = ["role", "agency__kind", "is_active", "is_staff"]
    list_select_related = ["agency"]
    search_fields = ["username", "first_name", "last_name", "email", "agency__name_fr"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (_("Portal"), {"fields": ("agency", "role", "commune", "preferred_language")}),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Portal"), {"fields": ("email", "agency", "role", "commune", "preferred_language")}),
    )

    def save_model(self, request, obj, form, change) -> None:
        super().save_model(request, obj, form, change)
        # The person's object permissions through their agency follow the agency.
        person_saved(obj)


class StrategyPeriodInline(admin.TabularInline):
    model = StrategyPeriod
    extra = 0
    readonly_fields = ["number", "starts_on", "ends_on", "decided_on"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Strategy)
class StrategyAdmin(admin.ModelAdmin):
    list_display = ["title_fr", "adopted_on"]
    inlines = [StrategyPeriodInline]


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    """The trail is read-only: nobody edits or deletes the record of what happened."""

    list_display = ["at", "actor", "action", "target_repr"]
    list_filter = ["action", "target_type"]
    list_select_related = ["actor", "target_type"]
    search_fields = ["target_repr", "actor__username"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        # Entries about police-judicial items stay inside the circle, here as everywhere.
        return super().get_queryset(request).filter(confidentiality.audit_visible(request.user))

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
