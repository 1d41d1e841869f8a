"""The Django admin inside the portal's rules.

- Police-judicial content (actions, updates, notes, escalations, the audit entries about
  them, the log of who viewed them) never reaches the administrator, who is technical staff
  and not in the circle: every registered model admin is walked, including the ones added
  later, on every list, search, change, history, add and autocomplete page.
- Every change made in the admin is audited with the old and new values; nothing governed
  is deleted there.
- A signed-in person who is not staff gets a plain refusal, not a redirect loop.
"""

from __future__ import annotations

import json
from urllib.parse import urlencode

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.test import RequestFactory
from django.urls import reverse

from coordination.audit.models import AuditEntry
from coordination.audit.viewlog import VIEW_ACTION, record_view
from coordination.models import Agency, Commune, PoliceZone, User
from coordination.strategy import services as strategy_services
from coordination.strategy.models import Strategy
from taskforces.models import Action, TaskForce
from taskforces.services import actions as action_services
from tests.factories import TEST_PASSWORD, AgencyFactory
from tests.factories_taskforces import ActionFactory, Cast

pytestmark = pytest.mark.django_db

MARKER = "XYZ-PJ-MARKER"
# What the search asks for: a part of the marker, so that the search box echoing the query
# is not mistaken for a leak.
SEARCH = "XYZ-PJ"

# The models whose rows are governed (decisions, people, the trail): never deleted here.
GOVERNED = [User, Agency, Commune, PoliceZone, Strategy, AuditEntry, TaskForce]


@pytest.fixture
def cast(hotspot_midi, mayor_anderlecht, police_member, association_member, csir_analyst) -> Cast:
    """The Midi task force (as in ``tests/taskforces/conftest.py``)."""
    return Cast(
        hotspot=hotspot_midi,
        chair=mayor_anderlecht,
        police=police_member,
        association=association_member,
        analyst=csir_analyst,
    )


@pytest.fixture
def secret(cast):
    """A police-judicial action with its status moves, a police-judicial note, an
    escalation, and a view of it, all written by the services (so audited as in real life)."""
    police = cast.police
    action = ActionFactory(
        plan=cast.plan,
        title=f"Enquête {MARKER}",
        description=f"Filature du réseau {MARKER}",
        lead_agency=police.agency,
        partners=[cast.parquet],
        confidentiality=Action.Confidentiality.POLICE_JUDICIAL,
    )
    action_services.action_set_status(
        action=action,
        by=police,
        revision=action.revision,
        status=Action.Status.BLOCKED,
        progress=10,
        comment=f"Bloqué: {MARKER}",
    )
    action.refresh_from_db()
    action_services.action_comment(
        action=action, by=cast.prosecutor, comment=f"Note du parquet {MARKER}", police_judicial=True
    )
    action_services.action_escalate(action=action, by=police, reason=f"Mandat attendu {MARKER}")
    record_view(actor=cast.prosecutor, target=action)
    # The data is there, and only in entries marked police-judicial.
    about = AuditEntry.objects.filter(target_id=str(action.pk))
    assert about.count() >= 4 and not about.filter(police_judicial=False).exists()
    return action


@pytest.fixture
def staff_coordinator(csir_coordinator) -> User:
    """The CSIR coordinator with access to the admin's audit trail (not a superuser)."""
    csir_coordinator.is_staff = True
    csir_coordinator.save(update_fields=["is_staff"])
    csir_coordinator.user_permissions.add(
        Permission.objects.get(codename="view_auditentry", content_type__app_label="coordination")
    )
    return csir_coordinator


def admin_request(user: User):
    request = RequestFactory().get("/admin/")
    request.user = user
    return request


