"""Jobs of the regional layer."""

from celery import shared_task


@shared_task(name="coordination.ping", time_limit=30, soft_time_limit=20)
def ping() -> str:
    """A trivial job that proves the broker and a worker answer (used by health tests)."""
    return "pong"
