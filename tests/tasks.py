"""Running the task queue inside a test, as `manage.py db_worker` would after the request."""

from django_tasks_db.models import DBTaskResult

# Queued after any change to a product's listing (catalogue.facet_counts): housekeeping that a
# test about another task need not list.
HOUSEKEEPING = frozenset({"catalogue.facet_counts.compact_task"})


def queued_tasks(*, housekeeping: bool = False) -> list[tuple[str, list]]:
    """(task path, arguments) of every task waiting for the worker, the facet cells' compaction
    left out unless asked for."""
    return [
        (row.task_path, row.args_kwargs["args"])
        for row in DBTaskResult.objects.ready()
        if housekeeping or row.task_path not in HOUSEKEEPING
    ]


def run_queued_tasks() -> int:
    """Run every due task in this process and mark it done, as the worker does, then the tasks
    those queued (the order confirmation, rendered, queues its delivery), until none is due. (The
    worker itself closes the connection between tasks, which would end a test's transaction: see
    tests/catalogue/test_thumbnail_task.py for a run of the real `db_worker`.) Returns how many
    ran, housekeeping (the facet cells' compaction) not counted."""
    ran = 0
    for _round in range(10):  # a task that queues itself again at once would never end
        due = list(DBTaskResult.objects.ready())
        if not due:
            break
        for row in due:
            result = row.task_result
            row.set_successful(row.task.call(*result.args, **result.kwargs))
            ran += row.task_path not in HOUSEKEEPING
    return ran