def pages_of(model, model_admin, user: User) -> list[str]:
    """Every page of one model admin: list, search, each row's change and history, add,
    and the autocompletes its form offers."""
    opts = model._meta
    name = f"admin:{opts.app_label}_{opts.model_name}"
    changelist = reverse(f"{name}_changelist")
    pages = [changelist, f"{changelist}?{urlencode({'q': SEARCH})}", f"{changelist}?q=Enquête"]
    # Every row in the database, not only the ones listed: a hidden row's page must not
    # show it either.
    for pk in model._default_manager.values_list("pk", flat=True):
        pages.append(reverse(f"{name}_change", args=[pk]))
        pages.append(reverse(f"{name}_history", args=[pk]))
    request = admin_request(user)
    if model_admin.has_add_permission(request):
        pages.append(reverse(f"{name}_add"))
    for field in model_admin.get_autocomplete_fields(request):
        query = {
            "app_label": opts.app_label,
            "model_name": opts.model_name,
            "field_name": field,
            "term": SEARCH,
        }
        pages.append(f"{reverse('admin:autocomplete')}?{urlencode(query)}")
    return pages


def test_every_admin_page_keeps_police_judicial_content_from_the_administrator(
    client, administrator, secret
):
    client.force_login(administrator)
    walked = set()
    for model, model_admin in admin.site._registry.items():
        walked.add(model)
        for url in pages_of(model, model_admin, administrator):
            response = client.get(url, follow=True)
            assert response.status_code < 500, url
            body = response.content.decode()
            assert MARKER not in body, url
            # Nor the cast's own police-judicial action.
            assert "réseau du square" not in body, url
    # The walk reached the models that hold police-judicial traces, and those added later.
    assert {AuditEntry, User, Agency, Strategy, TaskForce} <= walked


def test_the_audit_trail_in_the_admin_follows_the_rule_not_a_blanket(
    client, administrator, staff_coordinator, secret
):
    changelist = reverse("admin:coordination_auditentry_changelist")
    entry = AuditEntry.objects.filter(target_id=str(secret.pk), action="action.escalate").get()
    change = reverse("admin:coordination_auditentry_change", args=[entry.pk])

    client.force_login(staff_coordinator)
    response = client.get(changelist, {"q": SEARCH})
    assert response.status_code == 200
    assert MARKER in response.content.decode()
    # The "who viewed" log is offered to the coordinator, as a filter of the trail.
    assert f'href="?action={VIEW_ACTION}"' in client.get(changelist).content.decode()
    response = client.get(change)
    assert response.status_code == 200 and MARKER in response.content.decode()

    client.force_login(administrator)
    response = client.get(changelist, {"q": SEARCH})
    assert response.status_code == 200
    assert response.context["cl"].result_count == 0
    assert f'href="?action={VIEW_ACTION}"' not in client.get(changelist).content.decode()
    # An entry's page answers as for an entry that does not exist.
    response = client.get(change)
    assert response.status_code == 302 and response.url == reverse("admin:index")


def test_view_on_site_does_not_tell_whether_a_hidden_object_exists(client, administrator, secret):
    client.force_login(administrator)
    action_type = ContentType.objects.get_for_model(Action)
    url = reverse("admin:view_on_site", args=[action_type.pk, secret.pk])
    assert client.get(url).status_code == 404
    assert client.get(reverse("admin:view_on_site", args=[action_type.pk, 0])).status_code == 404


# --- Every change audited ---------------------------------------------------------------


@pytest.fixture
def strategy(csir_analyst) -> Strategy:
    import datetime as dt

    return strategy_services.strategy_adopt(
        title_fr="Stratégie régionale drogues",
        title_nl="Gewestelijke drugsstrategie",
        adopted_on=dt.date(2024, 3, 12),
        by=csir_analyst,
    )


def strategy_form(strategy: Strategy, **values) -> dict[str, str]:
    periods = list(strategy.periods.order_by("number"))
    data = {
        "title_fr": strategy.title_fr,
        "title_nl": strategy.title_nl,
        "target_min_hotspots": str(strategy.target_min_hotspots),
        "target_max_hotspots": str(strategy.target_max_hotspots),
        "periods-TOTAL_FORMS": str(len(periods)),
        "periods-INITIAL_FORMS": str(len(periods)),
        "periods-MIN_NUM_FORMS": "0",
        "periods-MAX_NUM_FORMS": "1000",
    }
    for index, period in enumerate(periods):
        data[f"periods-{index}-id"] = str(period.pk)
        data[f"periods-{index}-strategy"] = str(strategy.pk)
    data.update({key: str(value) for key, value in values.items()})
    return data


