"""The test suite's own set-up: a run of tests that need no database neither fails for want of
one nor opens the database the settings name (the developer's, or a server's)."""

import os
import subprocess
import sys

from django.conf import settings


def test_tests_without_a_database_run_alone_and_never_open_the_configured_one(tmp_path):
    configured = tmp_path / "developers.sqlite3"

    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-q",
            "-p",
            "no:cacheprovider",
            "-p",
            "no:randomly",
            "tests/test_cluster_check.py::test_every_port_is_in_the_range_given_and_none_twice",
        ],
        cwd=settings.BASE_DIR,
        env={**os.environ, "DATABASE_URL": f"sqlite:///{configured}"},
        capture_output=True,
        text=True,
        timeout=300,
    )

    assert run.returncode == 0, run.stdout[-3000:] + run.stderr[-3000:]
    assert not configured.exists()
