"""A round trip through the real broker and a real worker process.

There is no result backend (the application's rows hold every job's state): the proof
that the worker ran the job is the row the job writes.
"""

import time

import pytest
from celery import current_app

from coordination.jobs.models import JobRun


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_a_task_goes_through_the_broker_to_a_worker(celery_worker):
    current_app.send_task("coordination.heartbeat")
    deadline = time.monotonic() + 30
    while not JobRun.objects.filter(job="coordination.heartbeat").exists():
        assert time.monotonic() < deadline, "the worker did not run the heartbeat job"
        time.sleep(0.3)
    run = JobRun.objects.get(job="coordination.heartbeat")
    assert run.outcome == JobRun.Outcome.OK and run.worker
