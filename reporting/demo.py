"""Demo data of the reports: one published regional report, in French and in Dutch.

It is the CSIR's report presented at the latest CoReS meeting held so far: it covers the
strategy period in force at that meeting, from its start to the end of the month before
the meeting (or to the day before, early in a period), so its period ended before the
meeting presented it. With no meeting yet, it covers the current strategy period up to
yesterday and is presented nowhere. Built synchronously through the services
(no Celery), so the demo needs no worker. Idempotent: once a published regional report
exists in both languages nothing more is done.
"""

from __future__ import annotations

import datetime as dt

from coordination.models import CoresMeeting, User
from coordination.strategy import selectors as regional
from reporting import services
from reporting.models import Report


def presented_period(held_on: dt.date | None, *, today: dt.date) -> tuple[dt.date, dt.date]:
    """The period of the report presented at a CoReS meeting held on ``held_on``.

    The strategy period in force the day before the meeting, up to the end of the month
    before the meeting, or up to the day before the meeting when the period started that
    month. Without a meeting: the strategy period to yesterday.
    """
    if held_on is None:
        start, end = services.period_to_date(today - dt.timedelta(days=1))
        return min(start, end), end
    eve = held_on - dt.timedelta(days=1)
    start, _ = services.period_to_date(eve)
    end = held_on.replace(day=1) - dt.timedelta(days=1)
    if end < start:
        end = eve
    return min(start, end), end


def seed(*, people: dict[str, User]) -> None:
    coordinator = people["csir.coordinator"]
    published = set(
        Report.objects.filter(
            kind=Report.Kind.REGIONAL, audience=Report.Audience.CORES, published=True
        ).values_list("language", flat=True)
    )
    if published >= {Report.Language.FR, Report.Language.NL}:
        return
    today = regional.today()
    meeting = CoresMeeting.objects.filter(held_on__lte=today).order_by("-held_on").first()
    start, end = presented_period(meeting.held_on if meeting else None, today=today)
    reports = services.report_request(
        by=coordinator,
        kind=Report.Kind.REGIONAL,
        period_start=min(start, end),
        period_end=end,
        languages=[code for code in services.LANGUAGES if code not in published],
        enqueue=False,
    )
    for report in reports:
        built = services.report_build(report_id=report.pk) or report
        built.refresh_from_db()
        if built.status == Report.Status.READY and not built.published:
            services.report_publish(report=built, by=coordinator, meeting=meeting)
