"""The Django admin of the regional core: for the administrator (technical staff).

Two rules hold for every model here (``tests/coordination/test_admin_rules.py`` walks every
registered admin to check them):

- Police-judicial content stays inside its circle, here as everywhere: the audit entries
  about police-judicial items, and the log of who viewed them, are filtered through
  ``coordination.people.confidentiality``; the administrator is not in the circle.
- Every change is audited and nothing governed is deleted: editable models save through
  the services (``coordination.administration.services``, ``coordination.strategy.services``),
  which record the old and new values in the admin's transaction; the others are read-only.
"""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin, messages
from django.contrib.admin.utils import unquote
from django.contrib.auth import update_session_auth_hash
from django.contrib.auth.admin import GroupAdmin as DjangoGroupAdmin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import UserChangeForm
from django.contrib.auth.models import Group
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse, HttpResponseRedirect
from django.urls import reverse
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from coordination.administration import services as administration
from coordination.audit.models import AuditEntry
from coordination.people import confidentiality
from coordination.people.models import Agency, User
from coordination.reference.models import Commune, PoliceZone
from coordination.strategy import services as strategy_services
from coordination.strategy.models import Strategy, StrategyPeriod


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown, never changed here: its writes belong to the portal's services."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


class AuditedAdmin(admin.ModelAdmin):
    """Changed through a service that audits each save; never deleted (nor in bulk)."""

    # The fields the service takes; a subclass calls it in ``save_model``.
    service_fields: list[str] = []

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def values(self, form: forms.ModelForm) -> dict[str, Any]:
        """The submitted values of the fields the service takes (the service diffs them)."""
        return {
            name: form.cleaned_data[name]
            for name in self.service_fields
            if name in form.cleaned_data
        }

    @staticmethod
    def adopt(obj: models.Model, saved: models.Model) -> None:
        """The admin goes on with its own instance (log entry, redirect): make it the saved one."""
        obj.__dict__.update(saved.__dict__)


def _actor(request: HttpRequest) -> User:
    """The signed-in administrator (the admin lets only staff in)."""
    assert isinstance(request.user, User)
    return request.user


def _check(form: forms.BaseForm, check: Any, **kwargs: Any) -> None:
    """Run a service's rule in the form, so bad input gets its message next to the field."""
    try:
        check(**kwargs)
    except ValidationError as error:
        form.add_error(None, error)


# --- Reference data: names only; codes and boundaries come from the official sources ----


class ReferenceAdmin(AuditedAdmin):
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(PoliceZone)
class PoliceZoneAdmin(ReferenceAdmin):
    list_display = ["number", "name_fr", "name_nl", "alias"]
    search_fields = ["name_fr", "name_nl", "alias"]
    fields = ["number", "name_fr", "name_nl", "alias"]
    readonly_fields = ["number"]
    service_fields = administration.POLICE_ZONE_FIELDS

    def save_model(self, request, obj, form, change) -> None:
        saved = administration.police_zone_change(zone=obj, by=request.user, **self.values(form))
        self.adopt(obj, saved)


@admin.register(Commune)
class CommuneAdmin(ReferenceAdmin):
    list_display = ["nis_code", "name_fr", "name_nl", "police_zone", "postal_codes"]
    list_select_related = ["police_zone"]
    list_filter = ["police_zone"]
    search_fields = ["nis_code", "name_fr", "name_nl"]
    fields = ["nis_code", "name_fr", "name_nl", "police_zone", "postal_codes", "boundary"]
    readonly_fields = ["nis_code", "police_zone", "boundary"]
    service_fields = administration.COMMUNE_FIELDS

    def save_model(self, request, obj, form, change) -> None:
        saved = administration.commune_change(commune=obj, by=request.user, **self.values(form))
        self.adopt(obj, saved)


# --- Agencies and people --------------------------------------------------------------


class AgencyForm(forms.ModelForm):
    class Meta:
        model = Agency
        fields = administration.AGENCY_FIELDS

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.instance.pk is not None and "kind" in cleaned:
            _check(
                self,
                administration.check_agency_kind,
                old_kind=self.instance.kind,
                new_kind=cleaned["kind"],
            )
        return cleaned


@admin.register(Agency)
class AgencyAdmin(AuditedAdmin):
    form = AgencyForm
    list_display = ["name_fr", "name_nl", "acronym", "kind", "commune", "police_zone"]
    list_filter = ["kind"]
    list_select_related = ["commune", "police_zone"]
    search_fields = ["name_fr", "name_nl", "acronym"]
    service_fields = administration.AGENCY_FIELDS

    def save_model(self, request, obj, form, change) -> None:
        if change:
            saved = administration.agency_change(agency=obj, by=request.user, **self.values(form))
        else:
            saved = administration.agency_create(by=request.user, **self.values(form))
        self.adopt(obj, saved)


class GuardedUserChangeForm(UserChangeForm):
    """Nobody changes their own agency, role or access rights (``person_change``)."""

    actor: User | None = None

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        if self.actor is not None and self.actor.pk == self.instance.pk:
            for name in administration.SELF_GUARDED_FIELDS:
                if name in cleaned and cleaned[name] != getattr(self.instance, name):
                    self.add_error(
                        name,
                        _(
                            "You cannot change your own agency, role or access rights: "
                            "ask another administrator."
                        ),
                    )
        return cleaned


