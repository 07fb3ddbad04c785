"""The shop under a steady load for a bounded time, then its books checked (shop/devtools/bench/soak.py).

    DATABASE_URL=postgres://postgres@127.0.0.1:5432/postgres REDIS_URL=redis://127.0.0.1:6379/0 \\
        manage.py soak --seconds 600                  (make soak SOAK_SECONDS=600)

DATABASE_URL names the PostgreSQL server: the soak makes a database of its own there and drops it
at the end. Exits non-zero when a target is missed.
"""

from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shop.devtools.bench import soak
from shop.devtools.bench.common import BenchError


class Command(BaseCommand):
    help = (
        "Two gunicorn instances, a task worker, Redis and PostgreSQL under browsing and orders at "
        "a fixed rate for --seconds; prints memory growth per worker, database connections, "
        "error-log lines and the order/stock reconciliation, and fails when a target is missed."
    )

    def add_arguments(self, parser):
        parser.add_argument("--seconds", type=float, default=600, help="how long the soak lasts")
        parser.add_argument(
            "--warmup",
            type=float,
            default=60,
            help="seconds of the same load before memory is read",
        )
        parser.add_argument("--order-rate", type=float, default=1.0, help="guest orders a second")
        parser.add_argument("--readers", type=int, default=4, help="threads browsing")
        parser.add_argument(
            "--pause", type=float, default=0.2, help="seconds each reader waits between pages"
        )
        parser.add_argument(
            "--port",
            type=int,
            default=0,
            help="first of four loopback ports (two instances, mail sink, Stripe simulator); "
            "default: free ones",
        )
        parser.add_argument(
            "--out", default=str(settings.VAR_DIR / "soak"), help="where the logs and table go"
        )

    def handle(self, *args, **options):
        if options["seconds"] <= 0 or options["order_rate"] <= 0 or options["readers"] < 1:
            raise CommandError("--seconds and --order-rate must be positive, --readers at least 1.")
        try:
            measures, text = soak.run(
                seconds=options["seconds"],
                warmup=max(options["warmup"], 0.0),
                order_rate=options["order_rate"],
                readers=options["readers"],
                pause=max(options["pause"], 0.0),
                first_port=options["port"],
                out=Path(options["out"]),
                stdout=self.stdout,
            )
        except BenchError as exc:
            raise CommandError(str(exc)) from exc
        except KeyboardInterrupt:
            self.stderr.write("Interrupted: the soak stopped what it started.")
            raise SystemExit(130) from None
        self.stdout.write("\n" + text)
        if not soak.passed(measures):
            raise CommandError("The soak missed a target (NOT MET above).")