def last_entry(action: str) -> AuditEntry:
    return AuditEntry.objects.filter(action=action).latest("id")


def test_a_strategy_edit_in_the_admin_is_audited_with_old_and_new_values(
    client, administrator, strategy
):
    client.force_login(administrator)
    url = reverse("admin:coordination_strategy_change", args=[strategy.pk])
    response = client.post(
        url,
        strategy_form(
            strategy,
            title_fr="Stratégie régionale 2026",
            target_min_hotspots=12,
            target_max_hotspots=18,
        ),
    )
    assert response.status_code == 302, response.context and response.context["errors"]
    strategy.refresh_from_db()
    assert (strategy.title_fr, strategy.target_min_hotspots, strategy.target_max_hotspots) == (
        "Stratégie régionale 2026",
        12,
        18,
    )
    entry = last_entry("strategy.change")
    assert entry.actor == administrator
    assert entry.target_id == str(strategy.pk)
    assert entry.changes == {
        "title_fr": ["Stratégie régionale drogues", "Stratégie régionale 2026"],
        "target_min_hotspots": [10, 12],
        "target_max_hotspots": [15, 18],
    }


def test_an_upside_down_hotspot_range_is_refused_with_a_message(client, administrator, strategy):
    client.force_login(administrator)
    url = reverse("admin:coordination_strategy_change", args=[strategy.pk])
    before = AuditEntry.objects.count()
    response = client.post(
        url, strategy_form(strategy, target_min_hotspots=16, target_max_hotspots=10)
    )
    assert response.status_code == 200
    assert "The maximum cannot be below the minimum." in response.content.decode()
    strategy.refresh_from_db()
    assert (strategy.target_min_hotspots, strategy.target_max_hotspots) == (10, 15)
    assert AuditEntry.objects.count() == before


def test_the_strategy_is_not_adopted_nor_its_periods_changed_in_the_admin(
    client, administrator, strategy
):
    client.force_login(administrator)
    assert client.get(reverse("admin:coordination_strategy_add")).status_code == 403
    periods = list(strategy.periods.values_list("starts_on", "ends_on"))
    data = strategy_form(strategy)
    data["periods-0-ends_on"] = "2030-01-01"
    client.post(reverse("admin:coordination_strategy_change", args=[strategy.pk]), data)
    assert list(strategy.periods.values_list("starts_on", "ends_on")) == periods


def agency_form(agency: Agency, **values) -> dict[str, str]:
    data = {
        "name_fr": agency.name_fr,
        "name_nl": agency.name_nl,
        "kind": agency.kind,
        "acronym": agency.acronym,
        "commune": str(agency.commune_id or ""),
        "police_zone": str(agency.police_zone_id or ""),
    }
    data.update({key: str(value) for key, value in values.items()})
    return data


def test_an_agency_edit_and_creation_in_the_admin_are_audited(client, administrator):
    agency = AgencyFactory(name_fr="Transit", name_nl="Transit", acronym="")
    client.force_login(administrator)
    response = client.post(
        reverse("admin:coordination_agency_change", args=[agency.pk]),
        agency_form(agency, name_fr="Transit asbl", acronym="TR"),
    )
    assert response.status_code == 302
    entry = last_entry("agency.change")
    assert (entry.actor, entry.target_id) == (administrator, str(agency.pk))
    assert entry.changes == {"name_fr": ["Transit", "Transit asbl"], "acronym": ["", "TR"]}

    new = Agency(name_fr="Fedasil", name_nl="Fedasil", kind=Agency.Kind.FEDERAL_ADMINISTRATION)
    response = client.post(reverse("admin:coordination_agency_add"), agency_form(new))
    assert response.status_code == 302
    created = Agency.objects.get(name_fr="Fedasil")
    assert created.group is not None  # its group, for the object permissions
    entry = last_entry("agency.create")
    assert entry.target_id == str(created.pk) and entry.changes["kind"] == "federal_administration"


