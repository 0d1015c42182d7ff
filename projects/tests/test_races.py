"""Concurrent writes on PostgreSQL with real threads: row locks keep transitions single."""

import threading

import pytest
from django.db import connection

from config.api import Conflict
from projects import services
from projects.models import CostAlertDismissal, Project
from projects.tests.factories import ProjectFactory


def _race(count, work):
    barrier = threading.Barrier(count)
    outcomes = []

    def run():
        try:
            barrier.wait()
            outcomes.append(work())
        except Exception as error:  # noqa: BLE001 — the outcome is what the test checks
            outcomes.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=run) for _ in range(count)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    return outcomes


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_starts_let_exactly_one_through():
    project = ProjectFactory()

    outcomes = _race(
        4, lambda: services.project_transition(project=Project(pk=project.pk), action="start")
    )

    assert sum(isinstance(outcome, tuple) for outcome in outcomes) == 1
    assert sum(isinstance(outcome, Conflict) for outcome in outcomes) == 3
    project.refresh_from_db()
    assert project.status == "in_progress"
    assert [entry["log"] for entry in project.logs] == ["Project execution started"]


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_dismissals_store_one_row():
    outcomes = _race(4, lambda: services.cost_alert_dismiss(alert_id="budget_x").pk)

    assert len(set(outcomes)) == 1
    assert CostAlertDismissal.objects.count() == 1


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_log_appends_are_not_lost():
    project = ProjectFactory()

    _race(
        5,
        lambda: services.project_update(project=Project(pk=project.pk), changes={"log": "tick"}),
    )

    project.refresh_from_db()
    assert [entry["log"] for entry in project.logs] == ["tick"] * 5
