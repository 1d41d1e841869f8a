"""The audit trail page: the CSIR coordinator's alone, readable, filterable, paginated."""

from __future__ import annotations

import datetime as dt

import pytest
from django.contrib.contenttypes.models import ContentType
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from coordination.audit import services as audit
from coordination.audit.selectors import change_lines
from coordination.audit.viewlog import record_view
from coordination.models import AuditEntry
from hotspots.models import Hotspot

pytestmark = pytest.mark.django_db
URL = "/audit/"


def at(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(12, 0)))


@pytest.fixture
def trail(hotspot_midi, hotspot_molenbeek, csir_analyst, mayor_anderlecht, police_member):
    """Three changes on two hotspots by two people, and one view of a police-judicial item."""
    entries = [
        audit.record(
            actor=csir_analyst,
            action="hotspot.request_approval",
            target=hotspot_midi,
            changes={"status": ["proposed", "awaiting_approval"]},
        ),
        audit.record(
            actor=mayor_anderlecht,
            action="hotspot.decide",
            target=hotspot_midi,
            changes={"decision": "approve", "commune": "21001"},
        ),
        audit.record(
            actor=csir_analyst,
            action="hotspot.propose",
            target=hotspot_molenbeek,
            changes={"communes": ["21012", "21001"]},
        ),
        record_view(actor=police_member, target=hotspot_molenbeek),
    ]
    for entry, day in zip(entries, (1, 5, 10, 12), strict=True):
        AuditEntry.objects.filter(pk=entry.pk).update(at=at(dt.date(2026, 3, day)))
    return entries


def rows(response) -> list[str]:
    return [entry.action for entry in response.context["page"].object_list]


def test_the_coordinator_reads_the_trail(client, csir_coordinator, trail):
    client.force_login(csir_coordinator)
    response = client.get(URL)
    assert response.status_code == 200
    assert rows(response) == [
        "view",
        "hotspot.propose",
        "hotspot.decide",
        "hotspot.request_approval",
    ]
    page = response.content.decode()
    assert "Proposed → Awaiting approval" in page  # choices by their label (issue 12)
    assert "21012, 21001" in page  # a list of communes, not a change
    assert "police-judicial" in page
    assert 'href="/audit/"' in client.get(reverse("home:index")).content.decode()  # navigation


@pytest.mark.parametrize(
    "who", ["csir_analyst", "cores_member", "mayor_anderlecht", "police_member", "administrator"]
)
def test_nobody_else_learns_the_trail_exists(client, request, trail, who):
    client.force_login(request.getfixturevalue(who))
    assert client.get(URL).status_code == 404
    assert 'href="/audit/"' not in client.get(reverse("home:index")).content.decode()


def test_anonymous_and_wrong_method(client, csir_coordinator):
    response = client.get(URL)
    assert response.status_code == 302 and "/accounts/login/" in response.url
    client.force_login(csir_coordinator)
    assert client.post(URL).status_code == 405


def test_filters(client, csir_coordinator, trail, hotspot_midi, csir_analyst, mayor_anderlecht):
    client.force_login(csir_coordinator)
    hotspot_type = ContentType.objects.get_for_model(Hotspot)
    by_object = client.get(URL, {"target_type": hotspot_type.pk, "target_id": hotspot_midi.pk})
    assert rows(by_object) == ["hotspot.decide", "hotspot.request_approval"]
    by_person = client.get(URL, {"actor": csir_analyst.pk})
    assert rows(by_person) == ["hotspot.propose", "hotspot.request_approval"]
    by_dates = client.get(URL, {"date_from": "2026-03-04", "date_to": "2026-03-10"})
    assert rows(by_dates) == ["hotspot.propose", "hotspot.decide"]
    views = client.get(URL, {"views_only": "on"})
    assert rows(views) == ["view"]
    combined = client.get(URL, {"actor": mayor_anderlecht.pk, "date_from": "2026-03-06"})
    assert rows(combined) == []
    assert "No entry matches these filters." in combined.content.decode()
    bad = client.get(URL, {"date_from": "not a date"})
    assert bad.status_code == 200 and bad.context["filters"].errors


def test_htmx_gets_the_table_only(client, csir_coordinator, trail):
    client.force_login(csir_coordinator)
    response = client.get(URL, {"views_only": "on"}, headers={"HX-Request": "true"})
    assert response.content.decode().lstrip().startswith('<div id="audit-table"')


def test_record_view_marks_a_police_judicial_view(police_member, hotspot_midi):
    entry = record_view(actor=police_member, target=hotspot_midi)
    assert entry.action == "view" and entry.police_judicial and entry.actor == police_member
    assert entry.target_id == str(hotspot_midi.pk)


def test_change_lines():
    lines = change_lines({"status": ["a", "b"], "note": "x", "done": True, "old": [None, 3]})
    assert [(ln.field, ln.old, ln.new, ln.is_change) for ln in lines] == [
        ("status", "a", "b", True),
        ("note", "", "x", False),
        ("done", "", "yes", False),
        ("old", "—", "3", True),
    ]
    phenomena = change_lines({"phenomena": [["dealing"], ["dealing", "use"]]})[0]
    assert phenomena.is_change and phenomena.new == "dealing, use"


def test_user_text_is_escaped(client, csir_coordinator, hotspot_midi):
    hotspot_midi.name_fr = "<script>alert(1)</script>"
    hotspot_midi.save(update_fields=["name_fr"])  # the trail names the target when read
    audit.record(
        actor=csir_coordinator,
        action="hotspot.update",
        target=hotspot_midi,
        changes={"description": ["", "<img src=x onerror=alert(2)>"]},
    )
    client.force_login(csir_coordinator)
    page = client.get(URL).content.decode()
    assert "<script>alert(1)" not in page and "&lt;script&gt;" in page
    assert "<img src=x" not in page


def test_fixed_query_count_per_page(client, csir_coordinator, hotspot_midi, csir_analyst):
    """10 entries and 100 entries (by more people) cost the same number of queries: one
    per kind of object named, whatever the number of entries (issue 12)."""

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(URL).status_code == 200
        return len(queries)

    client.force_login(csir_coordinator)
    for n in range(10):
        audit.record(
            actor=csir_analyst,
            action="hotspot.update",
            target=csir_analyst if n % 5 else hotspot_midi,
            changes={"n": n},
        )
    ten = count()
    for n in range(90):
        audit.record(
            actor=csir_coordinator if n % 2 else csir_analyst,
            action="hotspot.update" if n % 3 else "view",
            target=csir_analyst if n % 5 else hotspot_midi,
            changes={"n": [n, n + 1]},
        )
    assert AuditEntry.objects.count() == 100
    assert count() == ten


def test_pagination_keeps_the_filters(client, csir_coordinator, hotspot_midi, csir_analyst):
    for n in range(120):
        audit.record(
            actor=csir_analyst, action="hotspot.update", target=hotspot_midi, changes={"n": n}
        )
    client.force_login(csir_coordinator)
    response = client.get(URL, {"actor": csir_analyst.pk})
    page = response.context["page"]
    assert page.paginator.num_pages == 3 and len(page.object_list) == 50
    assert f"actor={csir_analyst.pk}&amp;page=2" in response.content.decode()
    last = client.get(URL, {"actor": csir_analyst.pk, "page": "3"}).context["page"]
    assert len(last.object_list) == 20