@admin.register(User)
class UserAdmin(AuditedAdmin, DjangoUserAdmin):
    form = GuardedUserChangeForm
    list_display = ["username", "first_name", "last_name", "email", "agency", "role", "is_active"]
    list_filter = ["role", "agency__kind", "is_active", "is_staff"]
    list_select_related = ["agency"]
    search_fields = ["username", "first_name", "last_name", "email", "agency__name_fr"]
    fieldsets = (
        *(DjangoUserAdmin.fieldsets or ()),
        (
            _("Portal"),
            {"fields": ("agency", "role", "commune", "preferred_language", "email_mode")},
        ),
    )
    add_fieldsets = (
        *DjangoUserAdmin.add_fieldsets,
        (_("Portal"), {"fields": ("email", "agency", "role", "commune", "preferred_language")}),
    )
    # A person is in their agency's group, and only there: it follows the agency.
    readonly_fields = ["groups", "last_login", "date_joined"]
    filter_horizontal = ["user_permissions"]
    service_fields = administration.PERSON_FIELDS

    def get_form(self, request, obj=None, change=False, **kwargs):
        form = super().get_form(request, obj, change=change, **kwargs)
        if obj is not None:
            # A class per request: the admin instance is shared between requests.
            form = type(form.__name__, (form,), {"actor": request.user})
        return form

    def save_model(self, request, obj, form, change) -> None:
        if change:
            saved = administration.person_change(person=obj, by=request.user, **self.values(form))
        else:
            usable = form.cleaned_data.get("set_usable_password", True)
            saved = administration.person_create(
                by=request.user,
                password=form.cleaned_data["password1"] if usable else None,
                **self.values(form),
            )
        self.adopt(obj, saved)

    def save_related(self, request, form, formsets, change) -> None:
        # The only many-to-many field left editable; the groups follow the agency.
        if "user_permissions" in form.cleaned_data:
            administration.person_set_permissions(
                person=form.instance,
                by=request.user,
                permissions=form.cleaned_data["user_permissions"],
            )
        for formset in formsets:
            self.save_formset(request, form, formset, change=change)

    def user_change_password(
        self, request: HttpRequest, id: str, form_url: str = ""
    ) -> HttpResponse:
        """Django's page, with the save through ``person_set_password`` (audited, as a code)."""
        if request.method != "POST":
            return super().user_change_password(request, id, form_url)
        person = self.get_object(request, unquote(id))
        if person is None or not self.has_change_permission(request, person):
            return super().user_change_password(request, id, form_url)
        form = self.change_password_form(person, request.POST)
        # Invalid or conflicting input: Django's page shows the errors and saves nothing.
        if not form.is_valid():
            return super().user_change_password(request, id, form_url)
        usable = form.cleaned_data["set_usable_password"]
        if not usable and "unset-password" not in request.POST:
            return super().user_change_password(request, id, form_url)
        with transaction.atomic():
            person = administration.person_set_password(
                person=person,
                by=_actor(request),
                password=form.cleaned_data["password1"] if usable else None,
            )
            self.log_change(request, person, self.construct_change_message(request, form, []))
        if usable:
            messages.success(request, gettext("Password changed successfully."))
        else:
            messages.success(request, gettext("Password-based authentication was disabled."))
        update_session_auth_hash(request, person)
        opts = self.opts
        return HttpResponseRedirect(
            reverse(
                f"{self.admin_site.name}:{opts.app_label}_{opts.model_name}_change",
                args=(person.pk,),
            )
        )


# The agencies' groups carry their object permissions: made and filled by the people
# services from each person's agency, never by hand.
admin.site.unregister(Group)


@admin.register(Group)
class GroupAdmin(ReadOnlyAdmin, DjangoGroupAdmin):
    pass


# --- The strategy ---------------------------------------------------------------------


class StrategyPeriodInline(admin.TabularInline):
    """The periods are CoReS decisions, recorded on the CoReS pages."""

    model = StrategyPeriod
    extra = 0
    fields = ["number", "starts_on", "ends_on", "decided_on"]
    readonly_fields = ["number", "starts_on", "ends_on", "decided_on"]
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


class StrategyForm(forms.ModelForm):
    class Meta:
        model = Strategy
        fields = strategy_services.STRATEGY_ADMIN_FIELDS

    def clean(self) -> dict[str, Any]:
        super().clean()
        cleaned = self.cleaned_data
        minimum, maximum = cleaned.get("target_min_hotspots"), cleaned.get("target_max_hotspots")
        if minimum is not None and maximum is not None:
            _check(self, strategy_services.check_hotspot_range, minimum=minimum, maximum=maximum)
        return cleaned


@admin.register(Strategy)
class StrategyAdmin(AuditedAdmin):
    """The titles and the hotspot range; the adoption is a CoReS decision (CoReS pages)."""

    form = StrategyForm
    list_display = ["title_fr", "adopted_on", "target_min_hotspots", "target_max_hotspots"]
    fields = ["adopted_on", *strategy_services.STRATEGY_ADMIN_FIELDS]
    readonly_fields = ["adopted_on"]
    inlines = [StrategyPeriodInline]
    service_fields = strategy_services.STRATEGY_ADMIN_FIELDS

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def save_model(self, request, obj, form, change) -> None:
        saved = strategy_services.strategy_change(
            strategy=obj, by=request.user, **self.values(form)
        )
        self.adopt(obj, saved)


# --- The audit trail ------------------------------------------------------------------


@admin.register(AuditEntry)
class AuditEntryAdmin(ReadOnlyAdmin):
    """The trail is read-only: nobody edits or deletes the record of what happened."""

    list_display = ["at", "actor", "action", "target_repr"]
    list_filter = ["action", "target_type"]
    list_select_related = ["actor", "target_type"]
    search_fields = ["target_repr", "actor__username"]
    date_hierarchy = "at"

    def get_queryset(self, request):
        # Entries about police-judicial items, and the log of who viewed them, stay inside
        # the circle, here as everywhere: the list, its search, its filters (the "action"
        # choices come from this queryset), its dates, each entry's page and its history.
        return super().get_queryset(request).filter(confidentiality.audit_visible(request.user))
