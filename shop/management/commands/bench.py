"""Measure every page kind: SQL queries and server time in-process, or requests/s under gunicorn load,
each next to a trivial 30 KB page through the same middleware (the floor). See shop/devtools/bench/.

    manage.py bench                                  in-process, the demo catalogue
    DATABASE_URL=postgres://… manage.py bench --sizes demo,100000
                                                     and at 100,000 products (meant for PostgreSQL:
                                                     seeding them on SQLite works, but slowly)
    manage.py bench --load --duration 10             under gunicorn on 127.0.0.1, loaded by wrk
                                                     (apt-get install wrk) or, without it, by a
                                                     built-in Python generator
    manage.py bench --load --compare-oscar --connections 8
                                                     the basket and checkout preview against stock
                                                     Oscar's basket page, one distinct guest
                                                     shopper per connection, in one run
    REDIS_URL=redis://… DATABASE_URL=postgres://… manage.py bench --drop --duration 10
                                                     listing, search, product and article pages
                                                     under load, quiet and while real orders are
                                                     placed at 1 and 10 per second (--rates),
                                                     Stripe answering at once or after
                                                     --stripe-latency ms; --checkout-workers N
                                                     gives the checkout a server of its own
    DATABASE_URL=postgres://… manage.py bench --order-profile --orders 10
                                                     one guest order's server cost per step
                                                     (queries, Python calls, CPU ms), in-process;
                                                     it places real orders in that database

Tables go to var/bench/ as text and JSON, with the machine they were measured on.
"""

import math
from pathlib import Path

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError

from shop.devtools.bench import (
    compare_oscar,
    drop,
    inprocess,
    load,
    order_profile,
    report,
    scenarios,
)
from shop.devtools.bench.common import BenchError, ensure_size, size_label


