"""`manage.py bench --load --compare-oscar`: the shop's basket and checkout preview against stock
Oscar's basket page, in one run on one harness (gunicorn with the same sync workers, the same load
generator), next to the shop's floor page. Every connection is a distinct guest shopper with a basket
of its own (shoppers.py), as during a sale, not one session shared by all.

Both servers run side by side; the pages are loaded one after the other, stock Oscar's basket and the
floor first and last, and the faster of each pair is the yardstick (other work on the machine drifts).
"""

from __future__ import annotations

import json
import os
import secrets
import subprocess
import sys
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.db import connection
from oscar.core.loading import get_model

from . import floor, load, report, scenarios, shoppers
from .common import BenchError, size_label, synthetic_count

Product = get_model("catalogue", "Product")

TARGET_RATIO = 3.0  # issue 16: basket and preview each at least 3x stock Oscar's basket page
STOCK_SETTINGS = "shop.devtools.bench.stock_oscar.settings"
OURS, STOCK = "ours", "stock Oscar"
# The preview as a paying shopper sees it, with the card form (DEBUG off and no keys shows a "payments
# are off" notice instead, which skips the work of the form). A GET never calls Stripe; no order is
# placed, so these keys are never sent anywhere.
PAYMENT_KEYS = {
    "STRIPE_SECRET_KEY": "sk_test_bench_never_sent",
    "STRIPE_PUBLISHABLE_KEY": "pk_test_bench_never_sent",
    "STRIPE_WEBHOOK_SECRET": "whsec_bench_never_sent",
}
FLOOR, BASKET, PREVIEW = "floor", "basket", "checkout preview"


# --- Stock Oscar -------------------------------------------------------------------------------


def stock_database_url() -> str:
    """Stock Oscar's own database, beside the shop's: on PostgreSQL the same server with
    "_stock_oscar" after the name (created when missing), else a SQLite file in var/stock_oscar/.
    STOCK_OSCAR_DATABASE_URL chooses another."""
    if os.environ.get("STOCK_OSCAR_DATABASE_URL"):
        return os.environ["STOCK_OSCAR_DATABASE_URL"]
    if connection.vendor != "postgresql":
        return f"sqlite:///{settings.VAR_DIR / 'stock_oscar' / 'stock_oscar.sqlite3'}"
    db = connection.settings_dict
    name = f"{db['NAME']}_stock_oscar"
    with connection.cursor() as cursor:
        cursor.execute("SELECT 1 FROM pg_database WHERE datname = %s", [name])
        if cursor.fetchone() is None:
            cursor.execute(f'CREATE DATABASE "{name}"')
    login = quote(db["USER"] or "", safe="")
    if db["PASSWORD"]:
        login += ":" + quote(db["PASSWORD"], safe="")
    port = f":{db['PORT']}" if db["PORT"] else ""
    return f"postgres://{login}@{db['HOST'] or '127.0.0.1'}{port}/{quote(name)}"


def stock_env(secret_key: str, database_url: str) -> dict[str, str]:
    return {
        **load.production_env(secret_key),
        "DJANGO_SETTINGS_MODULE": STOCK_SETTINGS,
        "STOCK_OSCAR_DATABASE_URL": database_url,
    }


def prepare_stock_oscar(env: dict[str, str], *, basket_upcs: list[str]) -> dict:
    """Migrate and seed stock Oscar's database; what its seed command says a shopper needs."""
    manage = [sys.executable, "manage.py"]
    for command in (
        ["migrate", "--noinput", "-v0"],
        ["seed_stock_oscar", "--basket-upcs", ",".join(basket_upcs)],
    ):
        done = subprocess.run(
            manage + command, cwd=settings.BASE_DIR, env=env, capture_output=True, text=True
        )
        if done.returncode:
            raise BenchError(f"Stock Oscar's {command[0]} failed:\n{done.stderr[-2000:]}")
    return json.loads(done.stdout.strip().splitlines()[-1])


# --- The run -----------------------------------------------------------------------------------


