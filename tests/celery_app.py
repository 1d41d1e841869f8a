"""The Celery app of the worker processes the tests start: the project's own app.

``TEST_BROKER_TRANSPORT_OPTIONS`` (JSON) replaces the broker's transport options of the
settings: the embedded broker's folders of a test. With ``TEST_LAYOUT_SECONDS`` set, the
worker's PDF layout takes that much longer, as on a large region: a test can then act
while a build is rendering (kill the worker, end its database session) without seeding
the large region. The application code is untouched; the build beats through the layout
as it always does.
"""

from __future__ import annotations

import json
import os
import time

from celery.signals import worker_init

from coordination.celery import app

__all__ = ["app"]

if os.environ.get("TEST_BROKER_TRANSPORT_OPTIONS"):
    app.conf.broker_transport_options = json.loads(os.environ["TEST_BROKER_TRANSPORT_OPTIONS"])


@worker_init.connect
def _slow_layout(**kwargs) -> None:
    seconds = float(os.environ.get("TEST_LAYOUT_SECONDS") or 0)
    if not seconds:
        return
    # Django is set up by now (Celery's Django fix-up answers worker_init first).
    from reporting import render

    layout = render.render_pdf

    def slow_layout(*args, **kwargs):
        time.sleep(seconds)
        return layout(*args, **kwargs)

    render.render_pdf = slow_layout
