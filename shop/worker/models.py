"""What the task workers keep beside django_tasks_db's queue: which workers are alive, and which
e-mails have already been handed to the mail server."""

from django.db import models


class TaskWorker(models.Model):
    """A running `db_worker`, seen every TASK_WORKER_BEAT_SECONDS. A job left running by a worker
    unseen for TASK_WORKER_LOST_AFTER seconds is queued again (shop.worker.lease)."""

    worker_id = models.CharField(max_length=64, primary_key=True)
    started_at = models.DateTimeField()
    seen_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return self.worker_id


class SentEmail(models.Model):
    """A message the mail server accepted, by its Message-ID: a run of `deliver_email` again (its
    worker killed after the send) finds it here and sends nothing (shop.mail)."""

    message_id = models.CharField(max_length=255, unique=True)
    sent_at = models.DateTimeField(db_index=True)

    def __str__(self):
        return self.message_id
