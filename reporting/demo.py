"""Demo data of the reports: one published regional report, in French and in Dutch.

It covers the current strategy period up to yesterday (CoReS version) and is presented at
the latest CoReS meeting held so far, if any. Built synchronously through the services
(no Celery), so the demo needs no worker. Idempotent: once a published regional report
exists in both languages nothing more is done.
"""

from __future__ import annotations

import datetime as dt

from coordination.models import CoresMeeting, User
from coordination.strategy import selectors as regional
from reporting import services
from reporting.models import Report


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
    start, end = services.period_to_date(today - dt.timedelta(days=1))
    meeting = CoresMeeting.objects.filter(held_on__lte=today).order_by("-held_on").first()
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
