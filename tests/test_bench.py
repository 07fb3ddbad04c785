"""`manage.py bench`: the in-process run writes queries and timings for every page and the floor;
the floor view is a 30 KB page that only the benchmark's URLconf serves. The load mode is too
slow for tests: only its choice of load generator and its table are checked."""

import importlib
import io
import json
import sys

import pytest
from django.core.management import call_command
from django.db import connection

from shop.devtools.bench import floor, inprocess, load, report
from shop.devtools.bench.common import BenchError
from shop.devtools.bench.load import add_floor_shares, production_env


@pytest.mark.django_db
def test_in_process_bench_writes_queries_and_timings_per_page_next_to_the_floor(
    demo_shop, tmp_path
):
    stdout = io.StringIO()
    call_command(
        "bench",
        sizes="demo",
        pages="product,article,checkout preview",
        requests=2,
        warmup=1,
        out=str(tmp_path),
        stdout=stdout,
    )

    result = json.loads((tmp_path / f"inprocess-demo-{connection.vendor}.json").read_text())
    rows = {row["label"]: row for row in result["rows"]}
    assert list(rows) == [
        "floor",
        "product",
        "product (with basket)",
        "article",
        "article (with basket)",
        "checkout preview",
    ]
    for label, row in rows.items():
        assert row["error"] is None, (label, row["error"])
        assert row["status"] == 200
        for series in (row["warm"], row["uncached"]):
            assert isinstance(series["queries"], int)
            assert len(series["timings_ms"]) == 2
            assert 0 < series["median_ms"] <= series["p95_ms"]
            assert series["floor_ratio"]["median"] > 0
    assert rows["floor"]["warm"]["queries"] == 0
    assert rows["floor"]["bytes"] == floor.SIZE
    # The uncached series renders the page: the product's own rows are read.
    assert any("catalogue_product" in sql for sql in rows["product"]["uncached"]["sql"])
    assert rows["article"]["cards"] == 12
    assert result["machine"]["db_vendor"] == connection.vendor
    assert result["machine"]["cpu_count"] >= 1
    # Which Python build ran it (the venv's base): builds differ in speed.
    assert result["machine"]["python_home"] == sys.base_prefix
    text = (tmp_path / f"inprocess-demo-{connection.vendor}.txt").read_text()
    assert "checkout preview" in text and "queries ≤ 12" in text
    assert f"Python {result['machine']['python']} ({sys.base_prefix}) · " in text
    assert text in stdout.getvalue()


@pytest.mark.django_db
def test_floor_view_is_a_30_kb_page_only_in_the_benchmarks_urlconf(client, settings):
    # The gunicorn of --load routes with the benchmark's URLconf too.
    bench_settings = importlib.import_module(production_env("key")["DJANGO_SETTINGS_MODULE"])
    settings.ROOT_URLCONF = bench_settings.ROOT_URLCONF
    response = client.get("/bench/floor/")
    assert response.status_code == 200
    assert 29_000 < len(response.content) < 32_000
    assert response["Content-Type"].startswith("text/html")

    settings.ROOT_URLCONF = "shop.urls"
    assert client.get("/bench/floor/").status_code == 404


def test_load_without_wrk_says_what_to_install_and_falls_back_to_the_python_generator(
    monkeypatch,
):
    def no_command(*args, **kwargs):
        raise AssertionError(f"the benchmark ran {args[0]!r}")

    monkeypatch.setattr(load.shutil, "which", lambda name: None)
    monkeypatch.setattr(load.subprocess, "run", no_command)
    monkeypatch.setattr(load.subprocess, "Popen", no_command)
    stdout = io.StringIO()

    assert load.load_tool("auto", stdout=stdout) == "python"
    assert "apt-get install wrk" in stdout.getvalue()
    assert "built-in Python generator" in stdout.getvalue()
    with pytest.raises(BenchError, match="apt-get install wrk"):
        load.load_tool("wrk", stdout=stdout)


def test_load_table_shows_each_page_share_of_the_floor_and_the_targets():
    def row(kind, shopper, rps, errors=0):
        target, _, _ = report.load_target(kind, shopper)
        label = f"{kind} (with basket)" if shopper == "basket" else kind
        return {
            "label": label,
            "kind": kind,
            "shopper": shopper,
            "requests": int(rps * 10),
            "rps": rps,
            "p50_ms": 5.0,
            "p95_ms": 9.0,
            "p99_ms": 12.5,
            "errors": errors,
            "error_kinds": {"HTTP 500": errors} if errors else {},
            "target": target,
        }

    rows = [
        row("floor", "anonymous", 2000.0),
        row("product", "anonymous", 600.0),
        row("catalogue", "anonymous", 300.0),
        row("product", "basket", 400.0, errors=3),
    ]
    add_floor_shares(rows)
    text = report.load_text(
        {
            "workers": 2,
            "connections": 16,
            "duration": 10,
            "warmup": 1,
            "tool": "wrk",
            "products": 46,
            "machine": {
                "date": "2026-01-01T00:00:00+00:00",
                "cpu_count": 2,
                "cpu": "test",
                "python": "3.11",
                "django": "5.2",
                "oscar": "4.2",
                "db_vendor": "sqlite",
                "db_version": "3",
            },
            "rows": rows,
        }
    )
    lines = {line.split("  ")[0]: line for line in text.splitlines()}
    assert "30.0%" in lines["product"] and lines["product"].endswith("met")
    assert "15.0%" in lines["catalogue"] and lines["catalogue"].endswith("NOT MET")
    assert lines["product (with basket)"].endswith("NOT MET")  # fast enough, but 3 errors
    assert "! product (with basket): HTTP 500: 3" in text


def test_threads_serve_with_gthread_workers_and_one_thread_stays_sync():
    threaded = load.gunicorn_command(8001, workers=2, threads=4)
    assert {"--workers=2", "--worker-class=gthread", "--threads=4"} <= set(threaded)
    assert "--worker-class=sync" in load.gunicorn_command(8001, workers=2)
    assert load.server_words(2, 4) == "2 workers of 4 threads"
    assert load.server_words(3) == "3 sync workers"
    assert load.server_words(1, 12) == "1 worker of 12 threads"
    assert load.server_words(1) == "1 sync worker"


def test_threads_below_one_are_refused_before_anything_starts():
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match="--threads must be at least 1"):
        call_command("bench", "--load", "--threads", "0", stdout=io.StringIO())


@pytest.mark.parametrize("sizes", ["1²", "\uff11\uff10", "many"])  # "\uff11\uff10": a full-width 10
def test_a_size_that_is_not_ascii_digits_is_refused_with_the_option_named(sizes):
    from django.core.management.base import CommandError

    with pytest.raises(CommandError, match=r"--sizes: .* is neither 'demo' nor a number"):
        call_command("bench", "--sizes", sizes, stdout=io.StringIO())


def test_the_suggestions_are_judged_on_their_own_50_ms_target_other_pages_on_150():
    def row(kind, p95_ms):
        series = {"median_ms": 1.0, "p95_ms": p95_ms, "queries": 5}
        return {"kind": kind, "error": None, "warm": dict(series), "uncached": dict(series)}

    rows = [row("floor", 1.0), row("suggest", 60.0), row("suggest", 40.0), row("catalogue", 60.0)]
    inprocess.judge(rows)
    assert [r["p95_met"] for r in rows[1:]] == [False, True, True]
