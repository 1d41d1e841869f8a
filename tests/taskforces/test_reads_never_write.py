"""Reads never write: reading a task force, its plan, its hotspot or the regional pages
creates, changes or deletes no row (the plan exists from the task force's opening on).

The one write a read makes is by design: the view log, an audit entry saying who saw a
police-judicial item (``coordination/audit/viewlog.py``).
"""

from __future__ import annotations

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from coordination.audit.viewlog import VIEW_ACTION
from coordination.models import AuditEntry
from hotspots.models import PerimeterVersion
from taskforces.models import ActionPlan, PlanVersion

pytestmark = pytest.mark.django_db

WRITE = re.compile(r"^\s*(INSERT|UPDATE|DELETE)\b", re.IGNORECASE)
VIEW_LOG_TABLE = AuditEntry._meta.db_table


def pages(cast) -> list[str]:
    taskforce, hotspot = cast.taskforce.pk, cast.taskforce.hotspot_id
    return [
        reverse("home:index"),
        reverse("overview:page"),
        reverse("hotspots:list"),
        reverse("hotspots:detail", args=[hotspot]),
        reverse("taskforces:list"),
        reverse("taskforces:my_actions"),
        reverse("taskforces:detail", args=[taskforce]),
        reverse("taskforces:members", args=[taskforce]),
        reverse("taskforces:plan", args=[taskforce]),
        reverse("taskforces:plan_changes", args=[taskforce]),
        reverse("taskforces:plan_export", args=[taskforce]),
        reverse("taskforces:meetings", args=[taskforce]),
        reverse("taskforces:action", args=[cast.security.pk]),
        reverse("taskforces:action", args=[cast.secret.pk]),
    ]


def rows() -> tuple[int, int, int]:
    return (
        ActionPlan.objects.count(),
        PlanVersion.objects.count(),
        PerimeterVersion.objects.count(),
    )


@pytest.mark.parametrize("who", ["chair", "police", "association", "csir_analyst"])
def test_reading_the_pages_writes_nothing_but_the_view_log(client, cast, who, request):
    reader = getattr(cast, who, None) or request.getfixturevalue(who)
    client.force_login(reader)
    before = rows()
    trail = AuditEntry.objects.exclude(action=VIEW_ACTION).count()
    writes: list[str] = []
    logged = 0
    for url in pages(cast):
        with CaptureQueriesContext(connection) as queries:
            status = client.get(url).status_code
        assert status in (200, 404), (url, status)
        writes += [
            f"{url}: {query['sql'][:120]}"
            for query in queries.captured_queries
            if WRITE.match(query["sql"]) and VIEW_LOG_TABLE not in query["sql"]
        ]
        logged += sum(1 for query in queries.captured_queries if WRITE.match(query["sql"]))
    assert writes == []
    # The circle's reads are logged (the capture does see the writes a read makes).
    assert (logged > 0) == (who == "police")
    assert rows() == before
    # The view log adds its entries; nothing else reaches the audit trail.
    assert AuditEntry.objects.exclude(action=VIEW_ACTION).count() == trail
