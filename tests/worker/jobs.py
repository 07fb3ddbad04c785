"""A job for the worker tests: it writes one row per run, so that a second run of one job shows."""

import os

from django.db import connection
from django_tasks import task

RUNS_TABLE = "worker_test_runs"


@task()
def record_run(n: int) -> None:
    with connection.cursor() as cursor:
        cursor.execute(f"INSERT INTO {RUNS_TABLE} (n, pid) VALUES (%s, %s)", [n, os.getpid()])
