"""What a production process loads: the running shop, never the dev tooling in shop/devtools/."""

import json

from tests.test_settings import PRODUCTION, run_with

LOADED_DEVTOOLS = """
import json, sys, django
django.setup()
import shop.urls, shop.wsgi
print(json.dumps(sorted(m for m in sys.modules if m.split(".")[:2] == ["shop", "devtools"])))
"""


def test_production_urls_and_wsgi_load_no_dev_tooling():
    result = run_with(PRODUCTION, "-c", LOADED_DEVTOOLS)
    assert result.returncode == 0, result.stderr
    assert json.loads(result.stdout.strip().splitlines()[-1]) == []
