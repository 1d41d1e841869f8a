"""The shell every user sees: home by role, strategy page, health check, languages."""

import datetime as dt

import pytest
from django.urls import reverse
from django.utils.html import escape

from coordination.strategy import selectors, services

pytestmark = pytest.mark.django_db


@pytest.fixture
def strategy(csir_coordinator):
    return services.strategy_adopt(
        title_fr="Stratégie",
        title_nl="Strategie",
        adopted_on=dt.date(2024, 3, 12),
        by=csir_coordinator,
    )


def test_healthz_reports_the_database(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["checks"]["database"] == "ok"


def test_healthz_reports_a_dead_broker_without_pulling_the_node(client, settings):
    """The pages are served and the outbox keeps the work: degraded, still 200."""
    settings.REDIS_URL = "redis://127.0.0.1:1/0"
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["status"] == "degraded"
    assert response.json()["checks"]["broker"].startswith("error")


@pytest.mark.parametrize(
    "who",
    [
        "csir_coordinator",
        "csir_analyst",
        "mayor_anderlecht",
        "cores_member",
        "police_member",
        "association_member",
        "administrator",
    ],
)
def test_home_for_every_role(client, request, who):
    user = request.getfixturevalue(who)
    client.force_login(user)
    response = client.get(reverse("home:index"))
    assert response.status_code == 200
    assert escape(user.agency.name) in response.content.decode()


def test_navigation_follows_the_role(client, csir_coordinator, association_member):
    client.force_login(csir_coordinator)
    assert reverse("strategy:page") in client.get(reverse("home:index")).content.decode()
    client.force_login(association_member)
    assert reverse("strategy:page") not in client.get(reverse("home:index")).content.decode()
    assert reverse("admin:index") not in client.get(reverse("home:index")).content.decode()


@pytest.mark.parametrize("who", ["police_member", "association_member"])
def test_strategy_page_refused_to_agency_staff(client, request, who, strategy):
    client.force_login(request.getfixturevalue(who))
    assert client.get(reverse("strategy:page")).status_code == 403


@pytest.mark.parametrize("who", ["csir_coordinator", "mayor_anderlecht", "cores_member"])
def test_strategy_page_shows_the_periods(client, request, who, strategy):
    client.force_login(request.getfixturevalue(who))
    response = client.get(reverse("strategy:page"))
    assert response.status_code == 200
    assert "12 March 2024" in response.content.decode()


def test_strategy_page_accepts_only_get(client, csir_coordinator):
    client.force_login(csir_coordinator)
    assert client.post(reverse("strategy:page")).status_code == 405


def test_periods_are_six_months_and_extensions_follow(strategy, csir_coordinator):
    first = strategy.periods.get()
    assert (first.starts_on, first.ends_on) == (dt.date(2024, 3, 12), dt.date(2024, 9, 11))
    second = services.strategy_extend(
        strategy=strategy, decided_on=dt.date(2024, 9, 5), by=csir_coordinator
    )
    assert (second.starts_on, second.ends_on) == (dt.date(2024, 9, 12), dt.date(2025, 3, 11))
    assert selectors.current_period(on=dt.date(2024, 12, 1)) == second
    assert selectors.current_period(on=dt.date(2025, 3, 12)) is None


def test_decision_warning_from_sixty_days_before_the_end(strategy):
    assert not selectors.strategy_summary(on=dt.date(2024, 7, 12))["decision_due"]
    summary = selectors.strategy_summary(on=dt.date(2024, 7, 13))
    assert summary["days_left"] == 60 and summary["decision_due"]


def test_add_months_clamps_to_the_month_end():
    assert services.add_months(dt.date(2024, 8, 31), 6) == dt.date(2025, 2, 28)
    assert services.add_months(dt.date(2023, 8, 31), 6) == dt.date(2024, 2, 29)


def test_strategy_changes_are_audited(strategy, csir_coordinator):
    from coordination.models import AuditEntry

    services.strategy_extend(strategy=strategy, decided_on=dt.date(2024, 9, 5), by=csir_coordinator)
    actions = list(AuditEntry.objects.values_list("action", "actor__username"))
    assert ("strategy.adopt", "coordinator") in actions
    assert ("strategy.extend", "coordinator") in actions


@pytest.mark.parametrize(
    ("language", "label"), [("fr", "Mon travail"), ("nl", "Mijn werk"), ("en", "My work")]
)
def test_the_interface_speaks_three_languages(client, csir_coordinator, language, label):
    client.force_login(csir_coordinator)
    client.post(reverse("set_language"), {"language": language, "next": "/"})
    assert label in client.get(reverse("home:index")).content.decode()


def test_seed_demo_is_idempotent():
    from django.core.management import call_command

    from coordination.models import Agency, StrategyPeriod, User

    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    counts = (User.objects.count(), Agency.objects.count(), StrategyPeriod.objects.count())
    call_command("seed_demo", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert counts == (User.objects.count(), Agency.objects.count(), StrategyPeriod.objects.count())
    assert User.objects.filter(role=User.Role.MAYOR).count() == 8
    assert selectors.current_period() is not None
    # The demo never mails anyone, whatever broker or SMTP server is configured: no e-mail
    # is due for any of its notifications and none waits in the outbox.
    from coordination.models import Notification, OutboxMessage

    assert Notification.objects.exists()
    assert not Notification.objects.filter(emailed_at__isnull=True).exists()
    assert not OutboxMessage.objects.filter(task="coordination.email_notifications").exists()
