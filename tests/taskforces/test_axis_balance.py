"""The balance of the three axes (issue 15, item 2): shares per axis, the silence and
dominance warnings, the police-judicial rule, the query count, and where it is shown
(the regional overview, the task force's page, the report's snapshot and PDF)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db.models import Avg, Count, Sum
from django.urls import reverse
from django.utils import timezone, translation
from django.utils.html import escape

from coordination.models import Axis
from hotspots.models import Hotspot
from reporting import render, snapshot
from taskforces.models import Action, ActionPlan, ActionUpdate, TaskForce
from taskforces.selectors import balance
from taskforces.selectors.balance import DOMINANT, SILENT, balances_for, describe
from tests.factories import HotspotFactory, UserFactory
from tests.factories_taskforces import ActionFactory, ActionPlanFactory, TaskForceFactory

pytestmark = pytest.mark.django_db

PJ = Action.Confidentiality.POLICE_JUDICIAL
SECURITY, PREVENTION, NEIGHBOURHOOD = Axis.SECURITY, Axis.PREVENTION, Axis.NEIGHBOURHOOD


# --- Building task forces whose history is known ------------------------------------------


def started(taskforce: TaskForce, weeks: float) -> TaskForce:
    """Move the task force's creation ``weeks`` back (the silence clock starts there)."""
    TaskForce.objects.filter(pk=taskforce.pk).update(
        created_at=timezone.now() - dt.timedelta(weeks=weeks)
    )
    return taskforce


def plan_for(hotspot: Hotspot, *, weeks: float = 20) -> ActionPlan:
    """A task force that started ``weeks`` ago, with its plan."""
    taskforce = started(TaskForceFactory(hotspot=hotspot), weeks)
    return ActionPlanFactory(taskforce=taskforce)


def axis_actions(plan: ActionPlan, **progress: int) -> dict[str, Action]:
    """One action per axis (progress by axis name, 0 by default)."""
    return {
        axis: ActionFactory(plan=plan, axis=axis, progress=progress.get(axis, 0))
        for axis in Axis.values
    }


def update(action: Action, *, weeks_ago: float, author, confidentiality: str = "") -> ActionUpdate:
    """An update on ``action`` posted ``weeks_ago`` weeks ago (``at`` is auto_now_add)."""
    row = ActionUpdate.objects.create(
        action=action,
        author=author,
        agency=author.agency,
        comment="Suivi",
        confidentiality=confidentiality or action.confidentiality,
    )
    ActionUpdate.objects.filter(pk=row.pk).update(at=timezone.now() - dt.timedelta(weeks=weeks_ago))
    return row


@pytest.fixture
def author(db):
    return UserFactory(username="author")


@pytest.fixture
def unbalanced(hotspot_midi, author) -> ActionPlan:
    """Only Security moved for 8 weeks: an update a week on its action, nothing else."""
    plan = plan_for(hotspot_midi)
    actions = axis_actions(plan, security=60, prevention=10, neighbourhood=10)
    for week in range(8):
        update(actions[SECURITY], weeks_ago=week + 0.5, author=author)
    return plan


@pytest.fixture
def balanced(hotspot_molenbeek, author) -> ActionPlan:
    """Every axis updated every two weeks."""
    plan = plan_for(hotspot_molenbeek)
    actions = axis_actions(plan, security=40, prevention=50, neighbourhood=30)
    for axis in Axis.values:
        for week in (0.5, 2.5, 4.5, 6.5):
            update(actions[axis], weeks_ago=week, author=author)
    return plan


def balance_of(user, plan: ActionPlan) -> balance.Balance:
    return balances_for(user, [plan.taskforce_id])[plan.taskforce_id]


# --- The warnings -------------------------------------------------------------------------


def test_an_unbalanced_task_force_fires_both_warnings(unbalanced, csir_coordinator):
    result = balance_of(csir_coordinator, unbalanced)
    assert result.codes() == {
        (SILENT, PREVENTION),
        (SILENT, NEIGHBOURHOOD),
        (DOMINANT, SECURITY),
    }
    silent = next(w for w in result.warnings if w.code == SILENT)
    # Never updated: silent since the task force started, 20 weeks ago.
    assert silent.never and silent.weeks == 20 and silent.limit == 4
    dominant = next(w for w in result.warnings if w.code == DOMINANT)
    assert (dominant.share, dominant.limit, dominant.weeks) == (100, 60, 8)
    assert result.axis(SECURITY).updates == 8 and result.updates == 8


