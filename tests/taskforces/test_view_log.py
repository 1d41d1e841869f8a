"""Every view of a police-judicial item is recorded, wherever it is shown (DESIGN.md §5).

``coordination.audit.viewlog``: the views hand what they show to ``shown``; the middleware
writes the police-judicial items among them in one insert, after a response that showed
them. Each place is tried as a member of the circle (recorded, with the place), as a member
outside it (sees nothing, nothing recorded) and refused (nothing recorded); the query count
of each page does not grow with the number of police-judicial items.
"""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.auth.models import AnonymousUser
from django.core.files.base import ContentFile
from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coordination.audit import viewlog
from coordination.models import AuditEntry, Axis
from reporting.models import Report
from taskforces.models import Action, ActionUpdate, PlanVersion
from taskforces.selectors import plans as plan_selectors
from taskforces.services import actions as action_services
from tests.factories_taskforces import (
    ActionFactory,
    ActionUpdateFactory,
    EscalationFactory,
    MeetingFactory,
)

pytestmark = pytest.mark.django_db

PJ = Action.Confidentiality.POLICE_JUDICIAL
HTMX = {"HTTP_HX_REQUEST": "true"}


def views() -> list[AuditEntry]:
    return list(AuditEntry.objects.filter(action=viewlog.VIEW_ACTION).order_by("pk"))


def seen(person) -> set[tuple[str, str, str]]:
    """(model, id, place) of every view recorded for ``person``; each entry checked whole."""
    entries = [entry for entry in views() if entry.actor_id == person.pk]
    assert all(entry.police_judicial for entry in entries)
    assert all(set(entry.changes) == {"via"} for entry in entries)
    return {(e.target_type.model, e.target_id, e.changes["via"]) for e in entries}


def action(item, via: str) -> tuple[str, str, str]:
    return ("action", str(item.pk), via)


def update(item, via: str) -> tuple[str, str, str]:
    return ("actionupdate", str(item.pk), via)


def late(*actions: Action) -> None:
    Action.objects.filter(pk__in=[a.pk for a in actions]).update(
        due_on=timezone.localdate() - dt.timedelta(days=3)
    )


def secrets(cast, count: int, **fields) -> list[Action]:
    """More police-judicial actions led by the police (late and blocked: shown everywhere)."""
    return [
        ActionFactory(
            plan=cast.plan,
            axis=Axis.SECURITY,
            title=f"Dossier judiciaire {n}",
            lead_agency=cast.police.agency,
            confidentiality=PJ,
            status=Action.Status.BLOCKED,
            due_on=timezone.localdate() - dt.timedelta(days=2),
            **fields,
        )
        for n in range(count)
    ]


def inserts(queries) -> int:
    return sum(
        1
        for query in queries.captured_queries
        if query["sql"].startswith("INSERT") and AuditEntry._meta.db_table in query["sql"]
    )


def measure(client, url: str, **extra) -> tuple[int, int]:
    """(queries, audit inserts) of one successful GET."""
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, **extra)
    assert response.status_code == 200
    return len(queries), inserts(queries)


# --- The task-force page -----------------------------------------------------------------


def test_the_task_force_page_records_the_police_judicial_actions_it_lists(client, cast):
    late(cast.secret, cast.security)
    url = reverse("taskforces:detail", args=[cast.taskforce.pk])
    client.force_login(cast.association)
    page = client.get(url).content.decode()
    assert cast.security.title in page and cast.secret.title not in page
    assert views() == []
    client.force_login(cast.police)
    assert cast.secret.title in client.get(url).content.decode()
    assert seen(cast.police) == {action(cast.secret, "taskforce_page")}


def test_an_item_shown_twice_on_a_page_is_recorded_once(client, cast):
    late(cast.secret)
    Action.objects.filter(pk=cast.secret.pk).update(status=Action.Status.BLOCKED)
    client.force_login(cast.police)
    page = client.get(reverse("taskforces:detail", args=[cast.taskforce.pk])).content.decode()
    assert page.count(cast.secret.title) == 2  # late, and blocked
    assert len(views()) == 1


# --- The plan: page, export, versions ------------------------------------------------------


def test_the_plan_page_records_the_police_judicial_actions(client, cast):
    url = reverse("taskforces:plan", args=[cast.taskforce.pk])
    client.force_login(cast.association)
    assert cast.secret.title not in client.get(url).content.decode()
    assert views() == []
    client.force_login(cast.prosecutor)
    assert cast.secret.title in client.get(url).content.decode()
    assert seen(cast.prosecutor) == {action(cast.secret, "plan_page")}


