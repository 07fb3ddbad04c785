"""`manage.py bench --load --compare-oscar`: every connection is a distinct guest shopper with a
basket of its own who really reaches the page measured, the load generators send each connection
its own cookies, and the report judges our basket and preview against stock Oscar's basket page.
The load itself is too slow for tests: its figures here are given."""

import dataclasses
import http.server
import shutil
import sys
import threading
from collections import Counter

import pytest
from django.test import Client
from oscar.core.loading import get_model

from shop.devtools.bench import compare_oscar, load, shoppers
from shop.devtools.bench.common import BenchError

Basket = get_model("basket", "Basket")


class ClientBrowser:
    """A shopper's browser played by Django's test client (the bench plays it over HTTP)."""

    def __init__(self):
        self.client = Client()
        self.body = b""

    @property
    def cookies(self) -> dict[str, str]:
        return {name: morsel.value for name, morsel in self.client.cookies.items()}

    def request(self, method, url, data=None):
        response = self.client.post(url, data) if method == "POST" else self.client.get(url)
        self.body = response.content
        return response.status_code


def basket_of(browser, front):
    basket_id = browser.cookies[front.basket_cookie].split(":")[0]
    return Basket.objects.get(pk=basket_id)


@pytest.mark.django_db
def test_each_guest_shopper_holds_a_basket_of_its_own_and_reaches_the_checkout_preview(demo_shop):
    front = shoppers.ours()

    browsers = shoppers.make_shoppers(front, count=3, checkout=True, new_browser=ClientBrowser)

    baskets = [basket_of(browser, front) for browser in browsers]
    assert len({basket.pk for basket in baskets}) == 3
    assert [basket.num_lines for basket in baskets] == [3, 3, 3]
    for n, browser in enumerate(browsers):
        preview = browser.client.get(front.preview_url)
        assert preview.status_code == 200
        assert shoppers.PREVIEW_MARKER in preview.content.decode()
        assert shoppers.shopper_email(n) in preview.content.decode()


@pytest.mark.django_db
def test_basket_shoppers_each_see_their_own_lines_on_the_basket_page(demo_shop):
    front = shoppers.ours()

    browsers = shoppers.make_shoppers(front, count=2, checkout=False, new_browser=ClientBrowser)

    first, second = (basket_of(browser, front) for browser in browsers)
    assert first.pk != second.pk
    assert first.num_lines == second.num_lines == 3
    page = browsers[0].client.get(front.basket_url)
    assert page.status_code == 200 and shoppers.BASKET_MARKER in page.content.decode()


@pytest.mark.django_db
def test_a_shopper_who_does_not_reach_the_preview_stops_the_run_before_any_load(demo_shop):
    front = shoppers.ours()

    # A refused form answers 200 with its errors instead of redirecting.
    wrong_method = dataclasses.replace(front, shipping_method="no-such-method")
    with pytest.raises(BenchError, match="POST /checkout/shipping-method/ answered 200"):
        shoppers.make_shoppers(wrong_method, count=1, checkout=True, new_browser=ClientBrowser)

    # With an empty basket every checkout step redirects back to the basket, as an accepted step
    # redirects onwards: only the preview itself tells them apart.
    empty_basket = dataclasses.replace(front, add_urls=())
    with pytest.raises(BenchError, match="answered 302 without 'id=\"place_order_form\"'"):
        shoppers.make_shoppers(empty_basket, count=1, checkout=True, new_browser=ClientBrowser)


@pytest.fixture
def cookie_counter():
    """A loopback HTTP server that counts the Cookie header of every request."""
    seen = Counter()

    class Handler(http.server.BaseHTTPRequestHandler):
        protocol_version = "HTTP/1.1"

        def do_GET(self):
            seen[self.headers.get("Cookie")] += 1
            self.send_response(200)
            self.send_header("Content-Length", "2")
            self.end_headers()
            self.wfile.write(b"ok")

        def log_message(self, *args):
            pass

    class Server(http.server.ThreadingHTTPServer):
        daemon_threads = True

        def handle_error(self, request, client_address):
            # wrk resets its connections when its time is up: not worth a traceback.
            if not isinstance(sys.exc_info()[1], ConnectionError):
                super().handle_error(request, client_address)

    server = Server((load.HOST, 0), Handler)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield server.server_address[1], seen
    server.shutdown()
    server.server_close()