def test_a_balanced_task_force_fires_none(balanced, csir_coordinator):
    result = balance_of(csir_coordinator, balanced)
    assert result.warnings == []
    assert [a.updates_pct for a in result.axes] == [33, 33, 33]


def test_the_silence_threshold(hotspot_midi, csir_coordinator, author, settings):
    plan = plan_for(hotspot_midi)
    actions = axis_actions(plan)
    update(actions[SECURITY], weeks_ago=1, author=author)
    update(actions[PREVENTION], weeks_ago=5.2, author=author)  # beyond 4 weeks: silent
    update(actions[NEIGHBOURHOOD], weeks_ago=3.5, author=author)  # within 4 weeks: fine
    result = balance_of(csir_coordinator, plan)
    silent = [w for w in result.warnings if w.code == SILENT]
    assert [(w.axis, w.weeks, w.never) for w in silent] == [(PREVENTION, 5, False)]

    settings.AXIS_SILENCE_WEEKS = 6
    assert not [w for w in balance_of(csir_coordinator, plan).warnings if w.code == SILENT]
    settings.AXIS_SILENCE_WEEKS = 3
    silent_axes = {w.axis for w in balance_of(csir_coordinator, plan).warnings if w.code == SILENT}
    assert silent_axes == {PREVENTION, NEIGHBOURHOOD}


def test_a_task_force_that_just_started_is_not_silent(hotspot_midi, csir_coordinator):
    plan = plan_for(hotspot_midi, weeks=2)
    axis_actions(plan)
    assert balance_of(csir_coordinator, plan).warnings == []


def test_a_closed_hotspot_keeps_its_figures_but_no_warning(unbalanced, csir_coordinator):
    Hotspot.objects.filter(pk=unbalanced.taskforce.hotspot_id).update(status=Hotspot.Status.CLOSED)
    result = balance_of(csir_coordinator, unbalanced)
    assert result.warnings == []
    assert result.axis(SECURITY).updates == 8


def test_the_shares_equal_the_rows(hotspot_midi, csir_coordinator, author):
    plan = plan_for(hotspot_midi)
    actions = axis_actions(plan, security=80, prevention=30, neighbourhood=0)
    ActionFactory(plan=plan, axis=SECURITY, progress=20)
    ActionFactory(plan=plan, axis=PREVENTION, progress=90, status=Action.Status.CANCELLED)
    for weeks_ago in (0.2, 1, 2, 3, 9, 12):  # two of them are older than the window
        update(actions[SECURITY], weeks_ago=weeks_ago, author=author)
    for weeks_ago in (0.5, 7.5):
        update(actions[PREVENTION], weeks_ago=weeks_ago, author=author)
    update(actions[NEIGHBOURHOOD], weeks_ago=1.5, author=author)

    result = balance_of(csir_coordinator, plan)

    start = timezone.now() - dt.timedelta(weeks=8)
    live = Action.objects.filter(plan=plan).exclude(status=Action.Status.CANCELLED)
    per_axis = {
        row["axis"]: row
        for row in live.values("axis").annotate(
            n=Count("pk"), mean=Avg("progress"), sum=Sum("progress")
        )
    }
    recent = dict(
        ActionUpdate.objects.filter(action__plan=plan, at__gt=start)
        .values_list("action__axis")
        .annotate(n=Count("pk"))
    )
    total_actions = live.count()
    total_points = sum(row["sum"] for row in per_axis.values())
    total_updates = sum(recent.values())
    assert (result.actions, result.updates) == (total_actions, total_updates) == (4, 7)
    for figures in result.axes:
        row = per_axis[figures.axis]
        assert figures.actions == row["n"]
        assert figures.actions_pct == round(100 * row["n"] / total_actions)
        assert figures.progress == round(row["mean"])
        assert figures.points == row["sum"]
        assert figures.points_pct == round(100 * row["sum"] / total_points)
        assert figures.updates == recent.get(figures.axis, 0)
        assert figures.updates_pct == round(100 * recent.get(figures.axis, 0) / total_updates)
    assert [a.updates for a in result.axes] == [4, 2, 1]
    assert result.axis(SECURITY).progress == 50  # (80 + 20) / 2; the cancelled one is out
    assert result.axis(SECURITY).last_update is not None