def test_the_plan_export_records_each_police_judicial_action_exported(client, cast):
    more = secrets(cast, 2)
    url = reverse("taskforces:plan_export", args=[cast.taskforce.pk])
    client.force_login(cast.association)
    assert cast.secret.title not in client.get(url).content.decode()
    assert views() == []
    client.force_login(cast.police)
    assert cast.secret.title in client.get(url).content.decode()
    assert seen(cast.police) == {action(a, "plan_export") for a in [cast.secret, *more]}


def test_a_plan_version_records_the_frozen_police_judicial_actions(client, cast):
    frozen = [plan_selectors.action_snapshot(a) for a in (cast.security, cast.secret)]
    version = PlanVersion.objects.create(
        plan=cast.plan,
        number=2,
        state=PlanVersion.State.VALIDATED,
        snapshot={"actions": frozen},
    )
    url = reverse("taskforces:plan_version", args=[version.pk])
    client.force_login(cast.association)
    assert cast.secret.title not in client.get(url).content.decode()
    assert views() == []
    client.force_login(cast.police)
    assert cast.secret.title in client.get(url).content.decode()
    assert seen(cast.police) == {action(cast.secret, "plan_version")}
    (entry,) = views()
    assert entry.target_repr == cast.secret.title


# --- My actions, and its htmx partial ------------------------------------------------------


def test_my_actions_and_its_partial_record_the_police_judicial_actions(client, cast):
    url = reverse("taskforces:my_actions")
    client.force_login(cast.association)
    assert cast.secret.title not in client.get(url).content.decode()
    assert views() == []
    client.force_login(cast.police)
    assert cast.secret.title in client.get(url).content.decode()
    assert seen(cast.police) == {action(cast.secret, "my_actions")}
    partial = client.get(url, {"status": "planned"}, **HTMX)
    assert cast.secret.title in partial.content.decode()
    assert "<html" not in partial.content.decode()
    assert len(views()) == 2  # each view is recorded, the partial's too
    client.get(url, {"status": "done"}, **HTMX)  # the action is filtered out
    assert len(views()) == 2


# --- The action page: police-judicial updates and notes -------------------------------------


def test_a_police_judicial_note_on_an_ordinary_action_is_recorded_alone(client, cast):
    action_services.action_comment(
        action=cast.security, by=cast.police, comment="Ordinary word.", police_judicial=False
    )
    action_services.action_comment(
        action=cast.security, by=cast.police, comment="Piste du réseau.", police_judicial=True
    )
    note = ActionUpdate.objects.get(comment="Piste du réseau.")
    url = reverse("taskforces:action", args=[cast.security.pk])
    client.force_login(cast.association)
    page = client.get(url).content.decode()
    assert "Ordinary word." in page and "Piste du réseau." not in page
    assert views() == []
    client.force_login(cast.prosecutor)
    assert "Piste du réseau." in client.get(url).content.decode()
    assert seen(cast.prosecutor) == {update(note, "action_page")}


def test_a_police_judicial_action_is_recorded_with_each_of_its_updates(client, cast):
    updates = ActionUpdateFactory.create_batch(2, action=cast.secret, author=cast.police)
    client.force_login(cast.prosecutor)
    response = client.get(reverse("taskforces:action", args=[cast.secret.pk]))
    assert response.status_code == 200
    expected = {action(cast.secret, "action_page")} | {update(u, "action_page") for u in updates}
    assert seen(cast.prosecutor) == expected


def test_the_htmx_partial_after_a_status_change_is_recorded(client, cast):
    client.force_login(cast.police)
    response = client.post(
        reverse("taskforces:action_status", args=[cast.secret.pk]),
        {"status": "in_progress", "progress": "85", "revision": str(cast.secret.revision)},
        **HTMX,
    )
    assert response.status_code == 200 and "<html" not in response.content.decode()
    recorded = seen(cast.police)
    assert action(cast.secret, "action_page") in recorded
    assert {via for _m, _pk, via in recorded} == {"action_page"}


def test_refused_requests_record_nothing(client, cast, csir_analyst):
    for outsider in (cast.association, csir_analyst):
        client.force_login(outsider)
        for name in ("taskforces:action", "taskforces:action_edit"):
            assert client.get(reverse(name, args=[cast.secret.pk])).status_code == 404
    client.force_login(cast.prosecutor)  # in the circle, but does not lead the action
    assert client.get(reverse("taskforces:action_edit", args=[cast.secret.pk])).status_code == 403
    assert client.get(reverse("taskforces:action", args=[999_999])).status_code == 404
    assert views() == []


