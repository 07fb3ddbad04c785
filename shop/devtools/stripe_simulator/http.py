"""Two ways to reach a Simulator: in-process for the SDK, and a loopback server for browsers.

`InProcessHTTPClient` plugs into `stripe.StripeClient(http_client=...)`: the SDK's own request
building, retries and error parsing run unchanged, only no socket is opened. `serve()` runs the
same API on 127.0.0.1 with what a browser also needs: CORS for the Stripe.js stand-in and the
3-D Secure page Stripe would redirect the shopper to.
"""

import asyncio
import html
import json
import re
import sys
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from socketserver import ThreadingMixIn
from urllib.parse import unquote, urlsplit
from wsgiref.simple_server import ServerHandler, WSGIRequestHandler, WSGIServer

import stripe

from shop.devtools.stripe_simulator.amounts import format_amount
from shop.devtools.stripe_simulator.core import Simulator
from shop.devtools.stripe_simulator.errors import NetworkFailure, SimulatorError
from shop.devtools.stripe_simulator.forms import FormError, is_digits, parse_form

NETWORK_ERROR = (
    "Unexpected error communicating with Stripe. If this problem persists, let us know at "
    "support@stripe.com.\n\n(Network error: {})"
)


class InProcessHTTPClient(stripe.HTTPClient):
    """The SDK's HTTP client, answered by a Simulator in this process."""

    name = "simulator"

    def __init__(self, simulator: Simulator):
        super().__init__()
        self.simulator = simulator

    def request(self, method, url, headers, post_data=None):
        parts = urlsplit(url)
        body = post_data.encode() if isinstance(post_data, str) else (post_data or b"")
        try:
            status, payload, extra = self.simulator.handle(
                method, unquote(parts.path), parts.query, body, headers or {}
            )
        except NetworkFailure as failure:
            # What RequestsClient raises for a refused connection or a read timeout.
            raise stripe.APIConnectionError(
                NETWORK_ERROR.format(f"simulated {failure.kind}"), should_retry=True
            ) from None
        return json.dumps(payload), status, {name.lower(): value for name, value in extra.items()}

    def request_stream(self, method, url, headers, post_data=None):
        raise NotImplementedError("The simulator has no streaming endpoints.")

    def close(self):
        pass

    def _sleep_time_seconds(self, num_retries: int) -> float:
        # Nothing to wait for in-process: the SDK's back-off would only slow the tests down.
        return 0.0

    async def request_async(self, method, url, headers, post_data=None):
        return self.request(method, url, headers, post_data)

    async def request_stream_async(self, method, url, headers, post_data=None):
        raise NotImplementedError("The simulator has no streaming endpoints.")

    async def close_async(self):
        pass

    def sleep_async(self, secs: float):
        return asyncio.sleep(0)


# --- The loopback server -----------------------------------------------------------------------

CORS_HEADERS = [
    ("Access-Control-Allow-Origin", "*"),
    (
        "Access-Control-Allow-Headers",
        "Authorization, Content-Type, Idempotency-Key, Stripe-Version",
    ),
    ("Access-Control-Allow-Methods", "GET, POST, OPTIONS"),
    ("Access-Control-Expose-Headers", "Request-Id, Idempotent-Replayed"),
]


@dataclass
class Request:
    method: str
    path: str
    query: str
    body: bytes
    headers: dict[str, str]

    @property
    def form(self) -> dict:
        return parse_form(self.body)


@dataclass
class Response:
    status: int
    body: bytes = b""
    headers: list[tuple[str, str]] = field(default_factory=list)
    delay: float = 0.0  # an injected timeout: hold the answer this long


class _DropConnection(Exception):
    """Close the socket without answering, as a failing network would."""


def make_wsgi_app(simulator: Simulator) -> Callable:
    """The Stripe API under /v1/, the 3-D Secure page, dashboard actions and a health check."""

    def app(environ, start_response):
        request = _request_from(environ)
        response = _respond(simulator, request)
        if response.delay:
            time.sleep(response.delay)
        reason = HTTPStatus(response.status).phrase
        start_response(f"{response.status} {reason}", response.headers)
        return [response.body]

    return app


