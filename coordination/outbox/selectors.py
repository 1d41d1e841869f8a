"""Reads of the outbox: what waits to be done (the scheduled-work page, /healthz)."""

from __future__ import annotations

from typing import Any

from django.db.models import Count, Min

from coordination.outbox.models import OutboxMessage


def pending_summary() -> dict[str, Any]:
    """How many rows wait, per job, and since when (one query)."""
    rows = (
        OutboxMessage.objects.filter(done_at__isnull=True)
        .values("task")
        .annotate(count=Count("pk"), oldest=Min("created_at"))
        .order_by("task")
    )
    by_task = list(rows)
    return {
        "total": sum(row["count"] for row in by_task),
        "oldest": min((row["oldest"] for row in by_task), default=None),
        "by_task": by_task,
    }
