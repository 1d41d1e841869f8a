"""A round trip through the real broker and a real worker process."""

import pytest

from coordination.notifications.tasks import ping


@pytest.mark.worker
def test_a_task_goes_through_the_broker_to_a_worker(celery_worker):
    result = ping.delay()
    assert result.get(timeout=30) == "pong"
    assert result.successful()
