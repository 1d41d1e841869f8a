"""Celery beat's scheduler for the portal: only the holder of the leader lock sends jobs.

``CELERY_BEAT_SCHEDULER`` names it, so `celery beat` and `celery worker --beat` (`make
run`) both use it. Start as many beat processes as you like (one per host for safety):
one leads, the others stand by (coordination/jobs/leader.py says how the lock works).

Why each step:

- **Standing by**, a beat sends nothing and asks for the lock every ``renew_every``
  seconds (a third of SCHEDULER_LOCK_TTL).
- **On taking the lock**, it adopts the send times the previous leaders wrote (Redis):
  a job the old leader sent this period is not sent again, one it missed is sent now.
- **Leading**, it renews the lock at least every ``renew_every`` seconds, and once more
  right before each send: a leader that was frozen longer than the TTL (a paused VM, a
  long garbage collection) finds its lock gone and sends nothing, since a standby may
  have taken over meanwhile.
- **Stopping cleanly**, it releases the lock: the standby takes over at its next try.
"""

from __future__ import annotations

import logging
import time
from typing import Any

from celery.beat import PersistentScheduler, ScheduleEntry

from coordination.jobs import leader

logger = logging.getLogger(__name__)


class LeaderScheduler(PersistentScheduler):
    """A PersistentScheduler that sends only while it holds the leader lock."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        self.lock: leader.LeaderLock = leader.scheduler_lock()
        self.leading = False
        self._renew_at = 0.0
        super().__init__(*args, **kwargs)

    def tick(self, *args: Any, **kwargs: Any) -> float:
        if not self._lead():
            return self.lock.renew_every
        return min(super().tick(*args, **kwargs), self._renew_at - time.monotonic())

    def _lead(self) -> bool:
        if self.leading and time.monotonic() < self._renew_at:
            return True
        held = self.lock.acquire()
        if held and not self.leading:
            logger.info(
                "beat: %s leads the scheduling (%s lock)", leader.this_process(), self.lock.backend
            )
            self._adopt_last_runs()
        elif self.leading and not held:
            logger.warning("beat: %s stands by: the scheduler lock is lost", leader.this_process())
        self.leading = held
        self._renew_at = time.monotonic() + self.lock.renew_every
        return held

    def _adopt_last_runs(self) -> None:
        """Start from the send times of the previous leaders, where they are later."""
        shared = self.lock.last_runs()
        changed = False
        for name, entry in self.schedule.items():
            sent = shared.get(name)
            if sent is not None and (entry.last_run_at is None or sent > entry.last_run_at):
                entry.last_run_at = sent
                changed = True
        if changed:
            # Rebuild the heap from the adopted times at the next tick.
            self._heap = None

    def apply_entry(self, entry: ScheduleEntry, producer: Any = None) -> None:
        # The fence: a leader that lost the lock while it was not looking sends nothing.
        if not self.lock.acquire():
            logger.warning("beat: %s not sent: the scheduler lock is lost", entry.name)
            self.leading = False
            return
        self._renew_at = time.monotonic() + self.lock.renew_every
        super().apply_entry(entry, producer=producer)
        name = str(entry.name)
        sent = self.schedule.get(name)
        if sent is not None and sent.last_run_at is not None:
            self.lock.record_run(name, sent.last_run_at)

    def close(self) -> None:
        try:
            super().close()
        finally:
            self.lock.release()
            self.leading = False

    @property
    def info(self) -> str:
        return f"{super().info}\n    . leader lock -> {self.lock.backend}"
