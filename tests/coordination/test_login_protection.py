"""Login protection (django-axes) and two-factor authentication (django-otp).

Two factors are off in the test settings (the suite signs CSIR people in with
force_login); every test here that needs them turns them on.
"""

from __future__ import annotations

import re

import pytest
from axes.models import AccessAttempt
from django.core.management import call_command
from django.test import Client
from django.urls import reverse
from django_otp.oath import TOTP
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice
from guardian.shortcuts import assign_perm

from coordination.accounts import services as account_services
from coordination.audit.models import AuditEntry
from coordination.models import Agency, User
from coordination.people import demo as people_demo
from coordination.people.two_factor import must_use_two_factor, new_secret
from tests.factories import TEST_PASSWORD, AgencyFactory, UserFactory
from tests.factories_taskforces import TaskForceFactory

LOGIN = "/accounts/login/"
KEY = "3132333435363738393031323334353637383930"  # RFC 6238's test secret, in hex


def code_for(key: str, *, step_ahead: int = 0) -> str:
    """The app's code now (``step_ahead``: the next window's, for a second sign-in)."""
    totp = TOTP(bytes.fromhex(key), drift=step_ahead)
    return f"{totp.token():06d}"


def attempt(client: Client, username: str, password: str, ip: str = "10.0.0.1"):
    return client.post(LOGIN, {"username": username, "password": password}, REMOTE_ADDR=ip)


@pytest.fixture
def two_factor(settings):
    settings.TWO_FACTOR_ENFORCED = True
    # No wait between tries, except in the test of the throttling itself.
    settings.OTP_TOTP_THROTTLE_FACTOR = 0
    settings.OTP_STATIC_THROTTLE_FACTOR = 0


def app_for(user: User, key: str = KEY) -> TOTPDevice:
    return TOTPDevice.objects.create(user=user, name="portal", key=key, confirmed=True)


# --- Lock-out ---------------------------------------------------------------------------


def test_five_failures_lock_the_account_even_for_the_right_password(client, mayor_anderlecht):
    for _ in range(4):
        response = attempt(client, mayor_anderlecht.username, "wrong")
        assert response.status_code == 200
        assert b"Please enter a correct username and password" in response.content
    response = attempt(client, mayor_anderlecht.username, "wrong")
    assert response.status_code == 429
    assert b"Account temporarily locked" in response.content
    assert b"15 minutes" in response.content
    assert b"portal-support@safe.brussels" in response.content

    response = attempt(client, mayor_anderlecht.username, TEST_PASSWORD)
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session

    entries = AuditEntry.objects.filter(action="login_locked_out")
    # Audited once: the attempts refused while locked are not new lock-outs.
    assert entries.count() == 1
    entry = entries.get()
    assert entry.actor is None
    assert entry.target_id == str(mayor_anderlecht.pk)
    assert entry.changes == {"ip_address": "10.0.0.1", "failures": 5}


def test_the_lock_out_is_per_account_and_address(client, mayor_anderlecht, mayor_saint_gilles):
    for _ in range(5):
        attempt(client, mayor_anderlecht.username, "wrong")
    assert attempt(client, mayor_anderlecht.username, TEST_PASSWORD).status_code == 429

    # The same account from another address.
    other = Client()
    response = attempt(other, mayor_anderlecht.username, TEST_PASSWORD, ip="10.0.0.2")
    assert response.status_code == 302
    # Another account from the locked address.
    response = attempt(Client(), mayor_saint_gilles.username, TEST_PASSWORD)
    assert response.status_code == 302


def test_a_success_before_the_limit_clears_the_count(client, mayor_anderlecht):
    for _ in range(4):
        attempt(client, mayor_anderlecht.username, "wrong")
    assert attempt(client, mayor_anderlecht.username, TEST_PASSWORD).status_code == 302
    client.logout()
    for _ in range(4):
        assert attempt(client, mayor_anderlecht.username, "wrong").status_code == 200


def test_an_unknown_name_gets_the_same_page(client, mayor_anderlecht):
    def locked_page(username: str, ip: str) -> str:
        for _ in range(5):
            response = attempt(Client(), username, "wrong", ip=ip)
        assert response.status_code == 429
        page = response.content.decode()
        # Everything but the CSRF tokens.
        return re.sub(r"[A-Za-z0-9]{64}", "", page)

    assert locked_page("nobody-here", "10.0.0.7") == locked_page(
        mayor_anderlecht.username, "10.0.0.8"
    )
    entry = AuditEntry.objects.get(action="login_locked_out", changes__username="nobody-here")
    assert entry.target_type.model == "accessattempt"
    assert entry.changes == {"ip_address": "10.0.0.7", "failures": 5, "username": "nobody-here"}


