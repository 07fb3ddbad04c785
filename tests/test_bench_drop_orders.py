"""`bench --drop`'s order placer places real guest orders over HTTP, through the checkout and
the Stripe simulator, against a live server; a product that sells out is reported as sold out."""

import http.client
import threading
from contextlib import contextmanager
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import urlsplit

import pytest
from django.utils import timezone
from oscar.core.loading import get_model

from shop.devtools.bench import scenarios
from shop.devtools.bench.drop import (
    PLACED,
    SOLD_OUT,
    OrderPlacer,
    buyable,
    check_stock,
    stock_snapshot,
)
from shop.devtools.stripe_simulator import Simulator, serve
from shop.payments.models import PaymentAttempt
from shop.payments.webhooks import ENABLED_EVENTS
from tests.live import LOOPBACK, start_live_server

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(scope="session")
def live_server(django_db_setup):
    server = start_live_server()
    yield server
    server.stop()


@pytest.fixture
def stripe(live_server, settings):
    server = serve(
        Simulator(
            webhook_urls=[live_server.url + "/payments/stripe/webhook/"],
            webhook_events=ENABLED_EVENTS,
        )
    )
    settings.STRIPE_MODE = "simulator"
    settings.STRIPE_SIMULATOR_URL = server.url
    yield server
    server.simulator.close()
    server.shutdown()


@pytest.fixture
def placer(live_server, stripe, demo_shop):
    return OrderPlacer(urlsplit(live_server.url).port, simulator_url=stripe.url)


def stock_of(product):
    return StockRecord.objects.get(product=product)


def test_placer_places_real_guest_orders_through_the_checkout_and_the_stock_reconciles(
    placer, stripe
):
    pin = scenarios.featured_product()
    before, since = stock_snapshot(), timezone.now()
    allocated = stock_of(pin).num_allocated or 0

    outcomes = [placer.place(buyable(pin)) for _ in range(3)]
    assert stripe.simulator.wait_for_deliveries(timeout=15)

    assert outcomes == [PLACED] * 3
    orders = Order.objects.filter(guest_email=scenarios.GUEST_EMAIL)
    assert orders.count() == 3
    for order in orders:
        assert [(line.product_id, line.quantity) for line in order.lines.all()] == [(pin.pk, 1)]
        assert order.shipping_address.postcode == scenarios.ADDRESS["postcode"]
    captured = PaymentAttempt.objects.filter(
        order__in=orders, status=PaymentAttempt.Status.CAPTURED
    )
    assert captured.count() == 3
    assert stock_of(pin).num_allocated == allocated + 3
    assert check_stock(before=before, since=since) == []


def test_the_last_unit_is_sold_once_and_the_next_shopper_finds_it_sold_out(placer, stripe):
    pin = scenarios.featured_product()
    record = stock_of(pin)
    StockRecord.objects.filter(pk=record.pk).update(num_in_stock=(record.num_allocated or 0) + 1)
    before, since = stock_snapshot(), timezone.now()

    outcomes = [placer.place(buyable(pin, scarce=True)) for _ in range(2)]
    assert stripe.simulator.wait_for_deliveries(timeout=15)

    assert outcomes == [PLACED, SOLD_OUT]
    assert Order.objects.filter(guest_email=scenarios.GUEST_EMAIL).count() == 1
    assert check_stock(before=before, since=since) == []


@contextmanager
def checkout_server(shop_port: int):
    """The checkout's own server, as a proxy routing by path gives it one: here it passes each
    request on to the shop and records its method and path."""
    seen: list[tuple[str, str]] = []

    class PassOn(BaseHTTPRequestHandler):
        def _pass_on(self):
            seen.append((self.command, urlsplit(self.path).path))
            body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
            shop = http.client.HTTPConnection(LOOPBACK, shop_port, timeout=30)
            shop.request(self.command, self.path, body=body or None, headers=dict(self.headers))
            answer = shop.getresponse()
            content = answer.read()
            shop.close()
            self.send_response(answer.status)
            for name, value in answer.getheaders():  # every Set-Cookie, each on its own line
                if name.lower() not in {"connection", "transfer-encoding", "content-length"}:
                    self.send_header(name, value)
            self.send_header("Content-Length", str(len(content)))
            self.end_headers()
            self.wfile.write(content)

        do_GET = do_POST = _pass_on

        def log_message(self, *args):
            pass

    server = ThreadingHTTPServer((LOOPBACK, 0), PassOn)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    try:
        yield server.server_address[1], seen
    finally:
        server.shutdown()
        server.server_close()


def test_with_a_checkout_server_the_page_is_read_from_the_pages_and_the_order_placed_at_the_other(
    live_server, stripe, demo_shop
):
    pin = scenarios.featured_product()
    pages_port = urlsplit(live_server.url).port

    with checkout_server(pages_port) as (checkout_port, seen):
        placer = OrderPlacer(pages_port, simulator_url=stripe.url, checkout_port=checkout_port)
        outcome = placer.place(buyable(pin))
    assert stripe.simulator.wait_for_deliveries(timeout=15)

    assert outcome == PLACED
    order = Order.objects.get(guest_email=scenarios.GUEST_EMAIL)
    assert [line.product_id for line in order.lines.all()] == [pin.pk]
    add = buyable(pin).add_url
    assert seen[0] == ("POST", add)
    assert ("GET", placer.urls["preview"]) in seen and seen[-1] == ("POST", placer.urls["preview"])
    assert ("GET", pin.get_absolute_url()) not in seen  # the product page: the pages' server
