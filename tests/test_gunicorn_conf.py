"""deploy/gunicorn.conf.py loads in gunicorn and sizes the server from the cores it may use."""

import os
import runpy
from pathlib import Path

import pytest
from gunicorn.config import Config

CONF = Path(__file__).resolve().parent.parent / "deploy" / "gunicorn.conf.py"
ENV = (
    "GUNICORN_WORKERS",
    "GUNICORN_THREADS",
    "GUNICORN_TIMEOUT",
    "GUNICORN_ACCESS_LOG",
    "GUNICORN_CONTROL_SOCKET",
)


def loaded(monkeypatch, *, cpus: int, **env) -> Config:
    """The settings gunicorn takes from the file, on a machine with `cpus` cores for us."""
    monkeypatch.setattr(os, "sched_getaffinity", lambda pid: set(range(cpus)), raising=False)
    for name in ENV:
        monkeypatch.delenv(name, raising=False)
    for name, value in env.items():
        monkeypatch.setenv(name, value)
    config = Config()
    for name, value in runpy.run_path(str(CONF)).items():
        if name in config.settings:
            config.set(name, value)
    return config


def test_every_setting_in_the_file_is_one_gunicorn_knows():
    names = {name for name in runpy.run_path(str(CONF)) if not name.startswith("_")}
    helpers = {"os", "available_cpus"}
    assert names - helpers <= set(Config().settings)


@pytest.mark.parametrize(("cpus", "workers"), [(1, 2), (2, 3), (8, 9)])
def test_workers_follow_the_cores_with_threads_for_requests_that_wait(monkeypatch, cpus, workers):
    config = loaded(monkeypatch, cpus=cpus)

    assert config.workers == workers
    assert config.worker_class_str == "gthread"
    assert config.threads == 4
    assert config.timeout > config.graceful_timeout > 0
    assert config.max_requests > 0 and 0 < config.max_requests_jitter < config.max_requests


def test_the_environment_overrides_the_sizes_and_turns_the_access_log_on(monkeypatch):
    quiet = loaded(monkeypatch, cpus=2)
    tuned = loaded(
        monkeypatch, cpus=2, GUNICORN_WORKERS="5", GUNICORN_THREADS="8", GUNICORN_ACCESS_LOG="on"
    )

    assert quiet.accesslog is None
    assert (tuned.workers, tuned.threads, tuned.accesslog) == (5, 8, "-")


def test_two_servers_on_one_host_share_no_control_socket(monkeypatch, tmp_path):
    assert loaded(monkeypatch, cpus=2).control_socket_disable is True

    path = str(tmp_path / "app1.ctl")
    config = loaded(monkeypatch, cpus=2, GUNICORN_CONTROL_SOCKET=path)
    assert config.control_socket_disable is False and config.control_socket == path
