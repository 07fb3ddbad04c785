"""`manage.py bench --pages suggest` measures the search box's suggestions: none of its queries
run once the answer is kept, and a fixed few when every cache is emptied."""

import io
import json

import pytest
from django.core.management import call_command
from django.db import connection

from tests.search.test_suggestion_endpoint import QUERIES_ON_A_MISS


@pytest.mark.django_db
def test_the_bench_measures_the_suggestions_warm_and_uncached(demo_shop, tmp_path):
    call_command(
        "bench",
        sizes="demo",
        pages="suggest",
        requests=2,
        warmup=1,
        out=str(tmp_path),
        stdout=io.StringIO(),
    )
    result = json.loads((tmp_path / f"inprocess-demo-{connection.vendor}.json").read_text())
    row = next(r for r in result["rows"] if r["label"] == "suggest")
    assert row["error"] is None, row["error"]
    assert row["url"] == "/search/suggest/?q=enamle+pin"
    assert row["warm"]["queries"] <= 1  # a kept answer: at most the session of a shopper
    assert row["uncached"]["queries"] <= QUERIES_ON_A_MISS + 1
