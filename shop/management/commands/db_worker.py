"""django_tasks_db's task worker, which also keeps the shop's periodic jobs going and queues again
the jobs of workers that died (shop.worker).

Run as many as you like: each beats (TaskWorker) from a thread of its own, queues again the jobs
left running by a worker unseen for TASK_WORKER_LOST_AFTER seconds, and starts any periodic job
(shop.worker.jobs) that has no run waiting: no cron to install. A `--batch` run drains the queue
and stops; it beats while it runs but starts no periodic job.

A database that stops answering (PostgreSQL restarting, a failover) does not end the worker, as it
would end django_tasks_db's: it logs once, tries again every few seconds, and goes on when the
database is back, as the app servers do. Any other error still ends it.
"""

import logging
import os
import time

from django.db import InterfaceError, OperationalError, connections
from django.utils.autoreload import DJANGO_AUTORELOAD_ENV
from django_tasks_db.management.commands import db_worker

from shop.outages import database_is_unreachable, one_line
from shop.worker import periodic
from shop.worker.jobs import PERIODIC_JOBS
from shop.worker.lease import Heartbeat

logger = logging.getLogger("shop.tasks")

DATABASE_RETRY_SECONDS = 2
STILL_DOWN_EVERY = 60  # seconds between the lines saying it is still down


class Command(db_worker.Command):
    def handle(self, *args, batch: bool, reload: bool, worker_id: str, **options):
        if reload and not batch and os.environ.get(DJANGO_AUTORELOAD_ENV) != "true":
            # The autoreloader's parent only watches files: its child process is the worker.
            return super().handle(*args, batch=batch, reload=reload, worker_id=worker_id, **options)
        # Its first beat, now, also queues again what a dead worker left and starts the chains.
        heartbeat = Heartbeat(worker_id, on_beat=None if batch else self.start_periodic_jobs)
        heartbeat.start()
        try:
            return self.run_through_outages(
                *args, batch=batch, reload=reload, worker_id=worker_id, **options
            )
        finally:
            heartbeat.stop()

    def run_through_outages(self, *args, batch: bool, **options):
        down_since = reported = None
        while True:
            try:
                return super().handle(*args, batch=batch, **options)
            except (OperationalError, InterfaceError) as error:
                if batch or not database_is_unreachable():
                    raise
                now = time.monotonic()
                if down_since is None:
                    down_since = reported = now
                    logger.warning(
                        "Database not answering (%s): trying again every %s s",
                        one_line(error),
                        DATABASE_RETRY_SECONDS,
                    )
                elif now - reported >= STILL_DOWN_EVERY:
                    reported = now
                    logger.warning("Database still not answering after %.0f s", now - down_since)
            for connection in connections.all(initialized_only=True):
                connection.close_if_unusable_or_obsolete()
            time.sleep(DATABASE_RETRY_SECONDS)

    def start_periodic_jobs(self) -> None:
        for job in PERIODIC_JOBS:
            if periodic.ensure_running(job):
                self.stdout.write(f"{periodic.name_of(job)} queued.")
