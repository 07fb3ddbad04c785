"""What a production process loads: the running shop, never the dev tooling in shop/devtools/."""

import json

from tests.test_settings import PRODUCTION, run_with

LOADED_MODULES = """
import json, sys, django
django.setup()
import shop.urls, shop.wsgi
print(json.dumps(sorted(m for m in sys.modules if m.startswith("shop."))))
"""


def test_production_urls_and_wsgi_load_no_dev_tooling():
    result = run_with(PRODUCTION, "-c", LOADED_MODULES)
    assert result.returncode == 0, result.stderr
    loaded = json.loads(result.stdout.strip().splitlines()[-1])
    # The whole running shop, the payments client and checkout included...
    assert {"shop.payments.client", "shop.payments.webhooks", "shop.checkout.views"} <= set(loaded)
    # ...and nothing of the demo seed, the benchmark or the Stripe simulator.
    assert [m for m in loaded if m.split(".")[:2] == ["shop", "devtools"]] == []