def test_an_agency_cannot_move_into_the_police_judicial_circle_in_the_admin(client, administrator):
    agency = AgencyFactory(name_fr="Transit", name_nl="Transit")
    client.force_login(administrator)
    response = client.post(
        reverse("admin:coordination_agency_change", args=[agency.pk]),
        agency_form(agency, kind=Agency.Kind.LOCAL_POLICE),
    )
    assert response.status_code == 200
    assert "police-judicial circle" in response.content.decode()
    agency.refresh_from_db()
    assert agency.kind == Agency.Kind.ASSOCIATION
    assert not AuditEntry.objects.filter(action="agency.change").exists()


def user_form(person: User, **values) -> dict[str, str]:
    data = {
        "username": person.username,
        "first_name": person.first_name,
        "last_name": person.last_name,
        "email": person.email,
        "agency": str(person.agency_id),
        "role": person.role,
        "commune": str(person.commune_id or ""),
        "preferred_language": person.preferred_language,
        "email_mode": person.email_mode,
        "is_active": "on" if person.is_active else "",
        "is_staff": "on" if person.is_staff else "",
        "is_superuser": "on" if person.is_superuser else "",
    }
    data.update({key: str(value) for key, value in values.items()})
    return {key: value for key, value in data.items() if value != ""}


def test_a_user_edit_in_the_admin_is_audited_without_the_password(
    client, administrator, csir_analyst
):
    client.force_login(administrator)
    # The factory's first name is random; the new one must differ from it to be a change.
    old_first_name = csir_analyst.first_name
    new_first_name = f"{old_first_name}-Anne"
    perm = Permission.objects.get(
        codename="view_auditentry", content_type__app_label="coordination"
    )
    response = client.post(
        reverse("admin:coordination_user_change", args=[csir_analyst.pk]),
        {
            **user_form(csir_analyst, first_name=new_first_name, role=User.Role.CSIR_COORDINATOR),
            "user_permissions": str(perm.pk),
        },
    )
    assert response.status_code == 302
    csir_analyst.refresh_from_db()
    assert (csir_analyst.first_name, csir_analyst.role) == (
        new_first_name,
        User.Role.CSIR_COORDINATOR,
    )
    entry = last_entry("user.change")
    assert entry.actor == administrator and entry.target_id == str(csir_analyst.pk)
    assert entry.changes["role"] == ["csir_analyst", "csir_coordinator"]
    assert entry.changes["first_name"] == [old_first_name, new_first_name]
    assert "password" not in entry.changes
    permissions = last_entry("user.permissions")
    assert permissions.changes == {"user_permissions": [[], ["coordination.view_auditentry"]]}
    assert csir_analyst.password not in json.dumps(list(AuditEntry.objects.values("changes")))


def test_a_password_set_in_the_admin_is_audited_as_a_code(client, administrator, csir_analyst):
    client.force_login(administrator)
    url = reverse("admin:auth_user_password_change", args=[csir_analyst.pk])
    new_password = "another-long-passphrase-42"
    response = client.post(
        url, {"password1": new_password, "password2": new_password, "usable_password": "true"}
    )
    assert response.status_code == 302
    csir_analyst.refresh_from_db()
    assert csir_analyst.check_password(new_password)
    entry = last_entry("user.password")
    assert entry.actor == administrator and entry.changes == {"password": "changed"}
    trail = json.dumps(list(AuditEntry.objects.values("changes", "target_repr")))
    assert csir_analyst.password not in trail and new_password not in trail

    # A mismatch saves nothing and records nothing.
    response = client.post(
        url, {"password1": "a-b-c-d-e-f-1", "password2": "x", "usable_password": "true"}
    )
    assert response.status_code == 200
    assert AuditEntry.objects.filter(action="user.password").count() == 1


