"""The periodic jobs are started by the workers themselves: one chain per job however many
workers start, each run queues its next, and a chain that broke is started again."""

from datetime import timedelta
from io import StringIO

import pytest
from django.core.management import call_command
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.management.commands.db_worker import Worker
from django_tasks_db.models import DBTaskResult

from shop import mail
from shop.payments import tasks
from shop.worker import jobs, periodic
from shop.worker.models import SentEmail

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def worker_loop_skipped(monkeypatch):
    monkeypatch.setattr(Worker, "run", lambda self: None)


def start_worker(**options) -> str:
    """`manage.py db_worker` as deployed, up to the point where it would loop over the queue."""
    out = StringIO()
    call_command("db_worker", reload=False, startup_delay=False, stdout=out, **options)
    return out.getvalue()


def chains() -> dict[str, list[str]]:
    """Each periodic job's runs' statuses."""
    return {
        job.module_path: sorted(
            DBTaskResult.objects.filter(task_path=job.module_path).values_list("status", flat=True)
        )
        for job in jobs.PERIODIC_JOBS
    }


def hours_from_now(run) -> float:
    return (run.run_after - timezone.now()).total_seconds() / 3600


def test_starting_two_workers_queues_each_periodic_job_once():
    output = start_worker()
    start_worker()

    assert set(map(tuple, chains().values())) == {("READY",)}
    assert "Keeping frequent search words queued." in output


def test_a_run_of_keeping_frequent_words_queues_the_next_a_day_later(settings):
    settings.SHOP_KEEP_FREQUENT_WORDS_EVERY = 24

    jobs.keep_frequent_words.call()

    (next_run,) = periodic.waiting_runs(jobs.keep_frequent_words)
    assert 23.9 < hours_from_now(next_run) <= 24


def test_old_sent_marks_are_forgotten_and_the_next_run_is_queued():
    old = SentEmail.objects.create(
        message_id="<old@x>", sent_at=timezone.now() - timedelta(days=40)
    )
    recent = SentEmail.objects.create(message_id="<new@x>", sent_at=timezone.now())

    assert mail.forget_sent_emails.call() == 1

    assert list(SentEmail.objects.all()) == [recent] and old.pk != recent.pk
    (next_run,) = periodic.waiting_runs(mail.forget_sent_emails)
    assert 23.9 < hours_from_now(next_run) <= 24


def test_a_run_left_running_by_a_dead_worker_is_queued_again_not_doubled(settings):
    settings.TASK_WORKER_LOST_AFTER = 60
    start_worker()
    (run,) = periodic.waiting_runs(tasks.reconcile_payments)
    run.claim("killed-mid-run")
    DBTaskResult.objects.filter(pk=run.pk).update(started_at=timezone.now() - timedelta(minutes=5))

    start_worker()

    assert chains()[tasks.reconcile_payments.module_path] == ["READY"]


def test_a_chain_that_broke_is_started_again_on_a_beat():
    start_worker()
    # A run that could not queue its next (the database was down at that moment): no run left.
    DBTaskResult.objects.filter(task_path=tasks.reconcile_payments.module_path).update(
        status=TaskResultStatus.SUCCESSFUL
    )

    start_worker()

    assert chains()[tasks.reconcile_payments.module_path] == ["READY", "SUCCESSFUL"]


def test_a_running_chain_gets_no_second_run_from_a_worker_starting():
    start_worker()
    (run,) = periodic.waiting_runs(tasks.reconcile_payments)
    run.claim("alive")

    start_worker()

    assert chains()[tasks.reconcile_payments.module_path] == ["RUNNING"]