def test_the_settings_are_respected(hotspot_midi, csir_coordinator, author, settings):
    """The window (AXIS_BALANCE_WEEKS) and the dominance share (AXIS_DOMINANCE_SHARE)."""
    plan = plan_for(hotspot_midi)
    actions = axis_actions(plan)
    # 7 of 10 updates in the window on Security: 70 %.
    for weeks_ago in (0.5, 1, 1.5, 2.5, 3, 4, 5):
        update(actions[SECURITY], weeks_ago=weeks_ago, author=author)
    for axis in (PREVENTION, NEIGHBOURHOOD):
        update(actions[axis], weeks_ago=1, author=author)
    update(actions[PREVENTION], weeks_ago=3, author=author)
    result = balance_of(csir_coordinator, plan)
    assert result.codes() == {(DOMINANT, SECURITY)}
    assert result.warnings[0].share == 70

    settings.AXIS_DOMINANCE_SHARE = 0.75
    assert balance_of(csir_coordinator, plan).warnings == []

    settings.AXIS_BALANCE_WEEKS = 2
    result = balance_of(csir_coordinator, plan)
    assert result.window_weeks == 2
    assert [a.updates for a in result.axes] == [3, 1, 1]
    assert result.codes() == set()  # 3 of 5 = 60 %, not more than 75 %


def test_the_settings_fail_loudly_on_bad_values(monkeypatch):
    import importlib

    import coordination.settings.base as base

    for name, value in (
        ("AXIS_DOMINANCE_SHARE", "0.3"),
        ("AXIS_DOMINANCE_SHARE", "much"),
        ("AXIS_SILENCE_WEEKS", "0"),
        ("AXIS_BALANCE_WEEKS", "500"),
    ):
        with monkeypatch.context() as patch:
            patch.setenv(name, value)
            with pytest.raises(ValueError, match=name):
                importlib.reload(base)
    importlib.reload(base)


def test_the_warnings_are_codes_worded_in_the_readers_language(unbalanced, csir_coordinator):
    result = balance_of(csir_coordinator, unbalanced)
    frozen = result.as_json()
    assert {w["code"] for w in frozen["warnings"]} == {SILENT, DOMINANT}
    assert all(
        set(w) == {"code", "axis", "weeks", "limit", "share", "never"} for w in frozen["warnings"]
    )
    dominant = next(w for w in frozen["warnings"] if w["code"] == DOMINANT)
    with translation.override("en"):
        english = describe(dominant)
    with translation.override("fr"):
        french = describe(dominant)
    assert english.startswith("Security carries 100%")
    assert french.startswith("Sécurité") and "100\u202f%" in french


# --- The police-judicial rule -------------------------------------------------------------


@pytest.fixture
def secret_security(cast, author) -> ActionPlan:
    """The Midi task force whose Security axis moved only through police-judicial items:
    the confidential action's updates, and a confidential update on the public action."""
    started(cast.taskforce, 20)
    for weeks_ago in (0.5, 1.5, 2.5, 3.5):
        update(cast.secret, weeks_ago=weeks_ago, author=cast.police)
    update(cast.security, weeks_ago=1, author=cast.police, confidentiality=PJ)
    for action in (cast.prevention, cast.neighbourhood):
        update(action, weeks_ago=1, author=author)
    return cast.plan


def test_police_judicial_items_are_left_out_for_outsiders(
    secret_security, cast, csir_analyst, cores_member, csir_coordinator
):
    for outsider in (csir_analyst, cores_member, cast.association, cast.chair):
        result = balance_of(outsider, secret_security)
        security = result.axis(SECURITY)
        assert (security.actions, security.updates, security.last_update) == (1, 0, None)
        assert result.actions == 3 and result.updates == 2
        assert result.axis(SECURITY).progress == 0  # the confidential 80 % is not counted
        # Outsiders see the axis silent: nothing tells them the circle was at work.
        assert (SILENT, SECURITY) in result.codes()
    for insider in (csir_coordinator, cast.police, cast.prosecutor):
        result = balance_of(insider, secret_security)
        security = result.axis(SECURITY)
        assert (security.actions, security.updates) == (2, 5)
        assert result.actions == 4 and result.updates == 7
        assert result.axis(SECURITY).progress == 40
        assert result.codes() == {(DOMINANT, SECURITY)}


