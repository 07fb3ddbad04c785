"""What every race test needs: PostgreSQL (SQLite has no row locks and one writer) and real
commits, so that each thread's own connection sees the others' work."""

import pytest
from django.db import connection

on_postgresql_with_commits = [
    pytest.mark.skipif(
        connection.vendor != "postgresql",
        reason="races need PostgreSQL: SQLite has no row locks and one writer",
    ),
    pytest.mark.django_db(transaction=True),
]
