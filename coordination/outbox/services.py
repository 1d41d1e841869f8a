"""The transactional outbox (DESIGN.md §8): nothing that follows a change is lost.

``enqueue`` records a Celery task and its arguments as a row *in the caller's
transaction*; after commit the row is handed to the broker. If the broker is down, the
request is not slowed nor failed: the row stays pending and ``sweep`` (every minute, by
beat) hands it over again, as it does for a message lost with a worker. A task receives
``outbox_id`` and calls ``complete`` when its work is done; until then the sweep keeps
re-sending it, so every task must be idempotent (a report build starts only from
"queued"; an e-mail goes only to an unsent notification).
"""

from __future__ import annotations

import datetime as dt
import logging
import time
from functools import partial
from typing import Any

from celery import current_app
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from coordination.outbox.models import OutboxMessage

logger = logging.getLogger(__name__)

#: A row handed over this long ago and not done is handed over again (lost message,
#: killed worker). Longer than a queue wait, shorter than the promise of two minutes.
REDISPATCH_AFTER = dt.timedelta(seconds=90)
#: A row never handed over (the broker was down at commit) waits this long for the
#: on-commit hand-off before the sweep takes it.
UNSENT_GRACE = dt.timedelta(seconds=5)
SWEEP_LIMIT = 500
#: How long a hand-off waits for the broker's answer, on a connection of its own: a
#: frozen broker (it accepts connections and never answers) must not hold a request up.
#: Handing a message to a healthy Redis takes a millisecond; a slower answer leaves the
#: row to the sweep, which loses nothing.
PUBLISH_TIMEOUT = 0.5
#: After a failed hand-off this process leaves the rows to the sweep for this long
#: instead of waiting for the broker again at every request.
PAUSE_AFTER_FAILURE = 30.0
_paused_until = 0.0
PAUSED_ERROR = "not tried: the broker failed another hand-off moments ago"


def enqueue(task: str, **kwargs: Any) -> OutboxMessage:
    """Record ``task(**kwargs)`` as follow-up work of the current transaction."""
    message = OutboxMessage.objects.create(task=task, kwargs=kwargs)
    # robust: the cause is committed whatever happens to the hand-off.
    transaction.on_commit(partial(dispatch, message.pk), robust=True)
    return message


def paused() -> bool:
    """Whether a hand-off of this process failed less than :data:`PAUSE_AFTER_FAILURE` ago."""
    return time.monotonic() < _paused_until


def dispatch(pk: int, *, despite_pause: bool = False) -> bool:
    """Hand one pending row to the broker; never raises (a broker outage leaves it pending).

    Without a broker of its own (``task_always_eager``, the tests) the task runs here.
    While :func:`paused` the row is left to the sweep unless ``despite_pause``.
    """
    global _paused_until
    eager = current_app.conf.task_always_eager
    if not eager and not despite_pause and paused():
        # The broker failed a moment ago: not tried again now, the sweep hands it over.
        OutboxMessage.objects.filter(pk=pk, done_at__isnull=True).update(last_error=PAUSED_ERROR)
        return False
    message = OutboxMessage.objects.filter(pk=pk, done_at__isnull=True).first()
    if message is None:
        return False
    kwargs = {**message.kwargs, "outbox_id": message.pk}
    try:
        if eager:
            current_app.tasks[message.task].apply(kwargs=kwargs, throw=True)
        else:
            _publish(message.task, kwargs)
    except Exception as exc:  # the broker's, the transport's or the eager task's error
        logger.warning("outbox: %s not handed over: %r", message, exc)
        if not eager:
            _paused_until = time.monotonic() + PAUSE_AFTER_FAILURE
        OutboxMessage.objects.filter(pk=pk).update(last_error=repr(exc)[:300])
        return False
    _paused_until = 0.0
    OutboxMessage.objects.filter(pk=pk).update(
        dispatched_at=timezone.now(), dispatches=F("dispatches") + 1
    )
    return True


def _publish(task: str, kwargs: dict[str, Any]) -> None:
    """Send ``task`` on a connection that waits at most :data:`PUBLISH_TIMEOUT`.

    retry=False: with the broker down, fail at once instead of blocking a request.
    """
    timeouts = {"socket_timeout": PUBLISH_TIMEOUT, "socket_connect_timeout": PUBLISH_TIMEOUT}
    with current_app.connection_for_write(transport_options=timeouts) as connection:
        current_app.send_task(task, kwargs=kwargs, retry=False, connection=connection)


def complete(outbox_id: int | None) -> None:
    """The task's work is done: the sweep leaves the row alone from now on."""
    if outbox_id is not None:
        OutboxMessage.objects.filter(pk=outbox_id, done_at__isnull=True).update(
            done_at=timezone.now(), last_error=""
        )


def due(now: dt.datetime) -> Q:
    """Rows the sweep hands over again: never sent, or sent long ago and not done."""
    return Q(done_at__isnull=True) & (
        Q(dispatched_at__isnull=True, created_at__lte=now - UNSENT_GRACE)
        | Q(dispatched_at__lte=now - REDISPATCH_AFTER)
    )


def sweep(now: dt.datetime | None = None) -> int:
    """Hand over again what did not leave or did not finish; returns how many left now.

    The broker is tried even while :func:`paused` (this is the retry), and the sweep stops
    at the first failed hand-off: a frozen broker costs it :data:`PUBLISH_TIMEOUT` once.
    """
    now = now or timezone.now()
    pks = list(
        OutboxMessage.objects.filter(due(now))
        .order_by("created_at")
        .values_list("pk", flat=True)[:SWEEP_LIMIT]
    )
    sent = 0
    for pk in pks:
        if dispatch(pk, despite_pause=True):
            sent += 1
        elif paused():
            break  # the broker is not answering: the rest at the next sweep
    return sent