@pytest.mark.parametrize("tool", ["python", "wrk"])
def test_load_generator_sends_each_connection_its_own_shoppers_cookies(tool, cookie_counter):
    if tool == "wrk" and not shutil.which("wrk"):
        pytest.skip("wrk is not installed (apt-get install wrk)")
    port, seen = cookie_counter
    cookies = [f"sessionid=shopper{n}; oscar_open_basket={n}:sig" for n in range(4)]

    sample = load.drive(
        tool, port, "/basket/", cookie="", cookies=cookies, connections=4, duration=1
    )

    assert sample["requests"] > 0 and sample["error_kinds"] == {}
    assert set(seen) == set(cookies)


def row(server, page, rps, errors=0):
    return {
        "label": page if server == compare_oscar.OURS else f"stock Oscar: {page}",
        "server": server,
        "page": page,
        "url": "/",
        "requests": int(rps * 10),
        "rps": rps,
        "p50_ms": 10.0,
        "p95_ms": 20.0,
        "p99_ms": 30.0,
        "errors": errors,
        "error_kinds": {"not 200": errors} if errors else {},
    }


OURS, STOCK = compare_oscar.OURS, compare_oscar.STOCK


def result_of(rows):
    verdict = compare_oscar.add_comparison(rows)
    result = {
        "workers": 2,
        "connections": 8,
        "duration": 10,
        "warmup": 1,
        "tool": "wrk, one thread per connection",
        "products": 46,
        "stock_products": 46,
        "db_vendor": "postgresql",
        "target_ratio": compare_oscar.TARGET_RATIO,
        "machine": {
            "date": "2026-01-01T00:00:00+00:00",
            "cpu_count": 2,
            "cpu": "test",
            "python": "3.11",
            "django": "5.2",
            "oscar": "4.2",
            "db_vendor": "postgresql",
            "db_version": "15",
        },
        **verdict,
        "rows": rows,
    }
    return result, compare_oscar.compare_text(result)


def test_report_judges_basket_and_preview_against_the_faster_stock_basket_run():
    rows = [
        row(OURS, "floor", 1800.0),
        row(STOCK, "basket", 100.0),
        row(OURS, "basket", 440.0),
        row(OURS, "checkout preview", 300.0),
        row(STOCK, "checkout preview", 90.0),
        row(STOCK, "basket", 110.0),
        row(OURS, "floor", 2000.0),
    ]

    result, text = result_of(rows)

    assert result["stock_basket_rps"] == 110.0
    by_label = {(r["server"], r["page"]): r for r in rows}
    basket, preview = by_label[OURS, "basket"], by_label[OURS, "checkout preview"]
    assert basket["stock_basket_ratio"] == 4.0 and basket["target_met"] is True
    assert preview["stock_basket_ratio"] == 2.73 and preview["target_met"] is False
    assert basket["floor_share"] == 0.22  # of the faster floor
    assert result["target_met"] is False
    assert "4.00x" in text and "2.73x" in text and "22.0%" in text
    assert "at least 3x stock Oscar's basket page (110.0 req/s" in text
    assert "0 errors: NOT MET." in text


def test_report_passes_only_when_both_pages_reach_3x_without_errors_on_either_side():
    clean = [
        row(OURS, "floor", 2000.0),
        row(STOCK, "basket", 100.0),
        row(OURS, "basket", 350.0),
        row(OURS, "checkout preview", 300.0),
    ]
    result, text = result_of(clean)
    assert result["target_met"] is True
    assert "0 errors: met." in text

    stock_failed = [*clean[:1], row(STOCK, "basket", 100.0, errors=5), *clean[2:]]
    result, text = result_of(stock_failed)
    assert result["target_met"] is False
    assert "! stock Oscar: basket: not 200: 5" in text

    ours_failed = [*clean[:2], row(OURS, "basket", 350.0, errors=1), clean[3]]
    result, _ = result_of(ours_failed)
    assert result["target_met"] is False
