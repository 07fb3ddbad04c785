"""The cluster's processes on 127.0.0.1: each started in a session of its own (so a Ctrl-C reaches
only cluster-check, which then stops them), logging to a file of its own in the run's temporary
directory, and stopped by `Cluster.close()` whatever happened."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import time
import urllib.request
from contextlib import suppress
from dataclasses import dataclass
from pathlib import Path

ROOT = Path(__file__).resolve().parents[3]
DEPLOY = ROOT / "deploy"
HOST = "127.0.0.1"
BUCKET = "shop-media"
REGION = "us-east-1"
S3_KEYS = ("cluster-key", "cluster-secret")


class ClusterError(Exception):
    """A part of the cluster did not start: nothing can be judged."""


@dataclass(frozen=True)
class Ports:
    """Every port the run listens on, from `base` up (the brief's range: 18200-18299)."""

    base: int = 18200

    @property
    def balancer(self) -> int:
        return self.base + 10

    @property
    def stats(self) -> int:
        return self.base + 19

    @property
    def apps(self) -> tuple[int, int]:
        return (self.base + 11, self.base + 12)

    @property
    def primary(self) -> int:
        return self.base + 1

    @property
    def replica(self) -> int:
        return self.base + 2

    @property
    def redis(self) -> int:
        return self.base + 3

    @property
    def s3(self) -> int:
        return self.base + 5

    @property
    def smtp(self) -> int:
        return self.base + 6

    @property
    def stripe(self) -> int:
        return self.base + 7

    def all(self) -> list[int]:
        return [
            self.balancer,
            self.stats,
            *self.apps,
            self.primary,
            self.replica,
            self.redis,
            self.s3,
            self.smtp,
            self.stripe,
        ]


def haproxy_env(ports: Ports) -> dict[str, str]:
    """The variables deploy/haproxy.cfg reads."""
    return {
        "LB_BIND": f"{HOST}:{ports.balancer}",
        "STATS_BIND": f"{HOST}:{ports.stats}",
        "APP1": f"{HOST}:{ports.apps[0]}",
        "APP2": f"{HOST}:{ports.apps[1]}",
    }


def app_env(ports: Ports, *, secret_key: str, static_root: Path) -> dict[str, str]:
    """What each app server and the task worker run with: production settings (DEBUG off) on the
    cluster's services, paying through the Stripe simulator (shop/devtools/cluster/settings.py)."""
    s3 = f"http://{HOST}:{ports.s3}"
    return {
        "DJANGO_SETTINGS_MODULE": "shop.devtools.cluster.settings",
        "DEBUG": "0",
        "SECRET_KEY": secret_key,
        "ALLOWED_HOSTS": f"{HOST},localhost",
        # Plain HTTP on loopback: no TLS to redirect to.
        "SECURE_SSL_REDIRECT": "0",
        "SESSION_COOKIE_SECURE": "0",
        "CSRF_COOKIE_SECURE": "0",
        "SECURE_HSTS_SECONDS": "0",
        "SECURE_HSTS_PRELOAD": "0",
        "TRUSTED_PROXY_COUNT": "1",  # haproxy
        "DATABASE_URL": f"postgres://postgres@{HOST}:{ports.primary}/shop",
        "DATABASE_REPLICA_URLS": f"postgres://postgres@{HOST}:{ports.replica}/shop",
        "REDIS_URL": f"redis://{HOST}:{ports.redis}/0",
        "MEDIA_BUCKET": BUCKET,
        "MEDIA_ENDPOINT_URL": s3,
        "MEDIA_PUBLIC_URL": f"{s3}/{BUCKET}",
        "MEDIA_REGION": REGION,
        "MEDIA_ACCESS_KEY_ID": S3_KEYS[0],
        "MEDIA_SECRET_ACCESS_KEY": S3_KEYS[1],
        "MEDIA_TIMEOUT": "2",
        "EMAIL_URL": f"smtp://{HOST}:{ports.smtp}",
        "EMAIL_TIMEOUT": "10",
        "STRIPE_SIMULATOR_URL": f"http://{HOST}:{ports.stripe}",
        "STATIC_ROOT": str(static_root),
        "GUNICORN_WORKERS": "2",  # two app servers and the rest share this machine's cores
        "GUNICORN_THREADS": "4",
        "LOG_LEVEL": "WARNING",
    }


def postgres_bin() -> Path:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    if not found:
        raise ClusterError("PostgreSQL's server programs are missing (apt-get install postgresql)")
    return found[-1].parent


def port_is_free(port: int) -> bool:
    with socket.socket() as probe:
        # As the servers bind: connections of an earlier run left in TIME_WAIT do not count.
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((HOST, port))
        except OSError:
            return False
    return True


def wait_for(what: str, ready, *, timeout: float = 60.0, process=None, log: Path | None = None):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if process is not None and process.poll() is not None:
            raise ClusterError(f"{what} exited with {process.returncode}:\n{tail(log)}")
        try:
            if ready():
                return
        except OSError:
            pass
        time.sleep(0.2)
    raise ClusterError(f"{what} was not ready within {timeout:g} s:\n{tail(log)}")


def tail(path: Path | None, lines: int = 30) -> str:
    if path is None or not path.exists():
        return ""
    return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])