def test_the_edit_conflict_page_shows_and_records_the_current_values(client, cast):
    client.force_login(cast.police)
    url = reverse("taskforces:action_edit", args=[cast.secret.pk])
    assert client.get(url).status_code == 200
    assert seen(cast.police) == {action(cast.secret, "action_form")}
    stale = {
        "title": "Autre titre",
        "axis": "security",
        "lead_agency": str(cast.police.agency.pk),
        "due_on": (timezone.localdate() + dt.timedelta(days=9)).isoformat(),
        "horizon": "short",
        "deliverable": "Rapport",
        "confidentiality": PJ,
        "revision": "0",
    }
    response = client.post(url, stale)
    assert response.status_code == 409
    assert cast.secret.title in response.content.decode()
    assert len(views()) == 2


# --- Home page, escalations, meetings -------------------------------------------------------


def test_the_home_page_records_the_police_judicial_actions_of_its_panels(
    client, cast, csir_coordinator, csir_analyst
):
    late(cast.secret)
    EscalationFactory(action=cast.secret, raised_by=cast.police)
    client.force_login(cast.association)
    assert cast.secret.title not in client.get(reverse("home:index")).content.decode()
    client.force_login(csir_analyst)  # the CSIR panel, without police-judicial items
    assert cast.secret.title not in client.get(reverse("home:index")).content.decode()
    assert views() == []
    for person in (cast.police, csir_coordinator):
        client.force_login(person)
        assert cast.secret.title in client.get(reverse("home:index")).content.decode()
        assert seen(person) == {action(cast.secret, "home")}


def test_the_escalations_page_records_the_police_judicial_actions(
    client, cast, csir_coordinator, csir_analyst
):
    EscalationFactory(action=cast.secret, raised_by=cast.police)
    url = reverse("taskforces:escalations")
    client.force_login(csir_analyst)
    assert cast.secret.title not in client.get(url).content.decode()
    assert views() == []
    client.force_login(csir_coordinator)
    assert cast.secret.title in client.get(url).content.decode()
    assert seen(csir_coordinator) == {action(cast.secret, "escalations")}


def test_a_meeting_decision_naming_a_police_judicial_action_is_recorded(client, cast):
    meeting = MeetingFactory(taskforce=cast.taskforce, created_by=cast.coordinator)
    meeting.decisions.create(
        text="Poursuivre l'enquête.", action=cast.secret, created_by=cast.police
    )
    url = reverse("taskforces:meeting", args=[meeting.pk])
    client.force_login(cast.association)
    page = client.get(url).content.decode()
    assert "Poursuivre" in page and cast.secret.title not in page
    client.force_login(cast.chair)  # runs the meeting, outside the circle: not in the form
    assert cast.secret.title not in client.get(url).content.decode()
    assert views() == []
    client.force_login(cast.police)
    assert cast.secret.title in client.get(url).content.decode()
    assert seen(cast.police) == {action(cast.secret, "meeting_page")}


# --- Report versions ------------------------------------------------------------------------


def _report(*, audience: str, pdf: bool = True) -> Report:
    today = timezone.localdate()
    report = Report(
        kind=Report.Kind.REGIONAL,
        scope="region",
        period_start=today - dt.timedelta(days=30),
        period_end=today,
        language="fr",
        audience=audience,
        version=Report.objects.count() + 1,
        status=Report.Status.READY,
        sha256="174b829f884fbfafa0e0e55021551ea08e774431d7b0dec855cf3230ad84b683",
    )
    if pdf:
        report.pdf.save("test.pdf", ContentFile(b"%PDF-1.4 stand-in"), save=False)
    report.save()
    return report


def test_downloading_a_police_judicial_report_is_recorded(
    client, settings, tmp_path, csir_coordinator, police_member
):
    settings.MEDIA_ROOT = tmp_path
    pj = _report(audience=Report.Audience.POLICE_JUDICIAL)
    cores = _report(audience=Report.Audience.CORES)
    missing = _report(audience=Report.Audience.POLICE_JUDICIAL, pdf=False)
    client.force_login(police_member)  # not the regional police-judicial version's reader
    assert client.get(reverse("reporting:download", args=[pj.pk])).status_code == 404
    client.force_login(csir_coordinator)
    assert client.get(reverse("reporting:download", args=[missing.pk])).status_code == 404
    assert client.get(reverse("reporting:download", args=[cores.pk])).status_code == 200
    assert views() == []
    response = client.get(reverse("reporting:download", args=[pj.pk]))
    assert b"".join(response.streaming_content).startswith(b"%PDF")
    assert seen(csir_coordinator) == {("report", str(pj.pk), "report_pdf")}


