"""The register of police orders: what was in force where on a day, amendments, the
publication checklist and its reminders, the appeal period, who ticks what, and cost."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from coordination.models import AuditEntry, Notification
from coordination.notifications.services import message
from hotspots import tasks
from hotspots.models import (
    Hotspot,
    MeasureType,
    OrderAmendment,
    PoliceOrder,
    PublicationStep,
    PublicationStepReminder,
)
from hotspots.selectors.order_register import appeal_end, histories, in_force_on
from hotspots.services.order_register import amendment_record, remind_pending_steps, step_mark_done
from hotspots.services.orders import order_create
from tests.factories import HotspotFactory

pytestmark = pytest.mark.django_db

M = MeasureType
Step = PublicationStep.Kind
SIGNED = dt.date(2024, 4, 2)


def regional_order(by, *, title="Arrêté du 2 avril 2024") -> PoliceOrder:
    return order_create(
        by=by,
        scope=PoliceOrder.Scope.REGIONAL,
        title_fr=title,
        title_nl="Verordening van 2 april 2024",
        measures=[M.ALCOHOL_BAN],
        legal_reference="NLC art. 134ter",
        signatory="Le Ministre-Président",
        signed_on=SIGNED,
        valid_from=SIGNED,
        valid_until=dt.date(2024, 10, 1),
    )


def amend(order, by, number_kind, start, end, hotspots, measures, signed=None):
    return amendment_record(
        order=order,
        by=by,
        kind=number_kind,
        signed_on=signed or start,
        valid_from=start,
        valid_until=end,
        measures=measures,
        hotspots=hotspots,
        summary="Ce qui change",
        summary_translation="Wat verandert",
    )


@pytest.fixture
def register(
    csir_coordinator, mayor_anderlecht, mayor_saint_gilles, hotspot_midi, hotspot_molenbeek
):
    """The order of 2 April 2024 and two changes: the original on Midi only, an amendment
    from 26 October 2024 adding fireworks and Molenbeek, an extension from 4 March 2025."""
    order = regional_order(csir_coordinator)
    original = amend(
        order,
        csir_coordinator,
        "original",
        SIGNED,
        dt.date(2025, 3, 3),
        [hotspot_midi],
        [M.ALCOHOL_BAN],
    )
    autumn = amend(
        order,
        csir_coordinator,
        "amendment",
        dt.date(2024, 10, 26),
        dt.date(2025, 3, 3),
        [hotspot_midi, hotspot_molenbeek],
        [M.ALCOHOL_BAN, M.FIREWORKS],
        signed=dt.date(2024, 10, 25),
    )
    spring = amend(
        order,
        csir_coordinator,
        "extension",
        dt.date(2025, 3, 4),
        dt.date(2025, 9, 3),
        [hotspot_midi, hotspot_molenbeek],
        [M.LAUGHING_GAS_BAN],
        signed=dt.date(2025, 2, 26),
    )
    return order, original, autumn, spring


# --- What was in force where ------------------------------------------------------------


def test_measures_in_force_between_two_amendments(register, csir_coordinator, hotspot_molenbeek):
    order, original, autumn, spring = register

    def state(day):
        entries = in_force_on(csir_coordinator, day)
        assert [entry.order for entry in entries] == [order]
        return entries[0]

    june = state(dt.date(2024, 6, 1))
    assert june.amendment == original and june.source.measures == [M.ALCOHOL_BAN]
    assert [h.code for h in june.hotspots] == ["HS10"]
    # The original still runs to 3 March 2025, but the later amendment supersedes it.
    november = state(dt.date(2024, 11, 15))
    assert november.amendment == autumn
    assert november.source.measures == [M.ALCOHOL_BAN, M.FIREWORKS]
    assert [h.code for h in november.hotspots] == ["HS10", "HS12"]
    assert state(dt.date(2025, 3, 3)).amendment == autumn
    assert state(dt.date(2025, 3, 4)).amendment == spring
    assert in_force_on(csir_coordinator, dt.date(2025, 9, 4)) == []


def test_register_page_shows_the_state_of_the_day(client, register, police_member):
    order = register[0]
    client.force_login(police_member)
    url = reverse("hotspots:order_register")
    with translation.override("en"):
        fireworks = str(M.FIREWORKS.label)
        laughing_gas = str(M.LAUGHING_GAS_BAN.label)
    november = client.get(url, {"on": "2024-11-15"}, headers={"accept-language": "en"})
    assert november.status_code == 200
    section = november.content.decode().split('id="register-in-force"')[1].split("</section>")[0]
    assert fireworks in section and laughing_gas not in section
    assert "Étangs Noirs" in section and order.title_fr in section
    march = client.get(url, {"on": "2025-03-10"}).content.decode()
    section = march.split('id="register-in-force"')[1].split("</section>")[0]
    assert laughing_gas in section and fireworks not in section
    # The htmx request gets the section only.
    fragment = client.get(url, {"on": "2024-11-15"}, headers={"HX-Request": "true"})
    assert fragment.content.decode().lstrip().startswith('<section id="register-in-force"')
    assert "HX-Request" in fragment["Vary"]


def test_an_order_without_amendments_is_read_from_its_own_dates(
    csir_coordinator, mayor_anderlecht, hotspot_midi
):
    local = order_create(
        by=mayor_anderlecht,
        scope=PoliceOrder.Scope.LOCAL,
        hotspot=hotspot_midi,
        title_fr="Interdiction de lieu",
        title_nl="Plaatsverbod",
        measures=[M.PLACE_BAN],
        legal_reference="NLC art. 134sexies",
        signatory="Le bourgmestre",
        signed_on=dt.date(2025, 1, 2),
        valid_from=dt.date(2025, 1, 3),
        valid_until=dt.date(2025, 4, 3),
    )
    (entry,) = in_force_on(csir_coordinator, dt.date(2025, 2, 1))
    assert entry.order == local and entry.amendment is None and entry.hotspots == [hotspot_midi]


# --- Recording amendments ---------------------------------------------------------------


def test_amendments_are_numbered_and_their_rules_checked(csir_coordinator, hotspot_midi):
    order = regional_order(csir_coordinator)
    with pytest.raises(ValidationError) as error:
        amend(order, csir_coordinator, "amendment", SIGNED, SIGNED, [hotspot_midi], [M.ALCOHOL_BAN])
    assert "kind" in error.value.message_dict
    with pytest.raises(ValidationError) as error:
        amend(order, csir_coordinator, "original", SIGNED, SIGNED, [], [])
    assert {"hotspots", "measures"} <= set(error.value.message_dict)
    with pytest.raises(ValidationError) as error:
        amend(
            order,
            csir_coordinator,
            "original",
            SIGNED,
            SIGNED - dt.timedelta(days=1),
            [hotspot_midi],
            [M.ALCOHOL_BAN],
        )
    assert "valid_until" in error.value.message_dict
    first = amend(
        order, csir_coordinator, "original", SIGNED, SIGNED, [hotspot_midi], [M.ALCOHOL_BAN]
    )
    assert first.number == 0 and first.kind == OrderAmendment.Kind.ORIGINAL
    with pytest.raises(ValidationError):
        amend(order, csir_coordinator, "extension", SIGNED, SIGNED, [hotspot_midi], ["bogus"])
    assert OrderAmendment.objects.count() == 1


def test_checklist_has_each_step_and_a_posting_per_commune(register, mayor_saint_gilles):
    _order, original, _autumn, spring = register
    kinds = sorted((s.kind, s.commune.nis_code if s.commune else "") for s in original.steps.all())
    assert kinds == [
        (Step.CRISIS_CENTRE, ""),
        (Step.MAYORS, ""),
        (Step.MONITEUR, ""),
        (Step.POSTED, "21001"),
        (Step.POSTED, "21013"),
    ]
    # Molenbeek joined in the autumn: its commune posts the later amendments too.
    assert spring.steps.filter(kind=Step.POSTED).count() == 3
    posting = original.steps.get(kind=Step.POSTED, commune__nis_code="21013")
    assert posting.owner_agency == mayor_saint_gilles.agency
    assert posting.due_on == SIGNED + dt.timedelta(days=3)  # three working days


def test_a_mayor_cannot_amend_a_regional_order(mayor_anderlecht, register, hotspot_midi):
    order = register[0]
    with pytest.raises(PermissionDenied):
        amend(order, mayor_anderlecht, "amendment", SIGNED, SIGNED, [hotspot_midi], [M.ALCOHOL_BAN])


def test_csir_records_an_amendment_through_the_form(
    client, csir_coordinator, register, hotspot_midi
):
    order = register[0]
    client.force_login(csir_coordinator)
    url = reverse("hotspots:order_amendment_new", args=[order.pk])
    page = client.get(url)
    assert page.status_code == 200
    # The form starts from the state in force (the latest amendment).
    assert page.context["form"].initial["valid_until"] == dt.date(2025, 9, 3)
    response = client.post(
        url,
        {
            "kind": "extension",
            "signed_on": "2025-08-28",
            "valid_from": "2025-09-04",
            "valid_until": "2026-03-03",
            "measures": [M.LAUGHING_GAS_BAN],
            "hotspots": [hotspot_midi.pk],
            "summary": "Prolongation",
            "language": "fr",
        },
    )
    assert response.status_code == 302
    latest = order.amendments.order_by("-number").first()
    assert (latest.number, latest.valid_until) == (3, dt.date(2026, 3, 3))
    assert list(latest.hotspots.all()) == [hotspot_midi]


def test_amendment_form_access(client, register, mayor_anderlecht, mayor_other, csir_coordinator):
    order = register[0]
    client.force_login(mayor_anderlecht)
    assert client.get(reverse("hotspots:order_amendment_new", args=[order.pk])).status_code == 403
    assert client.get(reverse("hotspots:order_amendment_new", args=[99999])).status_code == 404
    hidden = HotspotFactory(
        code="HSX", status=Hotspot.Status.PROPOSED, communes=["21009"], proposed_by=csir_coordinator
    )
    local = order_create(
        by=csir_coordinator,
        scope=PoliceOrder.Scope.LOCAL,
        hotspot=hidden,
        title_fr="Ixelles",
        title_nl="Elsene",
        measures=[M.PLACE_BAN],
        legal_reference="NLC",
        signatory="X",
        signed_on=SIGNED,
        valid_from=SIGNED,
        valid_until=SIGNED,
    )
    client.force_login(mayor_other)
    assert client.get(reverse("hotspots:order_amendment_new", args=[local.pk])).status_code == 404


# --- The appeal period --------------------------------------------------------------------


def test_appeal_ends_sixty_days_after_publication(client, register, csir_coordinator):
    _order, _original, _autumn, spring = register
    moniteur = spring.steps.get(kind=Step.MONITEUR)
    step_mark_done(step=moniteur, by=csir_coordinator, done_on=dt.date(2025, 2, 28))
    assert appeal_end(dt.date(2025, 2, 28)) == dt.date(2025, 4, 29)
    (history,) = histories(csir_coordinator, dt.date(2025, 3, 10))
    entry = next(e for e in history.amendments if e.amendment == spring)
    assert (entry.published_on, entry.appeal_until) == (dt.date(2025, 2, 28), dt.date(2025, 4, 29))
    assert entry.appeal_open_on(dt.date(2025, 4, 29)) and not entry.appeal_open_on(
        dt.date(2025, 4, 30)
    )
    unpublished = next(e for e in history.amendments if e.amendment != spring)
    assert unpublished.appeal_until is None
    client.force_login(csir_coordinator)
    with translation.override("en"):
        body = client.get(reverse("hotspots:order_register"), {"on": "2025-03-10"}).content.decode()
    assert "Appeal period open until" in body


# --- Ticking steps ------------------------------------------------------------------------


def _posting(amendment, nis):
    return amendment.steps.get(kind=Step.POSTED, commune__nis_code=nis)


def test_a_commune_ticks_only_its_own_posting(
    client, register, mayor_saint_gilles, csir_coordinator
):
    _order, original, _autumn, _spring = register
    own, other = _posting(original, "21013"), _posting(original, "21001")
    client.force_login(mayor_saint_gilles)
    url = reverse("hotspots:order_step_done", args=[own.pk])
    assert client.get(url).status_code == 405
    response = client.post(url, {"done_on": "2024-04-05"})
    assert response.status_code == 302 and response["Location"].endswith(f"#step-{own.pk}")
    own.refresh_from_db()
    assert (own.done_on, own.done_by) == (dt.date(2024, 4, 5), mayor_saint_gilles)
    forbidden = client.post(
        reverse("hotspots:order_step_done", args=[other.pk]), {"done_on": "2024-04-05"}
    )
    assert forbidden.status_code == 403
    for step in (original.steps.get(kind=Step.MONITEUR), original.steps.get(kind=Step.MAYORS)):
        assert (
            client.post(
                reverse("hotspots:order_step_done", args=[step.pk]), {"done_on": "2024-04-05"}
            ).status_code
            == 403
        )
    assert not PublicationStep.objects.filter(pk=other.pk, done_on__isnull=False).exists()
    assert (
        client.post(
            reverse("hotspots:order_step_done", args=[99999]), {"done_on": "2024-04-05"}
        ).status_code
        == 404
    )
    # Once done, a step is not done again.
    with pytest.raises(ValidationError):
        step_mark_done(step=own, by=csir_coordinator, done_on=dt.date(2024, 4, 6))


def test_a_step_of_an_unseen_order_is_404(client, csir_coordinator, mayor_other):
    hidden = HotspotFactory(
        code="HSX", status=Hotspot.Status.PROPOSED, communes=["21009"], proposed_by=csir_coordinator
    )
    local = order_create(
        by=csir_coordinator,
        scope=PoliceOrder.Scope.LOCAL,
        hotspot=hidden,
        title_fr="Ixelles",
        title_nl="Elsene",
        measures=[M.PLACE_BAN],
        legal_reference="NLC",
        signatory="X",
        signed_on=SIGNED,
        valid_from=SIGNED,
        valid_until=SIGNED,
    )
    amendment = amend(local, csir_coordinator, "original", SIGNED, SIGNED, [], [M.PLACE_BAN])
    step = amendment.steps.get(kind=Step.POSTED)
    client.force_login(mayor_other)
    response = client.post(
        reverse("hotspots:order_step_done", args=[step.pk]), {"done_on": "2024-04-05"}
    )
    assert response.status_code == 404
    body = client.get(reverse("hotspots:order_register")).content.decode()
    assert "Ixelles" not in body and f"step-{step.pk}" not in body


def test_htmx_tick_returns_the_row(client, register, mayor_saint_gilles):
    own = _posting(register[1], "21013")
    client.force_login(mayor_saint_gilles)
    response = client.post(
        reverse("hotspots:order_step_done", args=[own.pk]),
        {"done_on": "2024-04-05"},
        headers={"HX-Request": "true"},
    )
    body = response.content.decode()
    assert response.status_code == 200 and body.lstrip().startswith(f'<tr id="step-{own.pk}"')
    assert "status-done" in body and "<form" not in body


@pytest.mark.parametrize(
    "value",
    ["garbage", "2024-02-30", "99999-01-01", "0001-01-01", "\x00", "2024-04-05' OR 1=1", ""],
)
def test_hostile_dates_never_fail(client, register, mayor_saint_gilles, value):
    client.force_login(mayor_saint_gilles)
    page = client.get(reverse("hotspots:order_register"), {"on": value})
    assert page.status_code == 200
    if value:
        assert list(page.context["messages"]), "the ignored date is said"
    own = _posting(register[1], "21013")
    response = client.post(reverse("hotspots:order_step_done", args=[own.pk]), {"done_on": value})
    assert response.status_code == 302
    own.refresh_from_db()
    assert own.done_on is None


def test_future_and_early_done_dates_are_refused(register, mayor_saint_gilles):
    own = _posting(register[1], "21013")
    with pytest.raises(ValidationError):
        step_mark_done(step=own, by=mayor_saint_gilles, done_on=dt.date(2099, 1, 1))
    with pytest.raises(ValidationError):
        step_mark_done(step=own, by=mayor_saint_gilles, done_on=SIGNED - dt.timedelta(days=1))


# --- Reminders ---------------------------------------------------------------------------


def test_a_pending_step_reminds_its_owner_once(
    mailoutbox,
    django_capture_on_commit_callbacks,
    register,
    csir_coordinator,
    mayor_saint_gilles,
    mayor_anderlecht,
    mayor_other,
):
    _order, original, _autumn, _spring = register
    # Everything of the register is done but Saint-Gilles's posting of the original text.
    for step in PublicationStep.objects.exclude(pk=_posting(original, "21013").pk):
        step_mark_done(step=step, by=csir_coordinator, done_on=dt.date(2025, 3, 1))
    pending = _posting(original, "21013")
    day = dt.date(2025, 3, 12)
    with django_capture_on_commit_callbacks(execute=True):
        told = remind_pending_steps(on=day)
    notes = Notification.objects.filter(kind="order_step_pending")
    assert told == 1 and [n.recipient for n in notes] == [mayor_saint_gilles]
    note = notes.get()
    assert note.url.endswith(f"#step-{pending.pk}")
    with translation.override("fr"):
        text = message(note)
    assert "Arrêté du 2 avril 2024" in text and "Saint-Gilles" in text
    assert [m.to for m in mailoutbox] == [[mayor_saint_gilles.email]]
    # Idempotent: the same day (and the rest of the week) tells nobody again.
    assert remind_pending_steps(on=day) == 0
    assert remind_pending_steps(on=day + dt.timedelta(days=2)) == 0
    assert notes.count() == 1 and PublicationStepReminder.objects.get().step == pending
    # The next week, the step is still pending: one more reminder.
    assert remind_pending_steps(on=day + dt.timedelta(days=7)) == 1
    # Done: no more reminders.
    step_mark_done(step=pending, by=mayor_saint_gilles, done_on=dt.date(2025, 3, 20))
    assert remind_pending_steps(on=day + dt.timedelta(days=14)) == 0


def test_no_reminder_before_a_step_is_due(register):
    _order, original, _autumn, _spring = register
    earliest = min(original.steps.values_list("due_on", flat=True))
    assert remind_pending_steps(on=earliest - dt.timedelta(days=1)) == 0
    assert not Notification.objects.exists()


def test_reminder_task_is_in_beat_and_named(settings, register):
    from coordination.regional.jobs.selectors import JOB_NAMES

    entries = [e["task"] for e in settings.CELERY_BEAT_SCHEDULE.values()]
    assert "hotspots.remind_order_publication_steps" in entries
    assert "hotspots.remind_order_publication_steps" in JOB_NAMES
    assert tasks.remind_order_publication_steps("2025-03-12") > 0
    assert tasks.remind_order_publication_steps("2025-03-12") == 0


# --- Audit -------------------------------------------------------------------------------


def test_amendments_and_steps_are_audited(register, csir_coordinator, mayor_saint_gilles):
    order, original, _autumn, _spring = register
    amended = AuditEntry.objects.filter(action="order.amend", target_id=order.pk)
    assert amended.count() == 3 and {e.actor for e in amended} == {csir_coordinator}
    first = amended.order_by("id").first()
    assert first.changes["amendment"] == 0 and first.changes["hotspots"] == ["HS10"]
    step_mark_done(step=_posting(original, "21013"), by=mayor_saint_gilles, done_on=SIGNED)
    entry = AuditEntry.objects.get(action="order.publication_step")
    assert entry.actor == mayor_saint_gilles and entry.target_id == str(order.pk)
    assert entry.changes["step"] == Step.POSTED and entry.changes["done_on"] == [None, "2024-04-02"]
    # Never deleted: the amendments protect the order and the steps protect the amendment.
    from django.db.models import ProtectedError

    with pytest.raises(ProtectedError):
        original.delete()


# --- Cost --------------------------------------------------------------------------------


def _page_queries(client, user) -> int:
    client.force_login(user)
    client.get(reverse("hotspots:order_register"), {"on": "2024-11-15"})  # warm the session
    with CaptureQueriesContext(connection) as queries:
        response = client.get(reverse("hotspots:order_register"), {"on": "2024-11-15"})
    assert response.status_code == 200
    return len(queries)


@pytest.mark.parametrize("role", ["csir_coordinator", "mayor_saint_gilles", "police_member"])
def test_register_page_cost_does_not_grow_with_the_data(client, request, register, role):
    user = request.getfixturevalue(role)
    csir = request.getfixturevalue("csir_coordinator")
    small = _page_queries(client, user)
    more = [HotspotFactory(code=f"HX{n}", communes=["21013", "21004"]) for n in range(4)]
    for n in range(3):
        order = regional_order(csir, title=f"Arrêté {n}")
        amend(order, csir, "original", SIGNED, dt.date(2025, 3, 3), more, [M.ALCOHOL_BAN])
        amendment = amend(
            order,
            csir,
            "amendment",
            dt.date(2024, 11, 1),
            dt.date(2025, 3, 3),
            more[:2],
            [M.FIREWORKS],
            signed=dt.date(2024, 10, 30),
        )
        for step in amendment.steps.all()[:2]:
            step_mark_done(step=step, by=csir, done_on=dt.date(2024, 11, 2))
    assert _page_queries(client, user) == small


# --- Demo --------------------------------------------------------------------------------


def test_demo_register_of_the_order_of_2_april_2024(
    monkeypatch, csir_coordinator, mayor_saint_gilles, mayor_anderlecht
):
    from hotspots import demo_orders

    codes = [f"HS{n:02d}" for n in range(1, 19) if n != 16]
    hotspots = {
        code: HotspotFactory(
            code=code, communes=["21013", "21001"] if code == "HS10" else ["21001"]
        )
        for code in codes
    }
    people = {"csir.coordinator": csir_coordinator}
    monkeypatch.setattr(demo_orders.timezone, "localdate", lambda: dt.date(2026, 12, 6))
    demo_orders.seed(people=people, hotspots=hotspots)
    demo_orders.seed(people=people, hotspots=hotspots)  # idempotent
    order = PoliceOrder.objects.get(title_fr=demo_orders.REGIONAL_TITLE_FR)
    assert list(order.amendments.values_list("signed_on", flat=True)) == [
        dt.date(2024, 4, 2),
        dt.date(2024, 10, 1),
        dt.date(2024, 10, 25),
        dt.date(2025, 2, 26),
    ]

    def covered(day):
        entry = next(e for e in in_force_on(csir_coordinator, day) if e.order == order)
        return entry

    assert len(covered(dt.date(2024, 6, 1)).hotspots) == 15
    assert M.FIREWORKS in covered(dt.date(2024, 11, 15)).source.measures
    march = covered(dt.date(2025, 3, 10))
    assert len(march.hotspots) == 17 and M.FIREWORKS not in march.source.measures
    assert (march.valid_from, march.valid_until) == (dt.date(2025, 3, 4), dt.date(2025, 9, 3))
    pending = PublicationStep.objects.filter(amendment__order=order, done_on__isnull=True)
    assert [(s.kind, s.commune.nis_code) for s in pending] == [(Step.POSTED, "21013")]
    (history,) = [h for h in histories(csir_coordinator, dt.date(2025, 3, 10)) if h.order == order]
    assert history.amendments[0].appeal_until == dt.date(2025, 4, 29)
    assert remind_pending_steps(on=dt.date(2026, 12, 7)) == 1
    assert Notification.objects.get(kind="order_step_pending").recipient == mayor_saint_gilles
