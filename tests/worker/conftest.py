"""Real `manage.py db_worker` processes on the test's PostgreSQL database, with beats and the
lost-worker bound short enough for a test."""

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest
from django.db import connection

ROOT = Path(__file__).resolve().parents[2]
BEAT_SECONDS = 0.2
LOST_AFTER = 1.5
WORKER = [sys.executable, "manage.py", "db_worker"]


@pytest.fixture
def start_worker(tmp_path):
    """Start a worker process (`start_worker(**env)`; its log is in `worker.log_path`); every one
    still running is killed after the test."""
    started = []

    def start(**env) -> subprocess.Popen:
        db = connection.settings_dict
        log_path = tmp_path / f"worker-{len(started)}.log"
        with log_path.open("w") as log:
            worker = _popen(db, log, env)
        worker.log_path = log_path
        started.append(worker)
        return worker

    yield start
    for worker in started:
        if worker.poll() is None:
            worker.send_signal(signal.SIGKILL)
        worker.wait(30)


def _popen(db, log, env) -> subprocess.Popen:
    return subprocess.Popen(
        [*WORKER, "--no-reload", "--no-startup-delay", "--interval", "0.1"],
        cwd=ROOT,
        env={
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "shop.settings",
            "DATABASE_URL": f"postgres://{db['USER']}@{db['HOST']}:{db['PORT']}/{db['NAME']}",
            "CONN_MAX_AGE": "0",
            "TASK_WORKER_BEAT_SECONDS": str(BEAT_SECONDS),
            "TASK_WORKER_LOST_AFTER": str(LOST_AFTER),
            # Reconciliation's Stripe: a port of the tests' own where nothing listens.
            "STRIPE_SIMULATOR_URL": "http://127.0.0.1:18199",
            **env,
        },
        stdout=subprocess.DEVNULL,
        stderr=log,
    )


def wait_for(condition, *, seconds: float = 60, what: str = "the workers") -> None:
    """Poll `condition` until it holds; a bound only to end a failing test."""
    deadline = time.monotonic() + seconds
    while not condition():
        if time.monotonic() > deadline:
            raise AssertionError(f"{what}: not done within {seconds} s")
        time.sleep(0.1)
