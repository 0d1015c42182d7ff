"""Platform jobs (Huey): the queue's own ping, backups on a schedule, housekeeping."""

import time

from huey.contrib.djhuey import task

from config import jobs  # noqa: F401 (registers the job records on the consumer)


@task()
def ping() -> float:
    """When a consumer started this task (epoch seconds): readiness and queue latency."""
    return time.time()
