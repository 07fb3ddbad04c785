"""What every race test needs: PostgreSQL (SQLite has no row locks and one writer) and real
commits, so that each thread's own connection sees the others' work."""

import threading

import pytest
from django.db import connection

on_postgresql_with_commits = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="races need PostgreSQL: SQLite has no row locks and one writer",
    ),
    pytest.mark.django_db(transaction=True),
]


def at_once(calls):
    """Run the calls in threads released together; return their results in order."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)
    errors = []

    def run(index, call):
        try:
            barrier.wait(timeout=30)
            results[index] = call()
        except Exception as error:  # reported below, with the thread's traceback
            errors.append(error)
        finally:
            connection.close()  # each thread has its own connection: give it back

    threads = [threading.Thread(target=run, args=pair) for pair in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not errors, errors
    return results