# --- Only what was shown, once, after a response that showed it ---------------------------


@pytest.mark.parametrize("status", [302, 400, 403, 404, 500])
def test_nothing_is_recorded_for_a_response_that_showed_nothing(cast, status):
    request = RequestFactory().get("/")
    request.user = cast.police
    viewlog.shown(request, [cast.secret, cast.security], via=viewlog.VIA_PLAN_PAGE)
    assert viewlog.flush(request, HttpResponse(status=status)) == 0
    assert views() == []


def test_only_police_judicial_items_are_kept_and_each_once(cast):
    note = ActionUpdateFactory(action=cast.security, author=cast.police, confidentiality=PJ)
    plain = ActionUpdateFactory(action=cast.security, author=cast.police)
    request = RequestFactory().get("/")
    request.user = cast.police
    viewlog.shown(request, [cast.security, plain, note, None], via=viewlog.VIA_ACTION_PAGE)
    viewlog.shown(request, [cast.secret, note], via=viewlog.VIA_PLAN_PAGE)
    assert viewlog.flush(request, HttpResponse()) == 2
    assert seen(cast.police) == {update(note, "action_page"), action(cast.secret, "plan_page")}
    assert viewlog.flush(request, HttpResponse()) == 0  # written once


def test_a_view_without_a_session_is_recorded_for_the_person_named(cast):
    """A secret calendar address is polled without a session: the feed names its owner."""
    request = RequestFactory().get("/")
    request.user = AnonymousUser()
    viewlog.shown(request, [cast.secret], via=viewlog.VIA_CALENDAR)
    assert viewlog.flush(request, HttpResponse()) == 0  # nobody to record
    viewlog.shown(request, [cast.secret], via=viewlog.VIA_CALENDAR, actor=cast.prosecutor)
    assert viewlog.flush(request, HttpResponse()) == 1
    assert seen(cast.prosecutor) == {action(cast.secret, "calendar")}


# --- Query counts: fixed, whatever the number of police-judicial items -----------------------


def test_pages_do_not_grow_with_the_police_judicial_items_they_record(client, cast):
    MeetingFactory(taskforce=cast.taskforce, created_by=cast.coordinator)
    late(cast.secret)
    updates = ActionUpdateFactory.create_batch(2, action=cast.secret, author=cast.police)
    client.force_login(cast.police)
    urls = [
        reverse("taskforces:detail", args=[cast.taskforce.pk]),
        reverse("taskforces:plan", args=[cast.taskforce.pk]),
        reverse("taskforces:my_actions"),
        reverse("taskforces:plan_export", args=[cast.taskforce.pk]),
        reverse("taskforces:action", args=[cast.secret.pk]),
        reverse("home:index"),
    ]
    secrets(cast, 1)
    for url in urls:  # warm up the process's caches (content types, permissions)
        client.get(url)
    small = {url: measure(client, url) for url in urls}
    before = len(views())
    secrets(cast, 18)
    updates += ActionUpdateFactory.create_batch(18, action=cast.secret, author=cast.police)
    large = {url: measure(client, url) for url in urls}
    assert small == large
    assert all(count == 1 for _queries, count in large.values())  # one insert per page
    # The large round recorded every item shown: 20 actions on the lists, the action page
    # its action and 20 updates, the home page its first 10 (the panel's length), the task
    # force page the first 10 of its late list and of its blocked list (the same 20
    # actions are both: 11 distinct ones, by due date).
    written = views()[before:]
    by_place: dict[str, int] = {}
    for entry in written:
        by_place[entry.changes["via"]] = by_place.get(entry.changes["via"], 0) + 1
    assert by_place == {
        "taskforce_page": 11,
        "plan_page": 20,
        "my_actions": 20,
        "plan_export": 20,
        "action_page": 21,
        "home": 10,
    }


# --- The CSIR coordinator reads where each item was seen --------------------------------------


def test_the_audit_page_says_where_an_item_was_seen(client, cast, csir_coordinator):
    client.force_login(cast.police)
    client.get(reverse("taskforces:plan_export", args=[cast.taskforce.pk]))
    client.force_login(csir_coordinator)
    response = client.get(reverse("audit:list"), {"views_only": "on"})
    (entry,) = response.context["page"].object_list
    place = viewlog.via_label(viewlog.VIA_PLAN_EXPORT)
    assert [line.new for line in entry.lines] == [place]
    assert place in response.content.decode()
