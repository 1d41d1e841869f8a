"""The rows of the regional overview, rendered once and kept in the cache (issue 16).

Rendering the 150 rows of the overview at 10x data took most of the page's time. Each
row's HTML is kept in Django's default cache (Redis when ``REDIS_URL`` is set) under a
*content-addressed* key: a digest of everything the row shows, as the selector computed it
for this reader, plus the language, the time zone and the row template's source.

Why a digest of the row rather than a data version or a version counter:

* **No leak between readers.** The police-judicial rule is applied by the selector
  (``counted_actions``, ``balances_for``, ``visible_taskforces``) before the digest is
  taken: the counts, the balance and the links a member of the police-judicial circle
  sees differ from an outsider's, so their keys differ. Two readers share an entry only
  when their rows are identical, in which case the HTML is identical too (the row shows
  nothing else: no user name of the reader, no CSRF token).
* **No invalidation to forget.** A write anywhere (an action, an update, an escalation, an
  indicator value, a meeting, a police order, a decision, a renamed commune) changes what
  the selector returns, hence the key: the next request renders the new row. No service
  or signal has to bump anything and no query is added (the page keeps its fixed count).
* The cache's ``TIMEOUT`` (:data:`ROW_TTL`) only bounds the memory of stale entries.

:func:`row_fingerprint` must name every value ``_row.html`` shows: when the template
shows a new value, add it there (``tests/regional/test_overview_cache.py`` checks the
usual ones).
"""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import astuple
from functools import cache
from typing import Any

from django.core.cache import cache as default_cache
from django.template.loader import get_template
from django.utils import timezone, translation
from django.utils.safestring import SafeString, mark_safe

from coordination.regional.overview.selectors import OverviewRow

ROW_TEMPLATE = "coordination/overview/_row.html"
# A safety net: entries are never wrong (the key is their content), only unused.
ROW_TTL = 300
KEY_PREFIX = "overview-row"


@cache
def _template_digest() -> str:
    """The row template's source, so that a deployment with a new template starts afresh."""
    template = get_template(ROW_TEMPLATE)
    source = getattr(getattr(template, "template", None), "source", "") or ""
    return hashlib.blake2b(source.encode(), digest_size=8).hexdigest()


def row_fingerprint(row: OverviewRow) -> tuple[Any, ...]:
    """Every value ``_row.html`` shows for ``row``, as plain values (no query)."""
    hotspot = row.hotspot
    balance = row.balance
    return (
        hotspot.pk,
        hotspot.code,
        str(hotspot.name),
        hotspot.status,
        tuple(str(commune.name) for commune in hotspot.communes.all()),
        tuple(zone.number for zone in row.zones),
        tuple(
            (
                str(decision.commune.name),
                decision.decision,
                decision.decided_at,
                (decision.decided_by.get_full_name(), decision.decided_by.username)
                if decision.decided_by
                else None,
            )
            for decision in row.decisions
        ),
        row.approved,
        row.rejected,
        row.plan_number,
        row.plan_state,
        row.plan_state_label,
        row.plan_url,
        row.has_taskforce,
        tuple(astuple(figure) for figure in row.progress),
        row.late,
        row.escalated,
        row.last_meeting,
        row.days_since_meeting,
        row.meeting_overdue,
        row.orders_local,
        row.orders_regional,
        row.orders_expiring,
        tuple(
            (trend.indicator.pk, str(trend.indicator.name), trend.direction, trend.improving)
            for trend in row.trends
        ),
        None
        if balance is None
        else (
            tuple((axis.axis, axis.updates, axis.updates_pct) for axis in balance.axes),
            # ``text`` is worded from these figures in the active language (in the key).
            tuple(tuple(warning.as_json().values()) for warning in balance.warnings),
        ),
        row.balance_url,
    )


def row_key(row: OverviewRow) -> str:
    """The cache key of ``row`` in the active language and time zone."""
    material = repr(
        (
            _template_digest(),
            translation.get_language(),
            timezone.get_current_timezone_name(),
            row_fingerprint(row),
        )
    )
    return f"{KEY_PREFIX}:{hashlib.blake2b(material.encode(), digest_size=20).hexdigest()}"


def rendered_rows(rows: Sequence[OverviewRow]) -> list[SafeString]:
    """The HTML of each row, from the cache when an identical row was rendered before.

    One round trip to the cache to read, one to store what was missing; no query.
    """
    keys = [row_key(row) for row in rows]
    found: dict[str, str] = default_cache.get_many(keys) if keys else {}
    missing: dict[str, str] = {}
    template = None
    html: list[SafeString] = []
    for key, row in zip(keys, rows, strict=True):
        text = found.get(key)
        if text is None:
            text = missing.get(key)
        if text is None:
            template = template or get_template(ROW_TEMPLATE)
            text = str(template.render({"row": row}))
            missing[key] = text
        html.append(mark_safe(text))  # noqa: S308 - rendered by the (escaping) template
    if missing:
        default_cache.set_many(missing, timeout=ROW_TTL)
    return html
