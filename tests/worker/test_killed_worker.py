"""A worker killed in the middle of a job: another worker queues the job again once the dead one
is unseen for TASK_WORKER_LOST_AFTER, and an e-mail job run twice sends its message once. Real
`db_worker` processes on PostgreSQL, SIGKILL, and a mail server that holds its reply at the
moment the kill must land."""

import signal
from email import message_from_bytes

from django.core import mail
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from tests.races import on_postgresql_with_commits
from tests.smtp_standin import RecordingSMTPServer
from tests.worker.conftest import wait_for

pytestmark = on_postgresql_with_commits

DELIVER = "shop.mail.deliver_email"


def mail_through(server) -> dict:
    """The worker's settings for sending through `server`; a timeout far above the test's kill."""
    return {"EMAIL_URL": f"smtp://127.0.0.1:{server.port}", "EMAIL_TIMEOUT": "120"}


def queue_order_email() -> DBTaskResult:
    mail.send_mail("Your order", "Thanks!", None, ["fan@example.com"])
    return DBTaskResult.objects.get(task_path=DELIVER)


def status(job) -> str:
    return DBTaskResult.objects.get(pk=job.pk).status


def kill(worker) -> None:
    worker.send_signal(signal.SIGKILL)
    worker.wait(30)


def test_a_job_whose_worker_was_killed_before_the_server_accepted_runs_again_and_sends_once(
    start_worker,
):
    with RecordingSMTPServer(hold="data") as server:
        job = queue_order_email()
        first = start_worker(**mail_through(server))
        assert server.holding.wait(60), "the worker never sent the message"
        kill(first)
        assert status(job) == TaskResultStatus.RUNNING
        assert server.accepted == []

        second = start_worker(**mail_through(server))
        wait_for(lambda: status(job) == TaskResultStatus.SUCCESSFUL)

    (sent,) = server.accepted
    message = message_from_bytes(sent)
    assert (message["Subject"], message["To"]) == ("Your order", "fan@example.com")
    assert message["Message-ID"] == job.args_kwargs["args"][0]["headers"]["Message-ID"]
    assert "left running by worker" in second.log_path.read_text()
    assert DBTaskResult.objects.filter(task_path=DELIVER).count() == 1  # no retry either


def test_a_job_whose_worker_was_killed_after_the_server_accepted_sends_nothing_again(
    start_worker,
):
    with RecordingSMTPServer(hold="quit") as server:
        job = queue_order_email()
        first = start_worker(**mail_through(server))
        assert server.holding.wait(60), "the worker never said goodbye"
        kill(first)  # the message accepted, the job still running
        assert status(job) == TaskResultStatus.RUNNING

        second = start_worker(**mail_through(server))
        wait_for(lambda: status(job) == TaskResultStatus.SUCCESSFUL)

    assert len(server.accepted) == 1
    assert "was sent already" in second.log_path.read_text()