def run(
    *,
    duration: float,
    warmup: float,
    connections: int,
    workers: int,
    tool: str,
    out: Path,
    stdout,
    threads: int = 1,
) -> dict:
    """Load both shops in turn; write var/bench/compare-oscar-<size>-<vendor>.txt/.json."""
    machine = report.machine()
    tool = load.load_tool(tool, stdout=stdout)
    secret_key = secrets.token_urlsafe(50)
    env = {**load.production_env(secret_key), **PAYMENT_KEYS}
    load.collect_static_if_stale(env, stdout=stdout)
    ours = shoppers.ours()
    stdout.write("Preparing stock Oscar (migrate, seed the demo's products)…")
    database_url = stock_database_url()
    seed = prepare_stock_oscar(
        stock_env(secret_key, database_url),
        basket_upcs=[p.upc for p in scenarios.basket_products()],
    )
    stock = shoppers.Storefront.from_seed(STOCK, seed, basket_cookie="oscar_open_basket")
    out.mkdir(parents=True, exist_ok=True)
    stdout.write(
        f"Starting gunicorn ({load.server_words(workers, threads)}) for the shop and for stock Oscar on {load.HOST}; "
        f"{connections} distinct shoppers each, load by {tool}, {duration:g} s per page…"
    )
    made: list[load.HttpShopper] = []
    rows = []
    try:
        with (
            load._sigterm_stops_the_run(),
            load.gunicorn(
                workers=workers, threads=threads, env=env, log_path=out / "gunicorn.log"
            ) as port,
            load.gunicorn(
                workers=workers,
                threads=threads,
                env=stock_env(secret_key, database_url),
                log_path=out / "gunicorn-stock-oscar.log",
            ) as stock_port,
        ):

            def guests(front, at, *, checkout):
                browsers = shoppers.make_shoppers(
                    front,
                    count=connections,
                    checkout=checkout,
                    new_browser=lambda: load.HttpShopper(at),
                )
                if front is ours:
                    made.extend(browsers)
                return [b.cookie_header() for b in browsers]

            stdout.write("  making the shoppers (each through the checkout's own forms)…")
            cookies = {
                (OURS, BASKET): guests(ours, port, checkout=False),
                (OURS, PREVIEW): guests(ours, port, checkout=True),
                (STOCK, BASKET): guests(stock, stock_port, checkout=False),
                (STOCK, PREVIEW): guests(stock, stock_port, checkout=True),
            }
            plan = [
                (OURS, FLOOR, port, "/" + floor.PATH),
                (STOCK, BASKET, stock_port, stock.basket_url),
                (OURS, BASKET, port, ours.basket_url),
                (OURS, PREVIEW, port, ours.preview_url),
                (STOCK, PREVIEW, stock_port, stock.preview_url),
                (STOCK, BASKET, stock_port, stock.basket_url),
                (OURS, FLOOR, port, "/" + floor.PATH),
            ]
            for server, page, at, url in plan:
                row = measure(
                    tool,
                    at,
                    server=server,
                    page=page,
                    url=url,
                    cookies=cookies.get((server, page)),
                    connections=connections,
                    duration=duration,
                    warmup=warmup,
                )
                if any(r["server"] == server and r["page"] == page for r in rows):
                    row["label"] += " (again, at the end)"
                rows.append(row)
                stdout.write(f"  {row['label']}: {row['rps']:.1f} req/s")
    finally:
        for browser in made:
            scenarios.discard_shopper(browser.cookies, secret_key=secret_key)
    verdict = add_comparison(rows)
    result = {
        "kind": "compare-oscar",
        "size": size_label(synthetic_count()),
        "products": Product.objects.count(),
        "stock_products": seed["products"],
        "db_vendor": connection.vendor,
        "workers": workers,
        "threads": threads,
        "connections": connections,
        "shoppers": connections,
        "duration": duration,
        "warmup": warmup,
        "tool": "wrk, one thread per connection"
        if tool == "wrk"
        else "Python asyncio generator (shop/devtools/bench/load.py)",
        "machine": machine,
        "target_ratio": TARGET_RATIO,
        **verdict,
        "rows": rows,
    }
    name = f"compare-oscar-{result['size']}-{connection.vendor}"
    result["files"] = [str(out / f"{name}.txt"), str(out / f"{name}.json")]
    report.write(out, name, result, compare_text(result))
    return result


def measure(tool, port, *, server, page, url, cookies, connections, duration, warmup) -> dict:
    """One row: `url` under load, connection n sending cookies[n] (none for the floor)."""
    row = {
        "label": page if server == OURS else f"{STOCK}: {page}",
        "server": server,
        "page": page,
        "url": url,
        "requests": 0,
        "elapsed_s": 0.0,
        "rps": 0.0,
        "p50_ms": None,
        "p95_ms": None,
        "p99_ms": None,
        "errors": 0,
        "error_kinds": {},
    }
    if warmup > 0:
        load.drive(
            "python",
            port,
            url,
            cookie="",
            cookies=cookies,
            connections=connections,
            duration=warmup,
        )
    return load.measured(
        row,
        lambda: load.drive(
            tool,
            port,
            url,
            cookie="",
            cookies=cookies,
            connections=connections,
            duration=duration,
        ),
    )


