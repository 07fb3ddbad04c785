"""Jobs are never lost with their worker: each worker says it is alive, and the live ones queue
again the jobs of a worker that stopped saying so.

django_tasks_db claims a job by marking it RUNNING (under `select_for_update(skip_locked)` on
PostgreSQL, an exclusive transaction on SQLite), so two workers never start the same job. A worker
killed while running one leaves it RUNNING for ever. Here every `db_worker` writes its
`TaskWorker.seen_at` every TASK_WORKER_BEAT_SECONDS from a thread of its own (so a long job does
not stop it), and on each beat puts back in the queue any job still RUNNING on a worker unseen for
TASK_WORKER_LOST_AFTER seconds. The job then runs again on some worker: every job must be safe to
run twice (see shop.mail for the e-mails).

A worker that is alive but cannot reach the database for longer than the bound (its beats fail)
may find its job given to another: the one case where a job runs twice at once. The bound is
compared with each worker's clock, so the workers' clocks must agree to within a few seconds.
"""

import logging
import threading
from datetime import timedelta

from django.conf import settings
from django.db import DatabaseError, connection, transaction
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from shop.outages import one_line
from shop.worker.models import TaskWorker

logger = logging.getLogger("shop.worker")


def beat(worker_id: str) -> None:
    """Say that this worker is alive now."""
    now = timezone.now()
    updated = TaskWorker.objects.filter(pk=worker_id).update(seen_at=now)
    if not updated:
        TaskWorker.objects.create(worker_id=worker_id, started_at=now, seen_at=now)


def requeue_abandoned() -> int:
    """Queue again the jobs left RUNNING by workers unseen for TASK_WORKER_LOST_AFTER seconds, and
    forget those workers. Returns how many jobs were queued again."""
    lost_before = timezone.now() - timedelta(seconds=settings.TASK_WORKER_LOST_AFTER)
    requeued = 0
    with transaction.atomic():
        alive = set(
            TaskWorker.objects.filter(seen_at__gte=lost_before).values_list("pk", flat=True)
        )
        # Started before the bound: a job claimed just now by a worker whose first beat this
        # transaction does not see yet is left alone. Locked rows are some other worker's business.
        running = DBTaskResult.objects.select_for_update(skip_locked=True).filter(
            status=TaskResultStatus.RUNNING, started_at__lt=lost_before
        )
        for job in running:
            worker = job.worker_ids[-1] if job.worker_ids else None
            if worker in alive:
                continue
            DBTaskResult.objects.filter(pk=job.pk).update(
                status=TaskResultStatus.READY, started_at=None
            )
            requeued += 1
            logger.warning(
                "Job %s (%s) was left running by worker %s, unseen for %s s: queued again",
                job.pk,
                job.task_path,
                worker,
                settings.TASK_WORKER_LOST_AFTER,
            )
        TaskWorker.objects.filter(seen_at__lt=lost_before).delete()
    return requeued


class Heartbeat:
    """The beat of one worker: one beat now, then one every TASK_WORKER_BEAT_SECONDS from a thread
    with its own database connection, each followed by `on_beat` (the worker's housekeeping)."""

    def __init__(self, worker_id: str, *, on_beat=None):
        self.worker_id = worker_id
        self.on_beat = on_beat
        self._stopped = threading.Event()
        self._failing = False  # a database error is logged when beats start failing, not per beat
        self._thread = threading.Thread(target=self._run, name="task-worker-beat", daemon=True)

    def start(self) -> None:
        self._tick()  # before the first claim: a job is never RUNNING on a worker never seen
        self._thread.start()

    def stop(self) -> None:
        """Stop beating and forget this worker (it has finished its job: nothing to queue again)."""
        self._stopped.set()
        if self._thread.is_alive():
            self._thread.join()
        try:
            TaskWorker.objects.filter(pk=self.worker_id).delete()
        except DatabaseError:
            logger.warning("Worker %s not forgotten; it will be once unseen", self.worker_id)

    def _run(self) -> None:
        try:
            while not self._stopped.wait(settings.TASK_WORKER_BEAT_SECONDS):
                self._tick()
        finally:
            connection.close()  # this thread's own

    def _tick(self) -> None:
        try:
            beat(self.worker_id)
            requeue_abandoned()
            if self.on_beat:
                self.on_beat()
        except (
            DatabaseError
        ) as error:  # down or restarting, or locked (SQLite): the next beat retries
            if not self._failing:
                self._failing = True
                reason = one_line(error)
                logger.warning("Task worker %s: beats failing (%s)", self.worker_id, reason)
            if not connection.in_atomic_block:  # the beat's own thread is never inside one
                connection.close_if_unusable_or_obsolete()  # reconnect on the next beat
        except Exception:
            logger.warning("Task worker %s: beat failed", self.worker_id, exc_info=True)
        else:
            if self._failing:
                self._failing = False
                logger.warning("Task worker %s: beating again", self.worker_id)
