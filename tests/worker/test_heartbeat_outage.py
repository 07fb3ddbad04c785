"""A database outage shows in a worker's log as one line when its beats start failing and one when
they work again, not as a traceback on every beat (one every TASK_WORKER_BEAT_SECONDS)."""

import logging

import pytest
from django.db import OperationalError

from shop.worker import lease
from shop.worker.models import TaskWorker

pytestmark = pytest.mark.django_db


def test_failing_beats_are_logged_once_without_a_traceback(monkeypatch, caplog):
    real_beat = lease.beat
    failures = iter([True, True, True])

    def beat_while_down(worker_id):
        if next(failures, False):
            raise OperationalError("connection refused")
        real_beat(worker_id)

    monkeypatch.setattr(lease, "beat", beat_while_down)
    heartbeat = lease.Heartbeat("worker-a")
    with caplog.at_level(logging.WARNING, logger="shop.worker"):
        for _ in range(5):
            heartbeat._tick()

    lines = [(record.getMessage(), record.exc_info) for record in caplog.records]
    assert lines == [
        ("Task worker worker-a: beats failing (connection refused)", None),
        ("Task worker worker-a: beating again", None),
    ]
    assert TaskWorker.objects.filter(pk="worker-a").exists()
