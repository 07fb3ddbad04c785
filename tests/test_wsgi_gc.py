"""A server process keeps what loading the shop made out of Python's full collections (shop.wsgi):
a full collection walked all of it, with the worker answering nothing meanwhile."""

import json

from tests.test_settings import PRODUCTION, run_with

COUNTS_AFTER_LOADING = """
import gc, json
import shop.wsgi
print(json.dumps({"frozen": gc.get_freeze_count(), "collected": len(gc.get_objects())}))
"""


def test_loading_the_wsgi_application_freezes_what_it_loaded():
    result = run_with(PRODUCTION, "-c", COUNTS_AFTER_LOADING)
    assert result.returncode == 0, result.stderr
    counts = json.loads(result.stdout.strip().splitlines()[-1])
    # Django, Oscar and the shop's modules: tens of thousands of objects, none of them scanned by
    # a collection any more; what the collector still tracks is what came after the freeze.
    assert counts["frozen"] > 50_000
    assert counts["collected"] < counts["frozen"] / 20
