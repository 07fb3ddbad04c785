"""A job left running by a worker that stopped beating is queued again by a live worker; a job
whose worker still beats is left alone, however long it runs."""

import logging
from datetime import timedelta

import pytest
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from shop.worker import lease
from shop.worker.models import TaskWorker
from tests.worker.jobs import record_run

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _lost_after_a_minute(settings):
    settings.TASK_WORKER_LOST_AFTER = 60


def running_on(worker_id: str, *, started_ago: timedelta) -> DBTaskResult:
    job = DBTaskResult.objects.get(pk=record_run.enqueue(1).id)
    job.claim(worker_id)
    DBTaskResult.objects.filter(pk=job.pk).update(started_at=timezone.now() - started_ago)
    return job


def seen(worker_id: str, *, ago: timedelta) -> None:
    lease.beat(worker_id)
    TaskWorker.objects.filter(pk=worker_id).update(seen_at=timezone.now() - ago)


def status(job) -> str:
    return DBTaskResult.objects.get(pk=job.pk).status


def test_a_job_of_a_worker_unseen_for_the_bound_is_queued_again(caplog):
    seen("killed", ago=timedelta(seconds=90))
    job = running_on("killed", started_ago=timedelta(minutes=2))

    with caplog.at_level(logging.WARNING, logger="shop.worker"):
        assert lease.requeue_abandoned() == 1

    assert status(job) == TaskResultStatus.READY
    assert DBTaskResult.objects.ready().filter(pk=job.pk).exists()  # due: the next worker runs it
    assert "left running by worker killed" in caplog.text
    assert not TaskWorker.objects.filter(pk="killed").exists()  # forgotten


def test_a_job_of_a_worker_never_seen_is_queued_again():
    job = running_on("before-the-upgrade", started_ago=timedelta(minutes=2))
    assert lease.requeue_abandoned() == 1
    assert status(job) == TaskResultStatus.READY


def test_a_long_job_of_a_worker_that_still_beats_is_left_running():
    seen("busy", ago=timedelta(seconds=5))
    job = running_on("busy", started_ago=timedelta(hours=1))

    assert lease.requeue_abandoned() == 0
    assert status(job) == TaskResultStatus.RUNNING


def test_a_job_started_within_the_bound_is_left_running():
    job = running_on("just-claimed", started_ago=timedelta(seconds=10))
    assert lease.requeue_abandoned() == 0
    assert status(job) == TaskResultStatus.RUNNING


def test_a_worker_beats_and_is_forgotten_when_it_stops():
    heartbeat = lease.Heartbeat("worker-1")
    heartbeat.start()
    assert TaskWorker.objects.filter(
        pk="worker-1", seen_at__gte=timezone.now() - timedelta(seconds=5)
    )
    heartbeat.stop()
    assert not TaskWorker.objects.filter(pk="worker-1").exists()
