"""YAGO's background jobs (Huey): thin wrappers that take ids and call projects.execution."""

from huey import crontab
from huey.contrib.djhuey import db_periodic_task, db_task

from projects import execution


@db_task(retries=2, retry_delay=10, context=True)
def project_execute_job(execution_id: str, task=None) -> str:
    """Run (or continue) one execution; retried twice on an unexpected error."""
    try:
        return execution.execution_run(execution_id=execution_id)
    except Exception as error:
        retrying = task is not None and task.retries > 0
        execution.execution_job_failed(execution_id=execution_id, error=error, retrying=retrying)
        raise


@db_periodic_task(crontab(minute="*"))
def executions_reap_stale_job() -> int:
    """Every minute: executions whose worker died are paused with the reason (resumable)."""
    return execution.executions_reap_stale()
