"""Periodic jobs that the task workers schedule themselves: no cron.

A periodic job is a task made with `@periodic(name=..., every=...)`: each run, whatever happens in
it, queues the next run `every()` later. Every worker, when it starts and on each beat
(shop.worker.lease), queues a run now of any job with none waiting or running, so the first worker
starts the chains, and a chain broken by a crash (or by a database that was down when a run tried
to queue its next) starts again. Queueing happens under a lock (an advisory lock on PostgreSQL, an
exclusive transaction on SQLite): however many workers start at once, at most one run of each job
is ever waiting. The jobs themselves are listed in shop.worker.jobs.
"""

import functools
import zlib
from collections.abc import Callable
from dataclasses import dataclass
from datetime import timedelta

from django.db import transaction
from django.utils import timezone
from django_tasks import TaskResultStatus, task
from django_tasks.base import Task
from django_tasks_db.models import DBTaskResult
from django_tasks_db.utils import exclusive_transaction

# Any fixed number: the first half of each job's PostgreSQL advisory lock.
_LOCKS = 1_417_006


@dataclass(frozen=True)
class Schedule:
    name: str  # what the worker says it queued: "Payments reconciliation"
    every: Callable[[], timedelta]  # read at each run: the setting may change in tests


_schedules: dict[str, Schedule] = {}


def periodic(*, name: str, every: Callable[[], timedelta]):
    """Make `func` a task that queues its own next run `every()` after each run."""

    def decorate(func) -> Task:
        @functools.wraps(func)  # the task keeps func's module path: the worker imports it by that
        def run_then_queue_next(*args, **kwargs):
            try:
                return func(*args, **kwargs)
            finally:
                schedule(job, after=every())

        job = task()(run_then_queue_next)
        _schedules[job.module_path] = Schedule(name=name, every=every)
        return job

    return decorate


def name_of(job: Task) -> str:
    return _schedules[job.module_path].name


def schedule(job: Task, *, after: timedelta = timedelta(0)) -> bool:
    """Queue a run of `job` `after` from now unless one is waiting already. True if queued."""
    return _queue_unless(job, after=after, statuses=[TaskResultStatus.READY])


def ensure_running(job: Task) -> bool:
    """Queue a run of `job` now unless one is waiting or running (its run queues the next). True
    if queued: the chain had not started, or had broken."""
    return _queue_unless(
        job, after=timedelta(0), statuses=[TaskResultStatus.READY, TaskResultStatus.RUNNING]
    )


def waiting_runs(job: Task):
    """The runs of `job` queued and not yet started (due or not)."""
    return DBTaskResult.objects.filter(task_path=job.module_path, status=TaskResultStatus.READY)


def _queue_unless(job: Task, *, after: timedelta, statuses: list[str]) -> bool:
    using = DBTaskResult.objects.db
    with exclusive_transaction(using):  # on SQLite: no other writer until we are done
        connection = transaction.get_connection(using)
        if connection.vendor == "postgresql":
            with connection.cursor() as cursor:
                cursor.execute(
                    "SELECT pg_advisory_xact_lock(%s, %s)",
                    [_LOCKS, zlib.crc32(job.module_path.encode()) & 0x7FFFFFFF],
                )
        runs = DBTaskResult.objects.filter(task_path=job.module_path, status__in=statuses)
        if runs.exists():
            return False
        job.using(run_after=timezone.now() + after).enqueue()
    return True