# --- The verdict and the table -----------------------------------------------------------------


def add_comparison(rows: list[dict]) -> dict:
    """Each row's share of our floor and multiple of stock Oscar's basket (the faster of its runs),
    and the target: our basket and preview each ≥ TARGET_RATIO of it, with no error on either side."""
    floor_rps = max(
        (r["rps"] for r in rows if (r["server"], r["page"]) == (OURS, FLOOR)), default=0
    )
    yardsticks = [r for r in rows if (r["server"], r["page"]) == (STOCK, BASKET)]
    stock_rps = max((r["rps"] for r in yardsticks), default=0.0)
    stock_clean = bool(yardsticks) and all(r["errors"] == 0 and r["requests"] for r in yardsticks)
    for row in rows:
        row["floor_share"] = round(row["rps"] / floor_rps, 4) if floor_rps else None
        row["stock_basket_ratio"] = round(row["rps"] / stock_rps, 2) if stock_rps else None
        row["target"], row["target_met"] = "0 errors", row["errors"] == 0 and row["requests"] > 0
        if row["server"] == OURS and row["page"] in (BASKET, PREVIEW):
            row["target"] = f"≥ {TARGET_RATIO:g}x stock basket, 0 errors"
            row["target_met"] = (
                row["target_met"]
                and stock_clean
                and row["stock_basket_ratio"] is not None
                and row["stock_basket_ratio"] >= TARGET_RATIO
            )
    judged = [r for r in rows if r["server"] == OURS and r["page"] in (BASKET, PREVIEW)]
    return {
        "stock_basket_rps": stock_rps,
        "target_met": bool(judged) and all(r["target_met"] for r in judged),
    }


def compare_text(result: dict) -> str:
    def ms(value):
        return "—" if value is None else f"{value:.1f}"

    rows = [
        [
            row["label"],
            f"{row['requests']:,}",
            f"{row['rps']:.1f}",
            ms(row["p50_ms"]),
            ms(row["p95_ms"]),
            ms(row["p99_ms"]),
            f"{row['errors']:,}",
            "—" if row["floor_share"] is None else f"{row['floor_share'] * 100:.1f}%",
            "—" if row["stock_basket_ratio"] is None else f"{row['stock_basket_ratio']:.2f}x",
            row["target"],
            report.verdict(row["target_met"]),
        ]
        for row in result["rows"]
    ]
    header = [
        "page",
        "requests",
        "req/s",
        "p50 ms",
        "p95 ms",
        "p99 ms",
        "errors",
        "% of floor req/s",
        "x stock basket",
        "target",
        "verdict",
    ]
    lines = [
        f"Basket and checkout against stock Oscar {result['machine']['oscar']}: gunicorn, "
        f"{load.server_words(result['workers'], result.get('threads', 1))} for each shop on "
        f"127.0.0.1, {result['connections']} "
        f"connections, each a distinct guest shopper (own cookies, own basket of 3 lines), "
        f"{result['duration']:g} s per page after {result['warmup']:g} s warm-up, load by "
        f"{result['tool']}; the shop {result['products']:,} products, stock Oscar "
        f"{result['stock_products']:,} (the demo's), both on {result['db_vendor']}.",
        report.machine_line(result["machine"]),
        "",
        report.table(header, rows),
        "",
        f"Target (issue 16): our basket and our checkout preview each at least "
        f"{result['target_ratio']:g}x stock Oscar's basket page ({result['stock_basket_rps']:.1f} "
        f"req/s, the faster of its two runs), 0 errors: {report.verdict(result['target_met'])}.",
        "Stock Oscar's checkout preview is for orientation; the floor (the shop's trivial 30 KB "
        "page) and stock Oscar's basket are loaded first and last. Every shopper's page was "
        "checked once before the load (200 and the page's own marker).",
    ]
    for row in result["rows"]:
        if row["error_kinds"]:
            kinds = ", ".join(f"{k}: {n}" for k, n in sorted(row["error_kinds"].items()))
            lines.append(f"! {row['label']}: {kinds}")
    return "\n".join(lines) + "\n"