def _respond(simulator: Simulator, request: Request) -> Response:
    if request.method == "OPTIONS":
        return Response(204, headers=list(CORS_HEADERS))
    if request.path.startswith("/v1/"):
        return _api(simulator, request)
    for method, pattern, page in PAGES:
        match = pattern.fullmatch(request.path)
        if match and method == request.method:
            try:
                return page(simulator, request, **match.groupdict())
            except FormError as error:
                return _json(
                    400, {"error": {"type": "invalid_request_error", "message": str(error)}}
                )
            except SimulatorError as error:
                return _json(error.status, error.payload)
    return _html(404, "Not found", "<p>The Stripe simulator has no page here.</p>")


def _api(simulator: Simulator, request: Request) -> Response:
    try:
        status, payload, extra = simulator.handle(
            request.method, request.path, request.query, request.body, request.headers
        )
    except NetworkFailure as failure:
        if failure.kind == "connection":
            raise _DropConnection from None
        status, payload, extra = failure.response
        response = _json(status, payload, extra.items())
        response.delay = failure.delay
        return response
    response = _json(status, payload, extra.items())
    if _from_the_shops_server(simulator, request):
        response.delay = simulator.latency
    return response


def _from_the_shops_server(simulator: Simulator, request: Request) -> bool:
    """A call made with the secret key. Stripe.js's (the publishable key's) hold none of the
    shop's workers while Stripe answers, so the simulator's latency leaves them out."""
    return request.headers.get("Authorization", "").partition(" ")[2] == simulator.secret_key


# --- Pages -------------------------------------------------------------------------------------


def _health(simulator: Simulator, request: Request) -> Response:
    return _json(200, {"status": "ok"})


def _challenge_page(simulator: Simulator, request: Request, intent_id: str) -> Response:
    """Stands in for the bank's 3-D Secure challenge that Stripe redirects the shopper to."""
    intent = simulator.payment_intents.get(intent_id)
    if intent is None:
        return _html(404, "Unknown payment", "<p>There is no payment with this reference.</p>")
    if intent["status"] != "requires_action":
        return _html(
            409,
            "Nothing to authenticate",
            f"<p>This payment does not need authentication: it is "
            f"{html.escape(intent['status'])}.</p>",
        )
    amount = format_amount(intent["amount"], intent["currency"])
    reference = html.escape(intent_id)
    body = f"""
<p><strong>Test payments — no card is charged.</strong></p>
<p>This page stands in for your bank's 3-D Secure check. It is part of the shop's offline Stripe
simulator: no bank is contacted and no money moves.</p>
<p>Authorise a payment of <strong>{html.escape(amount)}</strong>?</p>
<form method="post" action="/3ds/{reference}/complete">
  <button type="submit">Complete authentication</button>
</form>
<form method="post" action="/3ds/{reference}/fail">
  <button type="submit">Fail authentication</button>
</form>"""
    return _html(200, "Simulated 3-D Secure", body)


def _challenge_result(
    simulator: Simulator, request: Request, intent_id: str, result: str
) -> Response:
    url = simulator.authenticate(intent_id, succeed=result == "complete")
    return Response(303, headers=[("Location", url), ("Content-Length", "0")])


def _dashboard_refund(simulator: Simulator, request: Request) -> Response:
    form = request.form
    amount = form.get("amount")
    if amount is not None and not is_digits(amount):
        raise SimulatorError(400, "invalid_request_error", f"Invalid integer: {amount}")
    refund = simulator.dashboard_refund(
        form.get("payment_intent", ""), int(amount) if amount else None
    )
    return _json(200, refund)


def _dashboard_dispute(simulator: Simulator, request: Request) -> Response:
    form = request.form
    dispute = simulator.open_dispute(
        form.get("payment_intent", ""), reason=form.get("reason", "fraudulent")
    )
    return _json(200, dispute)


PAGES = (
    ("GET", re.compile(r"/healthz"), _health),
    ("GET", re.compile(r"/3ds/(?P<intent_id>[^/]+)"), _challenge_page),
    ("POST", re.compile(r"/3ds/(?P<intent_id>[^/]+)/(?P<result>complete|fail)"), _challenge_result),
    ("POST", re.compile(r"/_sim/refund"), _dashboard_refund),
    ("POST", re.compile(r"/_sim/dispute"), _dashboard_dispute),
)

PAGE = """<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>{title}</title>
<link rel="icon" href="data:,">
<style>
  body {{ font-family: system-ui, sans-serif; max-width: 32rem; margin: 3rem auto; }}
  main {{ padding: 0 1rem; }}
  form {{ display: inline-block; margin: 0.5rem 0.5rem 0 0; }}
  button {{ font-size: 1rem; padding: 0.6rem 1rem; }}
</style>
</head>
<body>
<main>
<h1>{title}</h1>
{body}
</main>
</body>
</html>
"""


