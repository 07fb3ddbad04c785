"""A real streaming replica: a PostgreSQL cluster of the test's own (a copy of the test database)
and a replica made from it with pg_basebackup, serving a gunicorn process of the shop.

Anonymous storefront renders read the catalogue from the replica while it is fresh; one that lags
beyond REPLICA_MAX_LAG is skipped, what was read from a lagging replica is never kept in the page
cache, and a replica that stops leaves the pages answering from the primary."""

import os
import shutil
import subprocess
import sys
import tempfile
import time
import urllib.request
from pathlib import Path

import psycopg
import pytest
from django.db import connection
from oscar.core.loading import get_model

from catalogue import generations
from shop import replicas
from tests.caching.test_across_processes import free_port, share_redis, wait_until_up
from tests.factories import merch
from tests.races import on_postgresql_with_commits

Product = get_model("catalogue", "Product")
Basket = get_model("basket", "Basket")

ROOT = Path(__file__).resolve().parents[2]
REDIS_URL = "redis://127.0.0.1:6379/14"
PREFIX = "shop-read-replica"
MAX_LAG = 5.0


def postgres_bin() -> Path | None:
    found = sorted(Path("/usr/lib/postgresql").glob("*/bin/initdb"))
    return found[-1].parent if found else None


pytestmark = [
    *on_postgresql_with_commits,
    pytest.mark.page_cache,
    pytest.mark.skipif(postgres_bin() is None, reason="PostgreSQL's server programs are missing"),
]


class Cluster:
    """A primary on one port and its streaming replica on another, in a temporary directory;
    run as the `postgres` user when the tests run as root (PostgreSQL refuses root)."""

    def __init__(self):
        self.bin = postgres_bin()
        self.dir = Path(tempfile.mkdtemp(prefix="shop-replica-"))
        self.as_postgres = ["runuser", "-u", "postgres", "--"] if os.geteuid() == 0 else []
        if self.as_postgres:
            shutil.chown(self.dir, "postgres")
        self.ports = {"primary": free_port(), "replica": free_port()}

    def run(self, program: str, *args: str) -> None:
        subprocess.run(
            [*self.as_postgres, str(self.bin / program), *args],
            check=True,
            capture_output=True,
            cwd=self.dir,
        )

    def start(self, name: str) -> None:
        options = f"-p {self.ports[name]} -k {self.dir} -c listen_addresses=127.0.0.1 -c fsync=off"
        self.run(
            "pg_ctl",
            "-D",
            str(self.dir / name),
            "-o",
            options,
            "-l",
            str(self.dir / f"{name}.log"),
            "-w",
            "start",
        )

    def stop(self, name: str) -> None:
        self.run("pg_ctl", "-D", str(self.dir / name), "-m", "immediate", "-w", "stop")

    @property
    def on_primary(self) -> tuple[str, ...]:
        """A client program's options to reach the primary as its superuser."""
        return ("-h", "127.0.0.1", "-p", str(self.ports["primary"]), "-U", "postgres")

    def url(self, name: str, database: str = "shop") -> str:
        return f"postgres://postgres@127.0.0.1:{self.ports[name]}/{database}"

    def sql(self, name: str, statement: str, params=(), database: str = "shop") -> None:
        with psycopg.connect(self.url(name, database), autocommit=True) as db:
            db.execute(statement, params)

    def make(self, source: dict) -> None:
        self.run(
            "initdb", "-D", str(self.dir / "primary"), "-A", "trust", "-U", "postgres", "--no-sync"
        )
        self.start("primary")
        self.sql("primary", "CREATE DATABASE shop", database="postgres")
        dump = subprocess.run(
            [
                str(self.bin / "pg_dump"),
                "-h",
                source["HOST"],
                "-p",
                str(source["PORT"]),
                "-U",
                source["USER"],
                "-Fc",
                source["NAME"],
            ],
            check=True,
            capture_output=True,
        ).stdout
        subprocess.run(
            [str(self.bin / "pg_restore"), *self.on_primary, "-d", "shop", "--no-owner"],
            input=dump,
            check=True,
            capture_output=True,
        )
        self.run(
            "pg_basebackup",
            *self.on_primary,
            "-D",
            str(self.dir / "replica"),
            "-R",
            "-X",
            "stream",
            "--checkpoint=fast",  # the default spreads the restored copy's writes over minutes
            "--no-sync",
        )
        self.start("replica")

    def remove(self) -> None:
        for name in ("replica", "primary"):
            if (self.dir / name / "postmaster.pid").exists():
                self.stop(name)
        shutil.rmtree(self.dir, ignore_errors=True)


