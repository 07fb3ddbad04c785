from django.apps import AppConfig


class WorkerConfig(AppConfig):
    """The task workers (`manage.py db_worker`): which are alive, the jobs they schedule themselves,
    and what a job that may run twice has already done."""

    name = "shop.worker"
    label = "worker"
    verbose_name = "Task workers"