class Command(BaseCommand):
    help = (
        "Benchmark every page kind against the framework floor, in-process (queries, median/p95 "
        "ms) or with --load under gunicorn (requests/s, p50/p95/p99). Tables go to var/bench/."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--sizes",
            default="demo",
            help="comma-separated catalogue sizes: 'demo', or a number of synthetic products "
            "added by seed_demo --products when missing (e.g. demo,100000; the 100000 size is "
            "meant for PostgreSQL). Runs against DATABASE_URL.",
        )
        parser.add_argument(
            "--pages",
            default="",
            help=f"comma-separated page kinds (default: all): {', '.join(scenarios.KINDS)}",
        )
        parser.add_argument(
            "--out", default=str(settings.VAR_DIR / "bench"), help="where the tables go"
        )
        inproc = parser.add_argument_group("in-process")
        inproc.add_argument("--requests", type=int, default=50, help="timed requests per page")
        inproc.add_argument("--warmup", type=int, default=5, help="untimed requests per page first")
        inproc.add_argument(
            "--order-profile",
            action="store_true",
            help="one guest order's server cost per step (product page to webhooks and the task "
            "worker): SQL queries, Python calls, CPU ms; places real orders in the database",
        )
        inproc.add_argument(
            "--orders", type=int, default=10, help="with --order-profile: timed orders"
        )
        inproc.add_argument(
            "--order-profile-stats",
            action="store_true",
            help="with --order-profile: each step's cProfile as .pstats, its costliest calls printed",
        )
        under_load = parser.add_argument_group("under load (--load)")
        under_load.add_argument(
            "--load", action="store_true", help="serve with gunicorn on 127.0.0.1 and load it"
        )
        under_load.add_argument(
            "--compare-oscar",
            action="store_true",
            help="with --load: our basket and checkout preview against stock Oscar's basket page "
            "(shop/devtools/bench/stock_oscar/), each connection a distinct guest shopper; "
            "prints the ratios against the issue's 3x target next to our floor",
        )
        under_load.add_argument("--duration", type=float, default=10, help="seconds per page")
        under_load.add_argument(
            "--load-warmup", type=float, default=1, help="untimed seconds of load per page first"
        )
        under_load.add_argument("--connections", type=int, default=16)
        under_load.add_argument(
            "--workers",
            type=int,
            default=2,
            help="gunicorn sync workers (default 2, one per core on the 2-core target machine)",
        )
        under_load.add_argument(
            "--threads",
            type=int,
            default=1,
            help="threads per gunicorn worker (default 1: sync workers; more: gthread workers, so "
            "a request waiting on Stripe or a lock does not hold back the pages)",
        )
        under_load.add_argument(
            "--drop",
            action="store_true",
            help="listing, search, product and article pages under load, quiet and while guest "
            "orders go through the checkout (Stripe simulator) at each of --rates; needs "
            "PostgreSQL and REDIS_URL (its database is emptied first)",
        )
        under_load.add_argument(
            "--rates", default="1,10", help="with --drop: orders per second, comma-separated"
        )
        under_load.add_argument(
            "--stripe-latency",
            type=float,
            default=0.0,
            metavar="MS",
            help="with --drop: milliseconds the Stripe simulator takes to answer each of the "
            "shop's calls, as Stripe's servers do (default 0: at once)",
        )
        under_load.add_argument(
            "--checkout-workers",
            type=int,
            default=0,
            metavar="N",
            help="with --drop: give the checkout and Stripe's webhooks a gunicorn of their own "
            "with N workers, as a proxy routing by path would (default 0: one server for all)",
        )
        under_load.add_argument(
            "--checkout-threads",
            type=int,
            default=4,
            help="threads per worker of the checkout's own gunicorn (default 4)",
        )
        under_load.add_argument(
            "--tool",
            choices=["auto", "wrk", "python"],
            default="auto",
            help="auto: wrk when installed (apt-get install wrk), else the built-in Python generator",
        )

    def handle(self, *args, **options):
        sizes = self.parse_sizes(options["sizes"])
        kinds = [k.strip() for k in options["pages"].split(",") if k.strip()] or None
        out = Path(options["out"])
        if (
            min(options["requests"], options["connections"], options["workers"], options["threads"])
            < 1
        ):
            raise CommandError(
                "--requests, --connections, --workers and --threads must be at least 1."
            )
        if options["warmup"] < 0 or options["load_warmup"] < 0 or options["duration"] <= 0:
            raise CommandError("--duration must be positive, the warm-ups zero or more.")
        if options["compare_oscar"] and not options["load"]:
            raise CommandError("--compare-oscar runs under load: add --load.")
        if options["order_profile"] and (options["load"] or options["drop"]):
            raise CommandError("--order-profile runs in-process: leave out --load and --drop.")
        if options["orders"] < 1:
            raise CommandError("--orders must be at least 1.")
        if options["compare_oscar"] and options["drop"]:
            raise CommandError("--compare-oscar and --drop are separate runs: choose one.")
        if not 0 <= options["stripe_latency"] < math.inf:  # NaN fails both
            raise CommandError("--stripe-latency must be zero or more milliseconds.")
        if options["stripe_latency"] and not options["drop"]:
            raise CommandError("--stripe-latency is for --drop: add it.")
        if options["checkout_workers"] < 0 or options["checkout_threads"] < 1:
            raise CommandError(
                "--checkout-workers must be zero or more, --checkout-threads at least 1."
            )
        if options["checkout_workers"] and not options["drop"]:
            raise CommandError("--checkout-workers is for --drop: add it.")
        rates = self.parse_rates(options["rates"]) if options["drop"] else []
        under_load = {
            "duration": options["duration"],
            "warmup": options["load_warmup"],
            "connections": options["connections"],
            "workers": options["workers"],
            "threads": options["threads"],
            "tool": options["tool"],
            "out": out,
            "stdout": self.stdout,
        }
        results = []
        try:
            if options["drop"]:
                drop.check_requirements()  # before any seeding
            for synthetic in sizes:
                ensure_size(synthetic, stdout=self.stdout)
                if options["compare_oscar"]:
                    result = compare_oscar.run(**under_load)
                    text = compare_oscar.compare_text(result)
                elif options["drop"]:
                    result = drop.run(
                        rates=rates,
                        stripe_latency_ms=options["stripe_latency"],
                        checkout_workers=options["checkout_workers"],
                        checkout_threads=options["checkout_threads"],
                        **under_load,
                    )
                    text = drop.drop_text(result)
                elif options["order_profile"]:
                    result = order_profile.run(
                        synthetic=synthetic,
                        orders=options["orders"],
                        out=out,
                        stats=options["order_profile_stats"],
                    )
                    text = order_profile.order_profile_text(result)
                elif options["load"]:
                    result = load.run(kinds=kinds, **under_load)
                    text = report.load_text(result)
                else:
                    self.stdout.write(f"Measuring size {size_label(synthetic)} in-process…")
                    result = inprocess.run(
                        synthetic=synthetic,
                        kinds=kinds,
                        requests=options["requests"],
                        warmup=options["warmup"],
                        out=out,
                    )
                    text = report.inprocess_text(result)
                results.append(result)
                self.stdout.write("\n" + text)
                self.stdout.write("Wrote " + " and ".join(result["files"]) + "\n")
        except (BenchError, ValueError) as exc:
            raise CommandError(str(exc)) from exc
        except KeyboardInterrupt:
            self.stderr.write("Interrupted: the benchmark stopped (and so did its server).")
            raise SystemExit(130) from None
        if len(results) > 1 and not (
            options["load"] or options["drop"] or options["order_profile"]
        ):
            self.stdout.write(self.compare_queries(results))

    @staticmethod
    def parse_sizes(value: str) -> list[int]:
        sizes = []
        for size in (s.strip() for s in value.split(",") if s.strip()):
            if size == "demo":
                sizes.append(0)
            elif size.isascii() and size.isdigit():  # int() refuses "²", reads full-width digits
                sizes.append(int(size))
            else:
                raise CommandError(f"--sizes: {size!r} is neither 'demo' nor a number.")
        # Synthetic products are only ever added: measure the smaller catalogue first.
        return sorted(set(sizes)) or [0]

    @staticmethod
    def parse_rates(value: str) -> list[float]:
        try:
            rates = [float(r) for r in value.split(",") if r.strip()]
        except ValueError:
            raise CommandError(f"--rates: {value!r} is not a list of numbers.") from None
        if not rates or min(rates) <= 0:
            raise CommandError("--rates: give one or more orders-per-second figures above 0.")
        return rates

    @staticmethod
    def compare_queries(results: list[dict]) -> str:
        """The issue wants query counts unchanged between the demo catalogue and 100,000 products."""

        def counts(result):
            return {
                r["label"]: (r["warm"]["queries"], r["uncached"]["queries"])
                for r in result["rows"]
                if r["error"] is None
            }

        first, *rest = results
        changed = []
        for other in rest:
            ours, theirs = counts(first), counts(other)
            for label, queries in ours.items():
                if theirs.get(label) != queries:
                    changed.append(
                        f"  {label}: {queries} at {first['size']}, {theirs.get(label)} at "
                        f"{other['size']} (warm, uncached)"
                    )
        sizes = " and ".join(r["size"] for r in results)
        if not changed:
            return f"Queries per page are unchanged between sizes {sizes}: met.\n"
        return (
            f"Queries per page change between sizes {sizes}: NOT MET\n" + "\n".join(changed) + "\n"
        )
