"""Shared fixtures: media in a temporary folder, product views counted per test, the demo shop,
a staff client."""

import pytest
from django.contrib.auth import get_user_model

from catalogue import view_counts
from shop.devtools.demo.seed import DEMO_STAFF, seed_demo


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "page_cache: run with whole-page caching on (tests/test_page_cache.py)"
    )


@pytest.fixture(autouse=True)
def _page_cache(request, settings):
    """Pages are rendered afresh in tests (query budgets measure the render), unless a test
    is about the page cache itself."""
    settings.SHOP_PAGE_CACHE = request.node.get_closest_marker("page_cache") is not None
    if settings.SHOP_PAGE_CACHE:
        from django.core.cache import cache

        cache.clear()


@pytest.fixture(autouse=True)
def _product_view_counts(settings, monkeypatch):
    """Each test counts product views afresh, and they are written only when the test flushes them
    (tests/catalogue/test_product_views.py): never inside another test's query budget."""
    settings.SHOP_PRODUCT_VIEWS_FLUSH_SECONDS = 24 * 60 * 60
    monkeypatch.setattr(view_counts, "counter", view_counts.ViewCounter())


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    """Uploads and thumbnails go to a per-session temporary folder, never to var/."""
    settings.MEDIA_ROOT = str(tmp_path_factory.getbasetemp() / "media")


@pytest.fixture
def demo_shop(db):
    """The demo catalogue of `seed_demo`, with the demo staff account."""
    return seed_demo(with_staff=True)


@pytest.fixture
def staff_client(client, demo_shop):
    client.force_login(get_user_model().objects.get(username=DEMO_STAFF["username"]))
    return client


@pytest.fixture
def stripe_sim(settings, monkeypatch):
    """Payments in simulator mode, with the simulator reached in-process through the SDK."""
    from shop.devtools.stripe_simulator import InProcessHTTPClient, Simulator
    from shop.payments import client as payments_client

    settings.STRIPE_MODE = "simulator"
    simulator = Simulator(base_url=settings.STRIPE_SIMULATOR_URL)
    monkeypatch.setattr(payments_client, "http_client", lambda: InProcessHTTPClient(simulator))
    return simulator


@pytest.fixture
def sim_client(stripe_sim):
    """A StripeClient on the simulator, for what Stripe.js or Stripe's dashboard would do."""
    from shop.payments.client import stripe_client

    return stripe_client()