def http_status(port: int, path: str, timeout: float = 2.0) -> int:
    try:
        with urllib.request.urlopen(f"http://{HOST}:{port}{path}", timeout=timeout) as answer:
            return answer.status
    except urllib.error.HTTPError as error:
        return error.code


class Cluster:
    """Starts and stops the services; `env` is what the app servers and the worker get."""

    def __init__(self, ports: Ports, directory: Path, *, secret_key: str):
        self.ports = ports
        self.dir = directory
        self.logs = directory / "logs"
        self.logs.mkdir(parents=True)
        self.processes: dict[str, subprocess.Popen] = {}
        self.pg_bin = postgres_bin()
        self.pg_dir = directory / "pg"
        self.pg_dir.mkdir()
        # PostgreSQL refuses to run as root: its clusters run as the postgres user.
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            directory.chmod(0o711)
            shutil.chown(self.pg_dir, "postgres")
        self.env = {
            **os.environ,
            **app_env(ports, secret_key=secret_key, static_root=directory / "static"),
        }
        self.pg_running: set[str] = set()

    # --- Any process --------------------------------------------------------------------------

    def start(self, name: str, command: list[str], *, env: dict | None = None) -> subprocess.Popen:
        with open(self.logs / f"{name}.log", "ab") as log:
            process = subprocess.Popen(
                command,
                cwd=ROOT,
                env=env or self.env,
                stdout=log,
                stderr=subprocess.STDOUT,
                stdin=subprocess.DEVNULL,
                start_new_session=True,
            )
        self.processes[name] = process
        return process

    def stop(self, name: str, *, timeout: float = 15.0) -> None:
        process = self.processes.pop(name, None)
        if process is None or process.poll() is not None:
            return
        _signal_group(process, signal.SIGTERM)
        try:
            process.wait(timeout=timeout)
        except subprocess.TimeoutExpired:
            _signal_group(process, signal.SIGKILL)
            process.wait()

    def kill(self, name: str, *, group: bool = False) -> None:
        """SIGKILL, as the OOM killer or a lost machine would: to the process only, or with
        `group` to it and its children."""
        process = self.processes[name]
        if group:
            _signal_group(process, signal.SIGKILL)
        else:
            process.kill()
        process.wait()

    def run(self, what: str, command: list[str], *, env: dict | None = None, timeout=300) -> str:
        done = subprocess.run(
            command,
            cwd=ROOT,
            env=env or self.env,
            capture_output=True,
            text=True,
            timeout=timeout,
            stdin=subprocess.DEVNULL,
        )
        if done.returncode:
            raise ClusterError(f"{what} failed ({done.returncode}):\n{done.stderr[-3000:]}")
        return done.stdout

    def log(self, name: str) -> Path:
        return self.logs / f"{name}.log"

    def close(self) -> None:
        for name in reversed(list(self.processes)):
            self.stop(name)
        for name in ("replica", "primary"):
            if name in self.pg_running:
                self.pg_stop(name)

    # --- PostgreSQL: a primary and its streaming replica ----------------------------------------

    def pg(self, program: str, *args: str) -> None:
        self.run(program, [*self.as_postgres, str(self.pg_bin / program), *args], env=os.environ)

    def pg_port(self, name: str) -> int:
        return self.ports.primary if name == "primary" else self.ports.replica

    def pg_start(self, name: str) -> None:
        options = (
            f"-p {self.pg_port(name)} -k {self.pg_dir} -c listen_addresses={HOST} -c fsync=off "
            "-c max_connections=200"
        )
        data = self.pg_dir / name
        self.pg(
            "pg_ctl",
            *("-D", str(data), "-o", options, "-l", str(self.pg_dir / f"{name}.log")),
            *("-w", "start"),
        )
        self.pg_running.add(name)
        wait_for(f"PostgreSQL {name}", lambda: self._pg_answers(name), timeout=30)

    def _pg_answers(self, name: str) -> bool:
        with socket.create_connection((HOST, self.pg_port(name)), timeout=1):
            pass
        probe = subprocess.run(
            [str(self.pg_bin / "pg_isready"), "-h", HOST, "-p", str(self.pg_port(name))],
            capture_output=True,
        )
        return probe.returncode == 0

    def pg_stop(self, name: str) -> None:
        # Fast: connections are cut at once, as a crash or a failover would.
        self.pg("pg_ctl", "-D", str(self.pg_dir / name), "-m", "fast", "-w", "stop")
        self.pg_running.discard(name)

    def start_postgres(self) -> None:
        primary = str(self.pg_dir / "primary")
        self.pg("initdb", "-D", primary, "-A", "trust", "-U", "postgres", "--no-sync")
        self.pg_start("primary")
        self.run(
            "createdb",
            [
                str(self.pg_bin / "createdb"),
                "-h",
                HOST,
                "-p",
                str(self.ports.primary),
                "-U",
                "postgres",
                "shop",
            ],
            env=os.environ,
        )
        self.pg(
            "pg_basebackup",
            *("-h", HOST, "-p", str(self.ports.primary), "-U", "postgres"),
            *("-D", str(self.pg_dir / "replica"), "-R", "-X", "stream", "--no-sync"),
            "--checkpoint=fast",  # not a checkpoint spread over minutes first
        )
        self.pg_start("replica")

    # --- Redis, S3, the app servers, the worker, the balancer ---------------------------------

    def start_redis(self) -> None:
        process = self.start(
            "redis",
            [
                "redis-server",
                *("--port", str(self.ports.redis), "--bind", HOST),
                *("--save", "", "--appendonly", "no", "--dir", str(self.dir)),
            ],
        )
        wait_for("Redis", lambda: self._redis_answers(), process=process, log=self.log("redis"))

    def _redis_answers(self) -> bool:
        with socket.create_connection((HOST, self.ports.redis), timeout=1) as connection:
            connection.sendall(b"PING\r\n")
            return connection.recv(16).startswith(b"+PONG")

    def start_s3(self) -> None:
        process = self.start(
            "s3",
            [sys.executable, "-m", "moto.server", "-H", HOST, "-p", str(self.ports.s3)],
        )
        wait_for("moto's S3 server", self._bucket_made, process=process, log=self.log("s3"))

    def s3_client(self):
        import boto3

        return boto3.client(
            "s3",
            endpoint_url=f"http://{HOST}:{self.ports.s3}",
            region_name=REGION,
            aws_access_key_id=S3_KEYS[0],
            aws_secret_access_key=S3_KEYS[1],
        )

    def _bucket_made(self) -> bool:
        from botocore.exceptions import BotoCoreError, ClientError

        try:
            self.s3_client().create_bucket(Bucket=BUCKET)
        except (BotoCoreError, ClientError):
            return False
        return True

    def start_app(self, number: int) -> None:
        port = self.ports.apps[number - 1]
        name = f"app{number}"
        process = self.start(
            name,
            [
                sys.executable,
                *("-m", "gunicorn", "-c", str(DEPLOY / "gunicorn.conf.py"), "shop.wsgi"),
            ],
            env=self.env | {"GUNICORN_BIND": f"{HOST}:{port}"},
        )
        wait_for(
            f"app server {number}",
            lambda: http_status(port, "/healthz") == 200,
            process=process,
            log=self.log(name),
        )

    def start_worker(self, name: str = "worker") -> subprocess.Popen:
        return self.start(
            name,
            [
                sys.executable,
                *("manage.py", "db_worker", "--no-reload", "--no-startup-delay"),
                *("--interval", "0.5"),
            ],
            # A killed worker's job is queued again once it is unseen for this long (60 s in
            # production): short here so the check's "worker killed" fault ends in seconds.
            env=self.env | {"TASK_WORKER_BEAT_SECONDS": "1", "TASK_WORKER_LOST_AFTER": "8"},
        )

    def start_balancer(self) -> None:
        process = self.start(
            "haproxy",
            ["haproxy", "-db", "-f", str(DEPLOY / "haproxy.cfg")],
            env=self.env | haproxy_env(self.ports),
        )
        wait_for(
            "haproxy",
            lambda: http_status(self.ports.balancer, "/healthz") == 200,
            process=process,
            log=self.log("haproxy"),
        )

    def balancer_states(self) -> dict[str, str]:
        """Each server's state in haproxy's stats ("UP", "DOWN", ...), by backend/server."""
        url = f"http://{HOST}:{self.ports.stats}/stats;csv"
        with urllib.request.urlopen(url, timeout=2) as answer:
            lines = answer.read().decode().splitlines()
        header = lines[0].lstrip("# ").split(",")
        states = {}
        for line in lines[1:]:
            row = dict(zip(header, line.split(","), strict=False))
            if row.get("svname") not in ("FRONTEND", "BACKEND", None):
                states[f"{row['pxname']}/{row['svname']}"] = row.get("status", "")
        return states


def _signal_group(process: subprocess.Popen, sig: int) -> None:
    with suppress(ProcessLookupError):
        os.killpg(process.pid, sig)  # its own session: the process and its children