# --- Plumbing ----------------------------------------------------------------------------------


def _request_from(environ) -> Request:
    length = int(environ.get("CONTENT_LENGTH") or 0)
    body = environ["wsgi.input"].read(length) if length else b""
    headers = {
        key[5:].replace("_", "-").title(): value
        for key, value in environ.items()
        if key.startswith("HTTP_")
    }
    if environ.get("CONTENT_TYPE"):
        headers["Content-Type"] = environ["CONTENT_TYPE"]
    return Request(
        method=environ["REQUEST_METHOD"].upper(),
        path=environ.get("PATH_INFO") or "/",
        query=environ.get("QUERY_STRING", ""),
        body=body,
        headers=headers,
    )


def _json(status: int, payload: dict, extra=()) -> Response:
    body = json.dumps(payload, indent=2).encode()
    headers = [
        ("Content-Type", "application/json"),
        ("Content-Length", str(len(body))),
        *CORS_HEADERS,
        *((name, str(value)) for name, value in extra),
    ]
    return Response(status, body, headers)


def _html(status: int, title: str, body: str) -> Response:
    page = PAGE.format(title=html.escape(title), body=body).encode()
    headers = [("Content-Type", "text/html; charset=utf-8"), ("Content-Length", str(len(page)))]
    return Response(status, page, headers)


class _ServerHandler(ServerHandler):
    http_version = "1.1"  # every answer has its Content-Length: the connection can stay open

    def handle_error(self):
        dropped = isinstance(sys.exc_info()[1], _DropConnection)
        if dropped or self.headers_sent:  # nothing sent, or an answer cut short: hang up
            self.request_handler.close_connection = True
        if not dropped:
            super().handle_error()


class _RequestHandler(WSGIRequestHandler):
    """wsgiref's handler, quiet, able to hang up on a request (`_DropConnection`), and keeping
    HTTP/1.1 connections open as Stripe's API does: the shop's client reuses its connection for
    the next call instead of opening one (and the simulator a thread) for each."""

    protocol_version = "HTTP/1.1"
    # An answer leaves in one piece (wsgiref flushes once, after the body): without buffering,
    # the headers and body would go in separate small writes, and on a kept connection Nagle's
    # algorithm holds the second until the client's delayed ACK (~40 ms).
    wbufsize = -1
    disable_nagle_algorithm = True

    # http.server's loop over a connection's requests, which wsgiref's handler replaces with one.
    handle = BaseHTTPRequestHandler.handle

    def handle_one_request(self):
        self.raw_requestline = self.rfile.readline(65537)
        if not self.raw_requestline:  # the client closed the connection
            self.close_connection = True
            return
        if not self.parse_request():  # it answered the error, and hangs up after it
            self.close_connection = True
            return
        handler = _ServerHandler(
            self.rfile, self.wfile, self.get_stderr(), self.get_environ(), multithread=True
        )
        handler.request_handler = self
        handler.run(self.server.get_app())

    def log_message(self, format, *args):
        pass


class _ThreadingServer(ThreadingMixIn, WSGIServer):
    daemon_threads = True
    allow_reuse_address = True

    def handle_error(self, request, client_address):
        if not isinstance(sys.exc_info()[1], ConnectionError):
            super().handle_error(request, client_address)


@dataclass
class SimulatorServer:
    """A running loopback server; `shutdown()` stops it."""

    simulator: Simulator
    url: str
    port: int
    _server: _ThreadingServer
    _thread: threading.Thread

    def shutdown(self) -> None:
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def __enter__(self):
        return self

    def __exit__(self, *exc_info):
        self.shutdown()


def serve(simulator: Simulator, host: str = "127.0.0.1", port: int = 0) -> SimulatorServer:
    """Serve the simulator from a daemon thread; port 0 picks a free port."""
    server = _ThreadingServer((host, port), _RequestHandler)
    server.set_app(make_wsgi_app(simulator))
    port = server.server_port
    shown_host = "127.0.0.1" if host in ("", "0.0.0.0") else host
    url = f"http://{shown_host}:{port}"
    simulator.base_url = url  # 3-D Secure redirects must point here
    thread = threading.Thread(
        target=server.serve_forever,
        kwargs={"poll_interval": 0.05},  # so shutdown() returns promptly
        name=f"stripe-simulator-{port}",
        daemon=True,
    )
    thread.start()
    return SimulatorServer(simulator, url, port, server, thread)
