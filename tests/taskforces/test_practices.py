"""What worked where: evaluations of ended actions, their validation by the CSIR, and the
shared library of validated practices (filters, police-judicial rule, query count)."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coordination.audit.models import AuditEntry
from coordination.models import Axis
from hotspots.models import IndicatorDefinition, IndicatorValue
from hotspots.selectors.indicators import add_months, last_complete_month
from taskforces.models import (
    Action,
    ActionEvaluation,
    DrugMarket,
    EvaluationVersion,
    Membership,
)
from taskforces.services import practices as services
from taskforces.services import taskforces as taskforce_services
from tests.factories import AgencyFactory, UserFactory
from tests.factories_taskforces import ActionFactory, member

pytestmark = pytest.mark.django_db
State = EvaluationVersion.State
Effect = EvaluationVersion.Effect
LIBRARY = "/taskforces/practices/"


def _done(action: Action) -> Action:
    Action.objects.filter(pk=action.pk).update(status=Action.Status.DONE, progress=100)
    action.refresh_from_db()
    return action


def _evaluate(action: Action, by, *, market=DrugMarket.OPEN_CRACK_SCENE, **extra):
    fields = {
        "effect": Effect.CLEAR,
        "mechanism": "La présence quotidienne a déplacé les vendeurs hors du passage.",
        "market": market,
        "phenomena": ["dealing"],
        "cost_eur": Decimal("12000"),
        "person_days": Decimal("40"),
        "language": "fr",
        **extra,
    }
    return services.evaluation_save(action=action, by=by, **fields)


def _validated(action: Action, by, csir_coordinator, **extra) -> EvaluationVersion:
    _evaluate(action, by, **extra)
    services.evaluation_submit(action=action, by=by)
    return services.evaluation_validate(action=action, by=csir_coordinator)


@pytest.fixture
def outsider(hotspot_molenbeek, csir_analyst):
    """The coordinator of another task force (Molenbeek)."""
    taskforce = taskforce_services.taskforce_open(hotspot=hotspot_molenbeek, by=csir_analyst)
    person = UserFactory(
        username="molenbeek-coordinator",
        agency=AgencyFactory(name_fr="Commune de Molenbeek-Saint-Jean", kind="commune"),
    )
    member(taskforce, person, Membership.Role.COORDINATOR)
    person.other_taskforce = taskforce
    return person


# --- Recording ------------------------------------------------------------------------


def test_an_action_is_evaluated_only_once_it_has_ended(client, cast):
    edit = reverse("taskforces:evaluation_edit", args=[cast.security.pk])
    client.force_login(cast.coordinator)
    assert client.get(edit).status_code == 403
    with pytest.raises(ValidationError):
        _evaluate(cast.security, cast.coordinator)
    assert not ActionEvaluation.objects.exists()

    _done(cast.security)
    page = client.get(reverse("taskforces:action", args=[cast.security.pk]))
    assert "Evaluate this action" in page.content.decode()
    response = client.post(
        edit,
        {
            "effect": "some",
            "mechanism": "Les patrouilles à heures variables ont cassé la routine des vendeurs.",
            "market": "cocaine_point",
            "phenomena": ["dealing", "nuisance"],
            "cost_eur": "8500",
            "person_days": "30",
            "language": "fr",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    version = EvaluationVersion.objects.get()
    assert version.state == State.DRAFT
    assert version.market == "cocaine_point"
    assert sorted(row.phenomenon for row in version.phenomena.all()) == ["dealing", "nuisance"]
    assert version.cost_eur == Decimal("8500")
    entry = AuditEntry.objects.get(action="evaluation.record")
    assert entry.changes["version"] == 1


def test_who_may_record_is_who_may_change_the_action(client, cast):
    _done(cast.prevention)  # led by the association, partnered by Dune
    edit = reverse("taskforces:evaluation_edit", args=[cast.prevention.pk])
    client.force_login(cast.partner)  # a partner comments but does not change the action
    assert client.get(edit).status_code == 403
    client.force_login(cast.association)  # the lead agency
    assert client.get(edit).status_code == 200
    client.force_login(cast.coordinator)  # the plan's editor
    assert client.get(edit).status_code == 200


def test_only_the_csir_coordinator_validates(client, cast, csir_coordinator, csir_analyst):
    _done(cast.security)
    _evaluate(cast.security, cast.coordinator)
    services.evaluation_submit(action=cast.security, by=cast.coordinator)
    review = reverse("taskforces:evaluation_review", args=[cast.security.pk])
    for person in (csir_analyst, cast.coordinator, cast.police):
        client.force_login(person)
        assert client.post(review, {"decision": "validate"}).status_code == 403
    with pytest.raises(ValidationError):
        services.evaluation_validate(action=cast.security, by=cast.coordinator)
    assert EvaluationVersion.objects.get().state == State.SUBMITTED

    # The library lists it for the CSIR coordinator only, to review.
    url = reverse("taskforces:evaluation", args=[cast.security.pk])
    for person in (csir_analyst, cast.coordinator):
        client.force_login(person)
        assert 'id="h-awaiting"' not in client.get(LIBRARY).content.decode()
    client.force_login(csir_coordinator)
    html = client.get(LIBRARY).content.decode()
    assert 'id="h-awaiting"' in html and url in html

    # Returning needs a comment; then the task force revises and submits again.
    client.force_login(csir_coordinator)
    response = client.post(review, {"decision": "return", "comment": ""})
    assert response.status_code == 200
    assert EvaluationVersion.objects.get().state == State.SUBMITTED
    client.post(review, {"decision": "return", "comment": "Précisez le coût.", "language": "fr"})
    version = EvaluationVersion.objects.get()
    assert version.state == State.RETURNED and version.review_comment == "Précisez le coût."
    _evaluate(cast.security, cast.coordinator, cost_eur=Decimal("9000"))
    services.evaluation_submit(action=cast.security, by=cast.coordinator)
    response = client.post(review, {"decision": "validate", "comment": ""})
    assert response.status_code == 302
    version = EvaluationVersion.objects.get()
    assert version.state == State.VALIDATED and version.reviewed_by == csir_coordinator
    assert version.cost_eur == Decimal("9000")
    assert AuditEntry.objects.filter(action="evaluation.validate").count() == 1


def test_a_submitted_evaluation_takes_no_change(cast):
    _done(cast.security)
    _evaluate(cast.security, cast.coordinator)
    services.evaluation_submit(action=cast.security, by=cast.coordinator)
    with pytest.raises(ValidationError):
        _evaluate(cast.security, cast.coordinator, effect=Effect.WORSE)
    with pytest.raises(PermissionDenied):
        services.evaluation_submit(action=cast.security, by=cast.association)


# --- History --------------------------------------------------------------------------


def test_a_revision_keeps_the_history_and_the_library_the_validated_version(
    client, cast, csir_coordinator, outsider
):
    _done(cast.security)
    first = _validated(cast.security, cast.coordinator, csir_coordinator)
    revised = _evaluate(
        cast.security,
        cast.coordinator,
        effect=Effect.SOME,
        mechanism="Après un an, effet atténué : les vendeurs reviennent le soir.",
    )
    assert revised.pk != first.pk and revised.number == 2 and revised.state == State.DRAFT
    first.refresh_from_db()
    assert first.state == State.VALIDATED and first.superseded_at is None

    client.force_login(outsider)
    html = client.get(LIBRARY).content.decode()
    assert "La présence quotidienne" in html and "effet atténué" not in html

    services.evaluation_submit(action=cast.security, by=cast.coordinator)
    services.evaluation_validate(action=cast.security, by=csir_coordinator)
    first.refresh_from_db()
    assert first.superseded_at is not None
    assert EvaluationVersion.objects.count() == 2  # nothing deleted
    html = client.get(LIBRARY).content.decode()
    assert "effet atténué" in html and "La présence quotidienne" not in html

    client.force_login(cast.coordinator)
    page = client.get(reverse("taskforces:evaluation", args=[cast.security.pk]))
    assert page.status_code == 200
    assert page.content.decode().count("<tr>") >= 3  # the header and both versions
    assert list(
        AuditEntry.objects.filter(action__startswith="evaluation.")
        .order_by("pk")
        .values_list("action", flat=True)
    ) == [
        "evaluation.record",
        "evaluation.submit",
        "evaluation.validate",
        "evaluation.revise",
        "evaluation.submit",
        "evaluation.validate",
    ]


# --- The library ----------------------------------------------------------------------


def test_the_library_shows_only_validated_practices(client, cast, csir_coordinator, outsider):
    _done(cast.security)
    _done(cast.neighbourhood)
    _done(cast.prevention)
    _validated(cast.security, cast.coordinator, csir_coordinator)
    _evaluate(cast.neighbourhood, cast.coordinator, mechanism="Brouillon pas encore soumis.")
    _evaluate(cast.prevention, cast.coordinator, mechanism="Soumis, en attente du CSIR.")
    services.evaluation_submit(action=cast.prevention, by=cast.coordinator)

    client.force_login(outsider)
    response = client.get(LIBRARY)
    assert response.status_code == 200
    html = response.content.decode()
    assert "La présence quotidienne" in html
    assert "Brouillon pas encore soumis" not in html
    assert "Soumis, en attente du CSIR" not in html
    # Another task force reads the practice, but cannot open the action.
    assert reverse("taskforces:evaluation", args=[cast.security.pk]) not in html
    client.force_login(cast.coordinator)
    html = client.get(LIBRARY).content.decode()
    assert reverse("taskforces:evaluation", args=[cast.security.pk]) in html


def test_the_filters_narrow_the_library(client, cast, csir_coordinator, outsider):
    _done(cast.security)
    _done(cast.prevention)
    _validated(
        cast.security,
        cast.coordinator,
        csir_coordinator,
        market=DrugMarket.OPEN_CRACK_SCENE,
        mechanism="Mécanisme sécurité",
        phenomena=["public_use"],
    )
    _validated(
        cast.prevention,
        cast.coordinator,
        csir_coordinator,
        market=DrugMarket.DELIVERY,
        effect=Effect.NONE,
        mechanism="Mécanisme prévention",
        phenomena=["exploitation", "dealing"],
    )
    client.force_login(outsider)

    def shown(**query) -> set[str]:
        html = client.get(LIBRARY, query).content.decode()
        return {name for name in ("sécurité", "prévention") if f"Mécanisme {name}" in html}

    assert shown() == {"sécurité", "prévention"}
    assert shown(market="delivery") == {"prévention"}
    assert shown(market="open_crack_scene") == {"sécurité"}
    assert shown(axis=Axis.SECURITY) == {"sécurité"}
    assert shown(axis=Axis.NEIGHBOURHOOD) == set()
    assert shown(phenomenon="exploitation") == {"prévention"}
    assert shown(phenomenon="public_use") == {"sécurité"}
    assert shown(effect="none") == {"prévention"}
    assert shown(effect="clear", market="delivery") == set()


@pytest.mark.parametrize(
    "query",
    [
        {"market": "x" * 5000},
        {"phenomenon": "\x00"},
        {"axis": "'; DROP TABLE"},
        {"effect": "%%%"},
        {"page": str(2**70)},
        {"page": "-1"},
        {"market": ["delivery", "mixed"]},
    ],
)
def test_hostile_filters_answer_200(client, cast, outsider, query):
    client.force_login(outsider)
    response = client.get(LIBRARY, query)
    assert response.status_code == 200
    assert response["Vary"] and "HX-Request" in response["Vary"]


# --- Police-judicial ------------------------------------------------------------------


def test_a_police_judicial_evaluation_stays_inside_the_circle(
    client, cast, csir_coordinator, outsider
):
    _done(cast.secret)
    _validated(cast.secret, cast.police, csir_coordinator, mechanism="Filature discrète du réseau.")
    page = reverse("taskforces:evaluation", args=[cast.secret.pk])
    for person in (cast.association, cast.coordinator, cast.chair, outsider):
        client.force_login(person)
        assert client.get(page).status_code == 404
        html = client.get(LIBRARY).content.decode()
        assert "Filature" not in html and "Enquête sur le réseau" not in html
        assert "0 validated practice" in html
    for person in (cast.police, cast.prosecutor, csir_coordinator):
        client.force_login(person)
        assert client.get(page).status_code == 200
        assert "Filature discrète" in client.get(LIBRARY).content.decode()
    entry = AuditEntry.objects.get(action="evaluation.validate")
    assert entry.police_judicial is True


# --- Query count ----------------------------------------------------------------------


def _practices(cast, csir_coordinator, count: int, indicator: IndicatorDefinition) -> None:
    """``count`` validated practices of done actions, each with an indicator and values."""
    end = last_complete_month()
    for index in range(count):
        action = ActionFactory(
            plan=cast.plan,
            axis=[Axis.SECURITY, Axis.PREVENTION, Axis.NEIGHBOURHOOD][index % 3],
            lead_agency=cast.commune,
            status=Action.Status.DONE,
            progress=100,
            indicator=indicator,
            start_on=add_months(end, -6),
            due_on=end,
        )
        _validated(action, cast.coordinator, csir_coordinator, phenomena=["dealing", "nuisance"])
    for offset in range(12):
        IndicatorValue.objects.update_or_create(
            hotspot=cast.taskforce.hotspot,
            indicator=indicator,
            month=add_months(end, -offset),
            defaults={"value": Decimal(20 + offset), "entered_by": cast.coordinator},
        )


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def test_the_library_query_count_does_not_grow_with_the_data(
    client, cast, csir_coordinator, outsider
):
    indicator = IndicatorDefinition.objects.order_by("position").first()
    assert indicator is not None
    _practices(cast, csir_coordinator, 2, indicator)
    filtered = LIBRARY + "?market=open_crack_scene&phenomenon=dealing"
    readers = (outsider, cast.police, csir_coordinator)
    small = {}
    for person in readers:
        client.force_login(person)
        small[person.pk] = (_queries(client, LIBRARY), _queries(client, filtered))
    _practices(cast, csir_coordinator, 12, indicator)
    for person in readers:
        client.force_login(person)
        assert (_queries(client, LIBRARY), _queries(client, filtered)) == small[person.pk]
    # The trend is read from the values: falling from 27–29 to 20–22, lower is better.
    client.force_login(outsider)
    html = client.get(LIBRARY).content.decode()
    assert "falling" in html or "en baisse" in html


def test_the_library_is_open_to_every_signed_in_person(client, cast, cores_member):
    assert client.get(LIBRARY).status_code == 302  # anonymous: to the login
    client.force_login(cores_member)
    assert client.get(LIBRARY).status_code == 200


def test_evaluation_pages_of_unknown_actions_are_404(client, cast):
    client.force_login(cast.coordinator)
    for name in ("evaluation", "evaluation_edit"):
        assert client.get(reverse(f"taskforces:{name}", args=[999_999])).status_code == 404


def test_the_action_page_offers_the_evaluation_once_ended(client, cast):
    client.force_login(cast.coordinator)
    url = reverse("taskforces:action", args=[cast.security.pk])
    assert 'id="h-evaluation"' not in client.get(url).content.decode()
    _done(cast.security)
    html = client.get(url).content.decode()
    assert 'id="h-evaluation"' in html
    assert reverse("taskforces:evaluation", args=[cast.security.pk]) in html


# --- Demo data ------------------------------------------------------------------------


def test_the_demo_has_validated_practices_in_both_languages(settings):
    from coordination.regional.demo import seed as coordination_demo
    from hotspots import demo as hotspot_demo
    from taskforces import demo
    from taskforces.selectors import practices as selectors

    settings.MAILERS = {"default": {"BACKEND": "django.core.mail.backends.locmem.EmailBackend"}}
    agencies = coordination_demo.seed_agencies()
    people = coordination_demo.seed_people(agencies)
    coordination_demo.seed_strategy(by=people["csir.coordinator"])
    hotspots = hotspot_demo.seed(people=people)
    demo.seed(people=people, hotspots=hotspots, agencies=agencies)
    demo.seed_practices(people=people)  # idempotent

    validated = EvaluationVersion.objects.filter(state=State.VALIDATED)
    assert validated.filter(evaluation__action__confidentiality="taskforce").count() >= 4
    assert EvaluationVersion.objects.filter(state=State.SUBMITTED).count() <= 1
    assert {v.language for v in validated} >= {"fr"}
    assert all(v.mechanism and v.mechanism_translation for v in validated)
    assert all(v.evaluation.action.status == Action.Status.DONE for v in validated)
    outsider_view = set(selectors.practices(people["transit"]).values_list("pk", flat=True))
    circle_view = set(selectors.practices(people["pjf"]).values_list("pk", flat=True))
    assert outsider_view <= circle_view
    pj = validated.filter(evaluation__action__confidentiality="police_judicial")
    assert not outsider_view & set(pj.values_list("pk", flat=True))
    assert set(pj.values_list("pk", flat=True)) <= circle_view


HOSTILE = ["\x00", "x" * 60_000, str(2**70), "-1", "abc", "1e400", "<script>"]


def test_hostile_values_in_the_evaluation_forms_never_break_them(client, cast, csir_coordinator):
    _done(cast.security)
    edit = reverse("taskforces:evaluation_edit", args=[cast.security.pk])
    plausible = {
        "effect": "clear",
        "mechanism": "Présence quotidienne.",
        "market": "mixed",
        "phenomena": ["dealing"],
        "indicators": [],
        "cost_eur": "100",
        "person_days": "2",
        "language": "fr",
        "translation-mechanism": "",
    }
    client.force_login(cast.coordinator)
    for name in plausible:
        for value in HOSTILE:
            response = client.post(edit, {**plausible, name: value})
            assert response.status_code in (200, 302), (name, value[:20])
            if response.status_code == 302:
                # Accepted only as free text, never a NUL byte nor a pasted file.
                assert name in {"mechanism", "translation-mechanism"}
                assert "\x00" not in value and len(value) < 60_000
    assert EvaluationVersion.objects.filter(cost_eur__lt=0).count() == 0
    client.post(edit, plausible)
    services.evaluation_submit(action=cast.security, by=cast.coordinator)
    review = reverse("taskforces:evaluation_review", args=[cast.security.pk])
    client.force_login(csir_coordinator)
    for name in ("decision", "comment", "language"):
        for value in HOSTILE:
            data = {"decision": "return", "comment": "À préciser.", "language": "fr", name: value}
            response = client.post(review, data)
            assert response.status_code in (200, 302), (name, value[:20])


def test_the_csir_and_the_task_force_are_told(cast, csir_coordinator, csir_analyst):
    from coordination.notifications.models import Notification

    _done(cast.security)
    _evaluate(cast.security, cast.coordinator)
    services.evaluation_submit(action=cast.security, by=cast.coordinator)
    told = Notification.objects.filter(kind="evaluation_submitted")
    assert set(told.values_list("recipient", flat=True)) == {csir_coordinator.pk}
    services.evaluation_return(action=cast.security, by=csir_coordinator, comment="Le coût ?")
    returned = Notification.objects.filter(kind="evaluation_returned")
    assert {cast.coordinator.pk, cast.police.pk} <= set(
        returned.values_list("recipient", flat=True)
    )
    assert all(n.params["action"]["ref"] == "taskforces.action" for n in returned)

    # A police-judicial evaluation is told inside the circle only.
    _done(cast.secret)
    _validated(cast.secret, cast.police, csir_coordinator)
    validated = set(
        Notification.objects.filter(kind="evaluation_validated").values_list("recipient", flat=True)
    )
    assert cast.police.pk in validated
    assert not validated & {cast.coordinator.pk, cast.association.pk, cast.chair.pk}
    assert csir_analyst.pk not in set(
        Notification.objects.filter(kind="evaluation_submitted").values_list("recipient", flat=True)
    )