def test_the_lock_out_page_speaks_both_official_languages(client, mayor_anderlecht):
    for _ in range(5):
        response = client.post(
            LOGIN,
            {"username": mayor_anderlecht.username, "password": "wrong"},
            REMOTE_ADDR="10.0.0.1",
            headers={"accept-language": "fr"},
        )
    assert response.status_code == 429
    page = response.content.decode()
    assert '<html lang="fr">' in page
    assert '<div lang="nl" class="other-language">' in page
    assert 'lang="fr" class="other-language"' not in page


def test_the_limit_and_cool_off_follow_the_settings(client, settings, mayor_anderlecht):
    settings.AXES_FAILURE_LIMIT = 2
    attempt(client, mayor_anderlecht.username, "wrong")
    assert attempt(client, mayor_anderlecht.username, "wrong").status_code == 429


def test_an_administrator_unlocks_in_the_admin(client, administrator, mayor_anderlecht):
    for _ in range(5):
        attempt(Client(), mayor_anderlecht.username, "wrong")
    locked = AccessAttempt.objects.get(username=mayor_anderlecht.username)
    client.force_login(administrator)

    changelist = reverse("admin:axes_accessattempt_changelist")
    assert client.get(changelist).status_code == 200
    response = client.post(
        changelist, {"action": "unlock", "_selected_action": [locked.pk]}, follow=True
    )
    assert response.status_code == 200
    assert not AccessAttempt.objects.exists()
    entry = AuditEntry.objects.get(action="login_unlocked")
    assert entry.actor == administrator
    assert entry.target_id == str(mayor_anderlecht.pk)
    assert entry.changes == {"ip_address": "10.0.0.1", "failures": 5}

    assert attempt(Client(), mayor_anderlecht.username, TEST_PASSWORD).status_code == 302


