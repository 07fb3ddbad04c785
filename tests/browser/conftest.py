"""Real-browser journeys: Debian's Chromium (never a downloaded browser), the shop on a live
server at 127.0.0.1, and Stripe played by the project's simulator over loopback.

Each test gets the demo shop copied into its database (tests.demo_snapshot): the live server
needs committed data, so these tests run with `transactional_db` (implied by `live_server`) and the
database is emptied after each one.
"""

from __future__ import annotations

import os

import pytest
from oscar.core.loading import get_model
from playwright.sync_api import sync_playwright

from blog.models import Post
from blog.services import HERO_SIZES
from catalogue.images import make_thumbnails
from shop.devtools.stripe_simulator import Simulator, serve
from shop.payments.webhooks import ENABLED_EVENTS
from tests.browser.checks import (
    CHROMIUM,
    CHROMIUM_ARGS,
    DESKTOP,
    Journey,
)
from tests.live import start_live_server

ProductImage = get_model("catalogue", "ProductImage")

ALLOW_ASYNC_UNSAFE = "DJANGO_ALLOW_ASYNC_UNSAFE"


@pytest.fixture(scope="session")
def live_server(django_db_setup):
    server = start_live_server()
    yield server
    server.stop()


# pytest-playwright's browser fixtures, scoped to this package instead of the session: Playwright
# stops after the last browser test. While its sync API runs, an asyncio loop stays marked running
# on the main thread, so tests run after these (pytest-django runs tests without a database last)
# could not use asyncio, and Django takes every ORM call for one made from async code.


@pytest.fixture(scope="package")
def playwright():
    before = os.environ.get(ALLOW_ASYNC_UNSAFE)
    # Nothing here is async: the ORM calls in these tests (and the database flush after each) are
    # on the main thread only because Playwright's loop is.
    os.environ[ALLOW_ASYNC_UNSAFE] = "true"
    try:
        with sync_playwright() as started:
            yield started
    finally:
        if before is None:
            del os.environ[ALLOW_ASYNC_UNSAFE]
        else:
            os.environ[ALLOW_ASYNC_UNSAFE] = before


@pytest.fixture(scope="package")
def browser_type(playwright, browser_name):
    return getattr(playwright, browser_name)


@pytest.fixture(scope="session")
def browser_type_launch_args(browser_type_launch_args):
    return {
        "headless": True,
        **browser_type_launch_args,  # --headed and --slowmo still work
        "executable_path": str(CHROMIUM),
        "args": CHROMIUM_ARGS,
    }


@pytest.fixture(scope="package")
def launch_browser(browser_type_launch_args, browser_type):
    return lambda **options: browser_type.launch(**{**browser_type_launch_args, **options})


@pytest.fixture(scope="package")
def browser(launch_browser):
    browser = launch_browser()
    yield browser
    browser.close()


@pytest.fixture(scope="package")
def browser_context_args():
    return {"viewport": DESKTOP}


@pytest.fixture
def shop(live_server, demo_shop):
    """The demo shop, served at `live_server.url`, with its thumbnails on disk (made by the task
    worker in production; the demo rows are copied in, so the first test makes them for the run)."""
    for name in ProductImage.objects.values_list("original", flat=True):
        make_thumbnails(name)
    for name in Post.objects.exclude(hero_image="").values_list("hero_image", flat=True):
        make_thumbnails(name, sizes=HERO_SIZES)


@pytest.fixture
def simulator(live_server, settings):
    """Stripe's simulator on 127.0.0.1: the payment page's Stripe.js stand-in talks to it, and it
    sends signed webhooks to the live server, every one of which the shop must accept.

    Its webhooks arrive while the test runs: call `simulator.wait_for_deliveries()` before the
    test reads the database (with in-memory SQLite the test shares the server's connection).
    """
    server = serve(
        Simulator(
            webhook_urls=[live_server.url + "/payments/stripe/webhook/"],
            webhook_events=ENABLED_EVENTS,
        )
    )
    settings.STRIPE_MODE = "simulator"
    settings.STRIPE_SIMULATOR_URL = server.url
    yield server.simulator
    delivered = server.simulator.wait_for_deliveries(timeout=15)
    server.simulator.close()
    server.shutdown()
    deliveries = server.simulator.deliveries
    accepted = {d.event_id for d in deliveries if d.status is not None and 200 <= d.status < 300}
    refused = [d for d in deliveries if d.event_id not in accepted]
    assert delivered, "the simulator still had webhooks to send after 15 s"
    assert not refused, f"webhooks the shop never accepted: {refused}"


@pytest.fixture(scope="session")
def _screenshots_taken():
    return {}


@pytest.fixture
def journey(page, live_server, request, _screenshots_taken):
    """A `Journey` on the test's tab, named for the screenshots by the module's JOURNEY."""
    name = getattr(request.module, "JOURNEY", "journey")
    watched = Journey(page, live_server.url, name, _screenshots_taken.get(name, 0))
    yield watched
    _screenshots_taken[name] = watched.shots


@pytest.hookimpl(wrapper=True)
def pytest_runtest_call(item):
    # Once a journey's steps have passed, fail it with what its pages failed (PageCheckFailed).
    result = yield
    journey = item.funcargs.get("journey")
    if journey is not None:
        journey.finish()
    return result