def test_the_report_counts_them_in_the_police_judicial_version_only(secret_security, cast):
    cores = balance.balances_for_audience([cast.taskforce.pk], police_judicial=False)
    circle = balance.balances_for_audience([cast.taskforce.pk], police_judicial=True)
    assert cores[cast.taskforce.pk].axis(SECURITY).updates == 0
    assert circle[cast.taskforce.pk].axis(SECURITY).updates == 5


# --- A fixed number of queries ------------------------------------------------------------


def _region(count: int, start: int, author) -> list[int]:
    ids = []
    for n in range(count):
        plan = plan_for(HotspotFactory(code=f"B{start + n:03d}", communes=["21001"]))
        actions = axis_actions(plan, security=n % 100)
        ActionFactory(plan=plan, axis=SECURITY, confidentiality=PJ)
        for axis in (SECURITY, PREVENTION):
            update(actions[axis], weeks_ago=n % 10, author=author)
        ids.append(plan.taskforce_id)
    return ids


@pytest.mark.parametrize("who", ["csir_coordinator", "csir_analyst", "mayor_anderlecht"])
def test_the_query_count_does_not_grow_with_the_task_forces(
    request, who, author, django_assert_num_queries
):
    user = request.getfixturevalue(who)
    small = _region(2, 0, author)
    balances_for(user, small)  # warm the content-type cache
    with django_assert_num_queries(3):
        assert len(balances_for(user, small)) == 2
    large = small + _region(25, 2, author)
    with django_assert_num_queries(3):
        result = balances_for(user, large)
    assert len(result) == 27
    assert balances_for(user, []) == {}


# --- Where it is shown ----------------------------------------------------------------------


def _warning_texts(result: balance.Balance) -> list[str]:
    return [escape(w.text) for w in result.warnings]


def test_the_overview_shows_the_warning_as_text_with_a_link(
    client, unbalanced, balanced, csir_coordinator
):
    client.force_login(csir_coordinator)
    response = client.get(reverse("overview:page"))
    html = response.content.decode()
    rows = {row.hotspot.code: row for row in response.context["overview"].rows}
    assert rows["HS10"].balance.codes() == {
        (SILENT, PREVENTION),
        (SILENT, NEIGHBOURHOOD),
        (DOMINANT, SECURITY),
    }
    assert rows["HS12"].balance.warnings == []
    assert response.context["overview"].imbalanced == 1
    assert "1 task force with an axis-balance warning" in html
    for text in _warning_texts(rows["HS10"].balance):
        assert text in html
    assert "Security carries 100% of the updates of the last 8 weeks (more than 60%)." in html
    assert html.count('class="ov-balance-warning"') == 3
    assert f'href="/taskforces/{unbalanced.taskforce_id}/#axis-balance"' in html
    assert "No axis-balance warning" in html  # the balanced one says so in words


def test_the_overview_keeps_police_judicial_items_from_outsiders(
    client, secret_security, cast, csir_analyst, csir_coordinator
):
    client.force_login(csir_analyst)
    row = client.get(reverse("overview:page")).context["overview"].rows[0]
    assert row.balance.axis(SECURITY).updates == 0
    assert (SILENT, SECURITY) in row.balance.codes()
    client.force_login(csir_coordinator)
    row = client.get(reverse("overview:page")).context["overview"].rows[0]
    assert row.balance.axis(SECURITY).updates == 5


def test_a_reader_who_cannot_open_the_task_force_gets_no_link(client, unbalanced, cores_member):
    client.force_login(cores_member)
    response = client.get(reverse("overview:page"))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Security carries 100%" in html
    assert "#axis-balance" not in html


def test_the_task_force_page_shows_the_balance_section(client, unbalanced, csir_coordinator):
    client.force_login(csir_coordinator)
    response = client.get(reverse("taskforces:detail", args=[unbalanced.taskforce_id]))
    html = response.content.decode()
    assert 'id="axis-balance"' in html and "Balance of the axes" in html
    for text in _warning_texts(response.context["balance"]):
        assert text in html
    assert "Prevention: no update since the task force started, 20 weeks ago." in html
    assert "8 updates (100%)" in html