@pytest.fixture
def shared_cache(settings):
    yield from share_redis(settings, REDIS_URL, PREFIX)


@pytest.fixture
def replicated_shop(shared_cache):
    """Call with nothing once the test's rows exist: starts the cluster from a copy of them and
    the shop on it; returns (the shop's address, the cluster)."""
    cluster = Cluster()
    servers = []

    def start():
        cluster.make(connection.settings_dict)
        port = free_port()
        env = {
            **os.environ,
            "DJANGO_SETTINGS_MODULE": "shop.settings",
            "DATABASE_URL": cluster.url("primary"),
            "DATABASE_REPLICA_URLS": cluster.url("replica"),
            "REPLICA_MAX_LAG": str(MAX_LAG),
            "REDIS_URL": REDIS_URL,
            "CACHE_KEY_PREFIX": PREFIX,
            "DEBUG": "1",  # static files without collectstatic's manifest, as in test_across_processes
            "ALLOWED_HOSTS": "127.0.0.1",
            "CONN_MAX_AGE": "60",
        }
        command = [sys.executable, "-m", "gunicorn", "shop.wsgi", "--bind", f"127.0.0.1:{port}"]
        server = subprocess.Popen(
            [*command, "--workers", "1"],
            cwd=ROOT,
            env=env,
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        servers.append(server)
        base = f"http://127.0.0.1:{port}"
        wait_until_up(base, server)
        return base, cluster

    try:
        yield start
    finally:
        for server in servers:
            server.terminate()
            server.wait(30)
        cluster.remove()


def page(url: str) -> tuple[int, str, str]:
    with urllib.request.urlopen(url, timeout=30) as response:
        return response.status, response.headers.get("X-Page-Cache", ""), response.read().decode()


def test_anonymous_pages_read_a_fresh_replica_and_skip_a_lagging_one(replicated_shop):
    pin = merch("Replicated Pin", price="9.00", stock=4)
    base, cluster = replicated_shop()
    assert page(f"{base}/catalogue/")[0] == 200  # the replica is checked: fresh

    # Staff rename the pin on the primary while the replica has stopped replaying.
    cluster.sql("replica", "SELECT pg_wal_replay_pause()")
    time.sleep(replicas.CHECK_INTERVAL)
    assert page(f"{base}/catalogue/?sort_by=newest")[0] == 200  # checked again just before
    cluster.sql(
        "primary", "UPDATE catalogue_product SET title = 'Renamed Pin' WHERE id = %s", [pin.pk]
    )
    generations.bump([generations.product(pin.pk)])
    product_page = f"{base}{pin.get_absolute_url()}"

    status, _, body = page(product_page)
    assert status == 200 and "Replicated Pin" in body  # read from the replica, within the bound
    time.sleep(MAX_LAG + 1.5)
    status, _, body = page(product_page)
    # Not kept from the lagging replica: rendered again, on the primary, now that it lags too far.
    assert status == 200 and "Renamed Pin" in body and "Replicated Pin" not in body

    cluster.sql("replica", "SELECT pg_wal_replay_resume()")
    cluster.stop("replica")
    status, _, body = page(f"{base}/catalogue/?in_stock=1")  # never rendered before
    assert status == 200 and "Renamed Pin" in body  # from the primary, no error


@pytest.mark.django_db
def test_only_the_catalogue_and_blog_of_a_render_go_to_the_replica():
    router = replicas.ReplicaRouter()
    replica = replicas.Replica("replica1")
    token = replicas._in_use.set((replica, replicas.Reading()))
    try:
        assert router.db_for_read(Product) == "replica1"
        assert router.db_for_read(get_model("blog", "Post")) == "replica1"
        assert router.db_for_read(Basket) == "default"
        assert router.db_for_read(get_model("partner", "StockRecord")) == "default"
        assert router.db_for_read(get_model("order", "Order")) == "default"
        assert router.db_for_write(Product) == "default"
    finally:
        replicas._in_use.reset(token)
    assert router.db_for_read(Product) == "default"  # outside a render
