"""The task queue forgets finished jobs: a periodic run deletes the rows of jobs that succeeded or
failed longer than TASK_RESULTS_KEPT_DAYS ago, a batch at a time, and never a job waiting or
running (the periodic chains themselves are such rows)."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from shop.worker import jobs, periodic

pytestmark = pytest.mark.django_db

READY, RUNNING = TaskResultStatus.READY, TaskResultStatus.RUNNING
SUCCESSFUL, FAILED = TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED


def job_row(status: str, *, days_ago: float) -> DBTaskResult:
    at = timezone.now() - timedelta(days=days_ago)
    finished = status in (SUCCESSFUL, FAILED)
    row = DBTaskResult.objects.create(
        status=status,
        task_path="tests.worker.jobs.record_run",
        args_kwargs={"args": [1], "kwargs": {}},
        backend_name="default",
        run_after=at,
        started_at=at if status != READY else None,
        finished_at=at if finished else None,
    )
    DBTaskResult.objects.filter(pk=row.pk).update(enqueued_at=at)  # auto_now_add on create
    return row


def test_only_jobs_finished_longer_ago_than_the_setting_are_forgotten(settings):
    settings.TASK_RESULTS_KEPT_DAYS = 14
    old = {status: job_row(status, days_ago=30) for status in (READY, RUNNING, SUCCESSFUL, FAILED)}
    recent = {status: job_row(status, days_ago=13) for status in (SUCCESSFUL, FAILED)}

    assert jobs.forget_finished_jobs.call() == 2

    left = set(DBTaskResult.objects.exclude(task_path=jobs.forget_finished_jobs.module_path))
    assert left == {old[READY], old[RUNNING], recent[SUCCESSFUL], recent[FAILED]}


def test_the_chain_goes_on_and_its_own_old_runs_are_forgotten_too():
    DBTaskResult.objects.create(
        status=SUCCESSFUL,
        task_path=jobs.forget_finished_jobs.module_path,
        args_kwargs={"args": [], "kwargs": {}},
        backend_name="default",
        run_after=timezone.now() - timedelta(days=40),
        finished_at=timezone.now() - timedelta(days=40),
    )

    assert jobs.forget_finished_jobs.call() == 1

    (next_run,) = periodic.waiting_runs(jobs.forget_finished_jobs)
    assert next_run.run_after - timezone.now() > timedelta(hours=23.9)
    assert not DBTaskResult.objects.filter(status=SUCCESSFUL).exists()


def test_a_long_backlog_is_deleted_in_bounded_batches(monkeypatch):
    monkeypatch.setattr(jobs, "FORGET_BATCH", 2)
    for _ in range(5):
        job_row(SUCCESSFUL, days_ago=60)

    with CaptureQueriesContext(connection) as queries:
        assert jobs.forget_finished_jobs.call() == 5

    deletes = [q["sql"] for q in queries if q["sql"].startswith("DELETE")]
    assert len(deletes) == 3
    assert not DBTaskResult.objects.filter(status=SUCCESSFUL).exists()