def test_the_task_force_page_for_a_member_outside_the_circle(client, secret_security, cast):
    client.force_login(cast.association)
    response = client.get(reverse("taskforces:detail", args=[cast.taskforce.pk]))
    security = response.context["balance"].axis(SECURITY)
    assert (security.actions, security.updates) == (1, 0)
    client.force_login(cast.police)
    response = client.get(reverse("taskforces:detail", args=[cast.taskforce.pk]))
    assert response.context["balance"].axis(SECURITY).updates == 5


# --- The report ----------------------------------------------------------------------------


def _snapshot(audience: str, **extra) -> dict:
    today = timezone.localdate()
    return snapshot.build(
        kind="regional",
        hotspot_id=None,
        period_start=today - dt.timedelta(days=60),
        period_end=today,
        audience=audience,
        **extra,
    )


def test_the_snapshot_freezes_the_figures_and_the_codes(unbalanced, balanced):
    data = _snapshot("cores")
    midi = next(h for h in data["hotspots"] if h["code"] == "HS10")
    frozen = midi["balance"]
    assert frozen["window_weeks"] == 8 and frozen["silence_weeks"] == 4
    assert frozen["dominance_pct"] == 60
    assert [a["updates"] for a in frozen["axes"]] == [8, 0, 0]
    assert [a["progress"] for a in frozen["axes"]] == [60, 10, 10]
    assert {(w["code"], w["axis"]) for w in frozen["warnings"]} == {
        (SILENT, PREVENTION),
        (SILENT, NEIGHBOURHOOD),
        (DOMINANT, SECURITY),
    }
    # Codes and figures, never a sentence.
    assert "carries" not in str(frozen)
    molenbeek = next(h for h in data["hotspots"] if h["code"] == "HS12")
    assert molenbeek["balance"]["warnings"] == []


def test_the_snapshot_speaks_of_the_report_date(unbalanced):
    """A report on an earlier period measures the window before that period's end."""
    today = timezone.localdate()
    data = snapshot.build(
        kind="regional",
        hotspot_id=None,
        period_start=today - dt.timedelta(weeks=10),
        period_end=today - dt.timedelta(weeks=4),
        audience="cores",
    )
    frozen = next(h for h in data["hotspots"] if h["code"] == "HS10")["balance"]
    # Of the 8 weekly updates (0.5 to 7.5 weeks ago), those up to 4 weeks ago: 4.
    assert frozen["axes"][0]["updates"] == 4


def test_the_cores_version_leaves_police_judicial_items_out(secret_security, cast):
    cores = next(h for h in _snapshot("cores")["hotspots"] if h["code"] == "HS10")
    circle = next(h for h in _snapshot("police_judicial")["hotspots"] if h["code"] == "HS10")
    assert cores["balance"]["axes"][0]["updates"] == 0
    assert cores["balance"]["actions"] == 3
    assert circle["balance"]["axes"][0]["updates"] == 5
    assert circle["balance"]["actions"] == 4


@pytest.mark.parametrize("language", ["fr", "nl"])
def test_the_report_shows_a_table_per_task_force_with_its_warnings(unbalanced, balanced, language):
    data = _snapshot("cores")
    html = render.render_html(data, language=language)
    midi = next(h for h in data["hotspots"] if h["code"] == "HS10")
    with translation.override(language):
        texts = [escape(describe(w)) for w in midi["balance"]["warnings"]]
        heading = escape(str(translation.gettext("Balance of the axes")))
        axis = str(Axis.PREVENTION.label)
    for text in texts:
        # Once in the regional summary, once in the hotspot's chapter.
        assert html.count(text) == 2
    assert html.count(heading) >= 3  # summary + one table per task force
    assert escape(axis) in html
    assert html.count('class="data keep balance"') == 2


def test_a_snapshot_frozen_before_the_balance_still_renders(unbalanced):
    data = _snapshot("cores")
    for hotspot in data["hotspots"]:
        del hotspot["balance"]
    html = render.render_html(data, language="fr")
    assert 'class="data keep balance"' not in html


def test_the_report_pdf_renders_with_the_balance(unbalanced):
    pdf, pages = render.render_pdf(_snapshot("police_judicial"), language="nl")
    assert pdf.startswith(b"%PDF") and pages >= 2
