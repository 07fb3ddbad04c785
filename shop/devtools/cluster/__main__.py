"""`python -m shop.devtools.cluster` (`make cluster-check`): start the cluster, run the journeys and
the faults, print the table, stop everything, exit 1 if any row failed."""

from __future__ import annotations

import os
import secrets
import shutil
import sys
import tempfile
import threading
import time
from pathlib import Path
from unittest import mock

from .report import Row, exit_code, failure_summary, table
from .services import ROOT, Cluster, ClusterError, Ports, port_is_free


def say(started: float, text: str) -> None:
    print(f"[{time.monotonic() - started:5.0f} s] {text}", flush=True)


def main() -> int:
    started = time.monotonic()
    ports = Ports(int(os.environ.get("CLUSTER_BASE_PORT", "18200")))
    busy = [port for port in ports.all() if not port_is_free(port)]
    if busy:
        print(f"cluster-check: ports in use on 127.0.0.1: {busy}", file=sys.stderr)
        return 2
    directory = Path(tempfile.mkdtemp(prefix="shop-cluster-"))
    cluster = Cluster(ports, directory, secret_key=secrets.token_urlsafe(50))
    # This process plays the shoppers and reads the books: the same settings as the app servers.
    os.environ.update({k: v for k, v in cluster.env.items() if k not in ("GUNICORN_BIND",)})
    import django

    django.setup()

    from shop.devtools.bench.load import _sigterm_stops_the_run

    rows: list[Row] = []
    try:
        with _sigterm_stops_the_run():
            rows = run(cluster, started)
    except ClusterError as failed:
        rows.append(Row("cluster start", "every service starts", str(failed)[:2000], False))
    except KeyboardInterrupt:
        rows.append(Row("interrupted", "a whole run", "stopped by a signal", False))
    finally:
        say(started, "Stopping everything…")
        from django.db import connections

        connections.close_all()
        cluster.close()
    print()
    print(table(rows))
    print()
    code = exit_code(rows)
    print(
        f"cluster-check: {'passed' if code == 0 else 'FAILED'} in {time.monotonic() - started:.0f} s"
    )
    for bulky in ("pg", "static"):  # a failed run keeps only its logs
        shutil.rmtree(directory / bulky, ignore_errors=True)
    if code == 0:
        shutil.rmtree(directory, ignore_errors=True)
    else:
        # CI keeps only the head and the tail of a long output: the table's failed rows and
        # what the logs said go last, where the tail shows them.
        print(failure_summary(rows, cluster.logs))
        print(f"Logs kept in {cluster.logs}")
    return code


def run(cluster: Cluster, started: float) -> list[Row]:
    from django.urls import reverse
    from django.utils import timezone

    from shop.devtools.bench import drop
    from shop.devtools.smtp_sink import SMTPSink
    from shop.devtools.stripe_simulator import Simulator, serve
    from shop.payments.webhooks import ENABLED_EVENTS

    from . import checks
    from .traffic import Traffic

    say(started, f"Starting PostgreSQL, Redis and S3 on 127.0.0.1; work in {cluster.dir}")
    boot(cluster, started)
    with (
        SMTPSink(port=cluster.ports.smtp) as mailbox,
        serve(Simulator(webhook_events=ENABLED_EVENTS), port=cluster.ports.stripe) as stripe,
    ):
        stripe.simulator.webhook_urls = (
            f"http://127.0.0.1:{cluster.ports.balancer}{reverse('stripe-webhook')}",
        )
        say(started, "Starting two app servers, the task worker and haproxy…")
        apps = [threading.Thread(target=cluster.start_app, args=(n,)) for n in (1, 2)]
        failures = _run_all(apps)
        if failures:
            raise ClusterError(failures[0])
        cluster.start_worker()
        cluster.start_balancer()
        placer = drop.OrderPlacer(cluster.ports.balancer, simulator_url=stripe.url)
        shop = checks.Shop(cluster, mailbox, placer)
        items, before = drop.prepare_stock(stdout=_Quiet())
        since = timezone.now()
        rows = []
        for journey in (checks.shopper_journey, checks.reader_journey, checks.staff_journey):
            say(started, f"Journey: {journey.__name__.replace('_', ' ')}")
            rows.append(journey(shop))
        say(started, "Background load on; injecting faults…")
        with Traffic(cluster.ports.balancer, shop.browsing_urls(), placer, items) as traffic:
            for fault in (
                checks.app_killed,
                checks.redis_stopped,
                checks.redis_silent,
                checks.primary_restarted,
                checks.replica_stopped,
                checks.worker_killed,
                checks.storage_stopped,
            ):
                say(started, f"Fault: {fault.__name__.replace('_', ' ')}")
                rows.append(fault(shop, traffic))
                say(started, f"  {rows[-1].observed}")
        say(started, "Load off; reconciling orders, stock and e-mail…")
        stripe.simulator.wait_for_deliveries(timeout=20)
        time.sleep(3)  # the worker sends the last confirmations
        rows.append(checks.orders_reconcile(shop, traffic, before=before, since=since))
        stripe.simulator.close()
    return rows


def boot(cluster: Cluster, started: float) -> None:
    """PostgreSQL (then the schema and the demo catalogue), Redis and S3, and the static files,
    side by side: the start is most of the run's time."""
    static = threading.Thread(target=_static_files, args=(cluster, started))
    stores = threading.Thread(target=lambda: (cluster.start_redis(), cluster.start_s3()))
    database = threading.Thread(target=cluster.start_postgres)
    failures = _run_all([static, stores, database])
    if failures:
        raise ClusterError(failures[0])
    say(started, "Migrating and seeding the demo catalogue…")
    cluster.run("migrate", [sys.executable, "manage.py", "migrate", "--noinput", "-v0"])
    seed()


def seed() -> None:
    """The demo catalogue, its pictures in the bucket. Their thumbnails are not made: nothing
    checks them, making them costs minutes, and the staff journey's upload makes real ones
    through the task worker."""
    from shop.devtools.demo.seed import seed_demo

    with mock.patch("catalogue.images.make_thumbnails", lambda *args, **kwargs: 0):
        seed_demo(with_staff=False)


def _static_files(cluster: Cluster, started: float) -> None:
    """WhiteNoise's manifest (DEBUG off needs it): the repo's var/static when it is fresh (read
    only), else collected into the run's directory."""
    from django.test import override_settings

    from shop.devtools.bench.common import collected_static_is_stale

    kept = ROOT / "var" / "static"
    with override_settings(STATIC_ROOT=kept):
        if not collected_static_is_stale():
            cluster.env["STATIC_ROOT"] = str(kept)
            return
    say(started, "Collecting static files (collectstatic) into the run's directory…")
    cluster.run("collectstatic", [sys.executable, "manage.py", "collectstatic", "--noinput", "-v0"])


def _run_all(threads: list[threading.Thread]) -> list[str]:
    failures = []

    def guarded(target):
        def run():
            try:
                target()
            except Exception as failed:  # reported as the start failing
                failures.append(f"{type(failed).__name__}: {failed}")

        return run

    for thread in threads:
        thread.run = guarded(thread.run)
        thread.start()
    for thread in threads:
        thread.join()
    return failures


class _Quiet:
    def write(self, text: str) -> None:
        pass


if __name__ == "__main__":
    sys.exit(main())