def test_deleting_an_attempt_in_the_admin_is_audited(client, administrator):
    for _ in range(5):
        attempt(Client(), "nobody-here", "wrong")
    locked = AccessAttempt.objects.get()
    client.force_login(administrator)
    url = reverse("admin:axes_accessattempt_delete", args=[locked.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not AccessAttempt.objects.exists()
    entry = AuditEntry.objects.get(action="login_unlocked")
    assert entry.actor == administrator
    assert entry.target_type.model == "accessattempt"
    assert entry.changes["username"] == "nobody-here"


def test_the_admin_shows_no_submitted_form_data(client, administrator):
    for _ in range(5):
        attempt(Client(), "nobody-here", "wrong")
    client.force_login(administrator)
    page = client.get(
        reverse("admin:axes_accessattempt_change", args=[AccessAttempt.objects.get().pk])
    )
    assert page.status_code == 200
    assert b"POST Data" not in page.content


# --- Who must use two factors -----------------------------------------------------------


def _prosecutor(db) -> User:
    agency = AgencyFactory(name_fr="Parquet de Bruxelles", kind=Agency.Kind.PROSECUTOR)
    return UserFactory(username="parquet", agency=agency)


def _federal_police(db) -> User:
    agency = AgencyFactory(name_fr="PJF", kind=Agency.Kind.FEDERAL_POLICE)
    return UserFactory(username="pjf", agency=agency)


def _staff(db) -> User:
    return UserFactory(username="staff", is_staff=True)


def _superuser(db) -> User:
    return UserFactory(username="root", is_superuser=True)


def _granted_circle(db) -> User:
    person = UserFactory(username="granted")
    assign_perm("taskforces.view_police_judicial", person, TaskForceFactory())
    return person


def _other_taskforce_perm(db) -> User:
    person = UserFactory(username="member")
    assign_perm("taskforces.view_taskforce", person, TaskForceFactory())
    return person


def _inactive_coordinator(db) -> User:
    return UserFactory(username="gone", role=User.Role.CSIR_COORDINATOR, is_active=False)


@pytest.mark.parametrize(
    ("who", "required"),
    [
        ("csir_coordinator", True),
        ("csir_analyst", True),
        ("administrator", True),
        (_staff, True),
        (_superuser, True),
        ("police_member", True),
        (_federal_police, True),
        (_prosecutor, True),
        (_granted_circle, True),
        ("mayor_anderlecht", False),
        ("cores_member", False),
        ("association_member", False),
        (_other_taskforce_perm, False),
        (_inactive_coordinator, False),
    ],
)
def test_who_must_use_two_factors(request, db, who, required):
    user = request.getfixturevalue(who) if isinstance(who, str) else who(db)
    assert must_use_two_factor(user) is required


# --- Enforcement ------------------------------------------------------------------------


def test_without_an_app_the_person_is_led_to_the_set_up(client, two_factor, csir_analyst):
    client.force_login(csir_analyst)
    response = client.get("/hotspots/")
    assert response.status_code == 302
    assert response["Location"] == "/accounts/two-factor/set-up/?next=%2Fhotspots%2F"


def test_with_an_app_the_person_is_asked_for_the_code(client, two_factor, csir_analyst):
    app_for(csir_analyst)
    client.force_login(csir_analyst)
    for path in ("/", "/hotspots/", "/audit/", "/accounts/password/", "/admin/"):
        response = client.get(path)
        assert response.status_code == 302, path
        assert response["Location"].startswith("/accounts/two-factor/verify/?next="), path
    # Not even the set-up of another app: it would replace the second factor.
    response = client.get("/accounts/two-factor/set-up/")
    assert response["Location"].startswith("/accounts/two-factor/verify/")


def test_the_admin_asks_staff_for_the_code(client, two_factor, administrator):
    app_for(administrator)
    client.force_login(administrator)
    response = client.get("/admin/coordination/agency/")
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/two-factor/verify/")


def test_htmx_requests_get_an_hx_redirect(client, two_factor, csir_analyst):
    app_for(csir_analyst)
    client.force_login(csir_analyst)
    response = client.get(
        "/hotspots/", headers={"hx-request": "true", "hx-current-url": "http://testserver/"}
    )
    assert response.status_code == 200
    assert response["HX-Redirect"] == "/accounts/two-factor/verify/?next=%2F"


def test_the_pages_before_the_second_step_stay_open(client, two_factor, csir_analyst):
    client.force_login(csir_analyst)
    assert client.get("/healthz").status_code in {200, 503}
    assert client.get("/accounts/two-factor/set-up/").status_code == 200
    response = client.post("/i18n/setlang/", {"language": "nl", "next": "/"})
    assert response["Location"] == "/"
    assert client.post("/accounts/logout/").status_code == 302
    assert "_auth_user_id" not in client.session


def test_people_who_need_no_second_factor_go_on(client, two_factor, mayor_anderlecht):
    client.force_login(mayor_anderlecht)
    assert client.get("/hotspots/").status_code == 200


def test_a_person_who_set_up_an_app_is_asked_even_when_not_required(
    client, two_factor, mayor_anderlecht
):
    app_for(mayor_anderlecht)
    client.force_login(mayor_anderlecht)
    assert client.get("/hotspots/")["Location"].startswith("/accounts/two-factor/verify/")


def test_enforcement_can_be_switched_off(client, settings, csir_analyst):
    settings.TWO_FACTOR_ENFORCED = False
    client.force_login(csir_analyst)
    assert client.get("/hotspots/").status_code == 200


# --- The second step --------------------------------------------------------------------


def test_signing_in_with_password_then_code(client, two_factor, csir_analyst):
    app_for(csir_analyst)
    # The pages after sign-in are in the person's preferred language (issue 12).
    type(csir_analyst).objects.filter(pk=csir_analyst.pk).update(preferred_language="en")
    response = client.post(
        LOGIN, {"username": csir_analyst.username, "password": TEST_PASSWORD, "next": "/hotspots/"}
    )
    assert response["Location"] == "/hotspots/"
    response = client.get("/hotspots/")
    assert response["Location"] == "/accounts/two-factor/verify/?next=%2Fhotspots%2F"
    verify = response["Location"]
    page = client.get(verify)
    assert b"Enter your code" in page.content

    response = client.post(verify, {"code": "000000", "next": "/hotspots/"})
    assert response.status_code == 200
    assert b"This code is not valid" in response.content

    response = client.post(verify, {"code": code_for(KEY), "next": "/hotspots/"})
    assert response["Location"] == "/hotspots/"
    assert client.get("/hotspots/").status_code == 200


def test_the_same_code_does_not_sign_in_twice(two_factor, csir_analyst):
    app_for(csir_analyst)
    code = code_for(KEY)
    first, second = Client(), Client()
    for client in (first, second):
        client.force_login(csir_analyst)
    assert first.post("/accounts/two-factor/verify/", {"code": code}).status_code == 302
    response = second.post("/accounts/two-factor/verify/", {"code": code})
    assert response.status_code == 200
    assert b"This code is not valid" in response.content


def test_wrong_codes_are_throttled(client, settings, csir_analyst):
    settings.TWO_FACTOR_ENFORCED = True
    app_for(csir_analyst)
    client.force_login(csir_analyst)
    client.post("/accounts/two-factor/verify/", {"code": "000000"})
    response = client.post("/accounts/two-factor/verify/", {"code": code_for(KEY)})
    assert response.status_code == 200
    assert b"Too many wrong codes" in response.content


def test_a_recovery_code_works_once(two_factor, csir_analyst):
    app_for(csir_analyst)
    codes = account_services.recovery_codes_regenerate(user=csir_analyst)
    assert len(codes) == 10

    first = Client()
    first.force_login(csir_analyst)
    response = first.post("/accounts/two-factor/verify/", {"code": codes[0].upper()})
    assert response.status_code == 302
    assert first.get("/hotspots/").status_code == 200
    entry = AuditEntry.objects.get(action="two_factor_recovery_code_used")
    assert entry.changes == {"recovery_codes_left": 9}

    second = Client()
    second.force_login(csir_analyst)
    response = second.post("/accounts/two-factor/verify/", {"code": codes[0]})
    assert response.status_code == 200
    assert b"This code is not valid" in response.content
    assert StaticToken.objects.filter(device__user=csir_analyst).count() == 9


def test_next_must_stay_on_the_portal(client, two_factor, csir_analyst):
    app_for(csir_analyst)
    client.force_login(csir_analyst)
    response = client.post(
        "/accounts/two-factor/verify/", {"code": code_for(KEY), "next": "https://evil.example/"}
    )
    assert response["Location"] == "/"


# --- Setting up an app ------------------------------------------------------------------


def _pending_key(client: Client) -> str:
    return client.session["two_factor_pending_key"]


def test_setting_up_an_app(client, two_factor, csir_analyst):
    client.force_login(csir_analyst)
    page = client.get("/accounts/two-factor/set-up/?next=/hotspots/")
    assert page.status_code == 200
    content = page.content.decode()
    assert "<svg" in content
    key = _pending_key(client)
    from coordination.people.two_factor import secret_base32

    assert " ".join(re.findall(".{4}", secret_base32(key))) in content

    response = client.post("/accounts/two-factor/set-up/", {"code": "123456"})
    assert response.status_code == 200
    assert b"This code does not match" in response.content
    assert not TOTPDevice.objects.exists()
    assert _pending_key(client) == key

    response = client.post(
        "/accounts/two-factor/set-up/", {"code": code_for(key), "next": "/hotspots/"}
    )
    assert response.status_code == 200
    codes = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(codes) == 10
    assert b'href="/hotspots/"' in response.content
    device = TOTPDevice.objects.get(user=csir_analyst)
    assert device.confirmed and device.key == key
    assert sorted(StaticToken.objects.values_list("token", flat=True)) == sorted(codes)
    # Signed in with the new app: the portal opens.
    assert client.get("/hotspots/").status_code == 200

    entry = AuditEntry.objects.get(action="two_factor_enrolled")
    assert entry.actor == csir_analyst
    assert entry.changes == {"replaced": False, "recovery_codes": 10}
    assert key not in str(entry.changes) and codes[0] not in str(entry.changes)


def test_a_verified_person_replaces_the_app(client, two_factor, csir_analyst):
    app_for(csir_analyst)
    client.force_login(csir_analyst)
    client.post("/accounts/two-factor/verify/", {"code": code_for(KEY)})
    client.get("/accounts/two-factor/set-up/")
    key = _pending_key(client)
    response = client.post("/accounts/two-factor/set-up/", {"code": code_for(key)})
    assert response.status_code == 200
    assert list(TOTPDevice.objects.values_list("key", flat=True)) == [key]
    assert AuditEntry.objects.get(action="two_factor_enrolled").changes["replaced"] is True


def test_the_security_page_and_new_recovery_codes(client, two_factor, csir_analyst):
    app_for(csir_analyst)
    old = account_services.recovery_codes_regenerate(user=csir_analyst)
    client.force_login(csir_analyst)
    # Before the code: only the code step.
    assert client.get("/accounts/two-factor/")["Location"].startswith(
        "/accounts/two-factor/verify/"
    )
    client.post("/accounts/two-factor/verify/", {"code": code_for(KEY)})
    page = client.get("/accounts/two-factor/")
    assert b"10 recovery codes left." in page.content
    assert b"Turn off" not in page.content

    response = client.post("/accounts/two-factor/recovery-codes/")
    new = re.findall(r"<li><code>([a-z2-7]{8})</code></li>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert StaticToken.objects.count() == 10
    assert AuditEntry.objects.filter(action="two_factor_recovery_codes_regenerated").count() == 2

    # Required: the person may not turn it off.
    response = client.post("/accounts/two-factor/turn-off/", follow=True)
    assert b"Your role requires two-factor authentication" in response.content
    assert TOTPDevice.objects.exists()


def test_a_person_not_required_may_turn_it_off(client, two_factor, mayor_anderlecht):
    app_for(mayor_anderlecht)
    account_services.recovery_codes_regenerate(user=mayor_anderlecht)
    client.force_login(mayor_anderlecht)
    client.post("/accounts/two-factor/verify/", {"code": code_for(KEY)})
    response = client.post("/accounts/two-factor/turn-off/", follow=True)
    assert b"Two-factor authentication is off." in response.content
    assert not TOTPDevice.objects.exists() and not StaticDevice.objects.exists()
    entry = AuditEntry.objects.get(action="two_factor_removed")
    assert entry.actor == mayor_anderlecht
    assert entry.changes == {"devices": ["recovery_codes", "totp"]}


def test_the_security_link_is_in_the_account_menu(client, mayor_anderlecht):
    client.force_login(mayor_anderlecht)
    assert b'href="/accounts/two-factor/"' in client.get("/").content


# --- The administrator's side -----------------------------------------------------------


def test_the_admin_removes_a_lost_app_without_showing_secrets(
    client, two_factor, administrator, csir_analyst
):
    device = app_for(csir_analyst)
    codes = account_services.recovery_codes_regenerate(user=csir_analyst)
    app_for(administrator, key=new_secret())
    client.force_login(administrator)
    client.post(
        "/accounts/two-factor/verify/",
        {"code": code_for(TOTPDevice.objects.get(user=administrator).key)},
    )

    change = client.get(reverse("admin:otp_totp_totpdevice_change", args=[device.pk]))
    assert change.status_code == 200
    assert KEY.encode() not in change.content
    static = StaticDevice.objects.get(user=csir_analyst)
    change = client.get(reverse("admin:otp_static_staticdevice_change", args=[static.pk]))
    assert change.status_code == 200
    assert codes[0].encode() not in change.content
    assert client.get(reverse("admin:otp_totp_totpdevice_add")).status_code == 403

    url = reverse("admin:otp_totp_totpdevice_delete", args=[device.pk])
    assert client.post(url, {"post": "yes"}).status_code == 302
    assert not TOTPDevice.objects.filter(user=csir_analyst).exists()
    entry = AuditEntry.objects.get(action="two_factor_removed")
    assert entry.actor == administrator
    assert entry.target_id == str(csir_analyst.pk)
    assert entry.changes == {"devices": ["totp"]}

    changelist = reverse("admin:otp_static_staticdevice_changelist")
    client.post(
        changelist, {"action": "delete_selected", "_selected_action": [static.pk], "post": "yes"}
    )
    assert not StaticDevice.objects.filter(user=csir_analyst).exists()
    assert AuditEntry.objects.filter(action="two_factor_removed").count() == 2

    # The person sets up a new app at the next sign-in.
    person = Client()
    person.force_login(csir_analyst)
    assert person.get("/")["Location"].startswith("/accounts/two-factor/set-up/")


# --- The demo ---------------------------------------------------------------------------


def test_the_demo_gives_the_published_secret_to_who_must_use_it(
    csir_coordinator, mayor_anderlecht, police_member, settings, capsys
):
    secrets = people_demo.seed_two_factor()
    assert set(secrets) == {csir_coordinator.username, police_member.username}
    assert people_demo.seed_two_factor() == secrets  # idempotent
    assert TOTPDevice.objects.count() == 2
    key = people_demo.demo_totp_key(csir_coordinator.username)
    assert TOTPDevice.objects.get(user=csir_coordinator).key == key

    call_command("demo_totp", csir_coordinator.username)
    assert capsys.readouterr().out.strip() == code_for(key)


def test_demo_totp_never_prints_a_real_persons_code(csir_analyst):
    app_for(csir_analyst)
    with pytest.raises(Exception, match="no demo authenticator app"):
        call_command("demo_totp", csir_analyst.username)