def test_a_user_created_in_the_admin_is_audited_without_the_password(
    client, administrator, safe_brussels
):
    client.force_login(administrator)
    response = client.post(
        reverse("admin:coordination_user_add"),
        {
            "username": "new-analyst",
            "usable_password": "true",
            "password1": TEST_PASSWORD,
            "password2": TEST_PASSWORD,
            "email": "new@example.test",
            "agency": str(safe_brussels.pk),
            "role": User.Role.CSIR_ANALYST,
            "preferred_language": "nl",
        },
    )
    assert response.status_code == 302
    person = User.objects.get(username="new-analyst")
    safe_brussels.refresh_from_db()
    assert person.check_password(TEST_PASSWORD)
    assert person.groups.filter(pk=safe_brussels.group_id).exists()
    entry = last_entry("user.create")
    assert entry.target_id == str(person.pk)
    assert entry.changes["role"] == "csir_analyst" and entry.changes["password"] == "set"
    assert person.password not in json.dumps(entry.changes)


def test_an_administrator_cannot_raise_their_own_role(client, administrator):
    client.force_login(administrator)
    response = client.post(
        reverse("admin:coordination_user_change", args=[administrator.pk]),
        user_form(administrator, role=User.Role.CSIR_COORDINATOR),
    )
    assert response.status_code == 200
    assert "ask another administrator" in response.content.decode()
    administrator.refresh_from_db()
    assert administrator.role == User.Role.ADMINISTRATOR
    assert not AuditEntry.objects.filter(action="user.change").exists()


def test_reference_data_edits_are_audited(client, administrator):
    client.force_login(administrator)
    zone = PoliceZone.objects.order_by("number").first()
    response = client.post(
        reverse("admin:coordination_policezone_change", args=[zone.pk]),
        {"name_fr": zone.name_fr, "name_nl": zone.name_nl, "alias": "Zone test"},
    )
    assert response.status_code == 302
    entry = last_entry("police_zone.change")
    assert entry.changes == {"alias": [zone.alias, "Zone test"]}


def test_delete_is_not_offered_for_governed_models(client, administrator, strategy, secret):
    client.force_login(administrator)
    request = admin_request(administrator)
    for model in GOVERNED:
        model_admin = admin.site._registry[model]
        assert not model_admin.has_delete_permission(request), model
        assert "delete_selected" not in model_admin.get_actions(request), model
        row = model_admin.get_queryset(request).first()
        assert row is not None, model
        opts = model._meta
        url = reverse(f"admin:{opts.app_label}_{opts.model_name}_delete", args=[row.pk])
        assert client.get(url).status_code == 403, model
        assert client.post(url, {"post": "yes"}).status_code == 403, model
        assert model._default_manager.filter(pk=row.pk).exists()
        change = client.get(
            reverse(f"admin:{opts.app_label}_{opts.model_name}_change", args=[row.pk])
        )
        assert url not in change.content.decode(), model


# --- Who may enter ----------------------------------------------------------------------


@pytest.mark.parametrize(
    "path",
    ["/admin/", "/admin/coordination/strategy/", "/admin/autocomplete/", "/admin/logout/"],
)
def test_a_signed_in_person_who_is_not_staff_gets_a_refusal_not_a_loop(
    client, csir_coordinator, path
):
    client.force_login(csir_coordinator)
    response = client.get(path)
    assert response.status_code == 403
    assert "Location" not in response.headers
    assert "coordination/admin/refused.html" in [t.name for t in response.templates]
    assert "403.html" in [t.name for t in response.templates]
    assert "technical staff" in response.content.decode()


def test_the_admin_login_of_a_signed_in_person_who_is_not_staff_ends_at_the_refusal(
    client, association_member
):
    client.force_login(association_member)
    response = client.get("/admin/login/?next=/admin/", follow=True)
    assert response.status_code == 403
    assert len(response.redirect_chain) <= 3


def test_an_anonymous_visitor_is_sent_to_the_portal_login(client):
    response = client.get("/admin/coordination/strategy/", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain
    assert response.request["PATH_INFO"] == reverse("login")
    assert "next=/admin/coordination/strategy/" in response.redirect_chain[-1][0].replace(
        "%2F", "/"
    )
