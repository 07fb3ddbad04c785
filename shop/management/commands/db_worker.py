"""django_tasks_db's task worker, which also keeps the shop's periodic jobs going and queues again
the jobs of workers that died (shop.worker).

Run as many as you like: each beats (TaskWorker) from a thread of its own, queues again the jobs
left running by a worker unseen for TASK_WORKER_LOST_AFTER seconds, and starts any periodic job
(shop.worker.jobs) that has no run waiting: no cron to install. A `--batch` run drains the queue
and stops; it beats while it runs but starts no periodic job.
"""

import os

from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from shop.worker import periodic
from shop.worker.jobs import PERIODIC_JOBS
from shop.worker.lease import Heartbeat


class Command(db_worker.Command):
    def handle(self, *args, batch: bool, reload: bool, worker_id: str, **options):
        if reload and not batch and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            # The autoreloader's parent only watches files: its child process is the worker.
            return super().handle(*args, batch=batch, reload=reload, worker_id=worker_id, **options)
        # Its first beat, now, also queues again what a dead worker left and starts the chains.
        heartbeat = Heartbeat(worker_id, on_beat=None if batch else self.start_periodic_jobs)
        heartbeat.start()
        try:
            return super().handle(*args, batch=batch, reload=reload, worker_id=worker_id, **options)
        finally:
            heartbeat.stop()

    def start_periodic_jobs(self) -> None:
        for job in PERIODIC_JOBS:
            if periodic.ensure_running(job):
                self.stdout.write(f"{periodic.name_of(job)} queued.")
