"""The simulated Stripe account: its objects, their state machines, events and webhook delivery.

Pure Python and in memory, optionally kept in a JSON file across restarts (`state_path`).
`Simulator.handle` answers one API request the way Stripe would; the transports in `http.py`
(in-process for the SDK, loopback WSGI for browsers) only carry bytes.
"""

import contextlib
import copy
import hmac
import json
import logging
import os
import re
import secrets
import string
import tempfile
import threading
import time
import urllib.error
import urllib.request
from collections import deque
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime
from hashlib import sha256
from pathlib import Path
from typing import NamedTuple
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

import stripe

from shop.devtools.stripe_simulator import forms
from shop.payments.client import SIMULATOR_PUBLISHABLE_KEY as PUBLISHABLE_KEY
from shop.payments.client import SIMULATOR_SECRET_KEY as SECRET_KEY
from shop.payments.client import SIMULATOR_WEBHOOK_SECRET as WEBHOOK_SECRET
from shop.payments.money import ZERO_DECIMAL, from_minor_units

logger = logging.getLogger("shop.devtools.stripe_simulator")

DEFAULT_BASE_URL = "http://127.0.0.1:12111"
# Events carry the API version the SDK is pinned to, as Stripe's would for this account.
API_VERSION = stripe.api_version

CONFIRMATION_TOKEN_LIFETIME = 12 * 60 * 60
MAX_AMOUNT = 99_999_999
# Stripe's minimum charge per currency, in minor units (docs.stripe.com/currencies, "Minimum and
# maximum charge amounts"); others default to 1.
MINIMUM_AMOUNT = {"usd": 50, "eur": 50, "gbp": 30, "cad": 50, "aud": 50, "jpy": 50, "chf": 50}
CURRENCY_SYMBOLS = {"usd": "$", "eur": "€", "gbp": "£", "jpy": "¥", "cad": "CA$", "aud": "A$"}


# --- Errors ------------------------------------------------------------------------------------


class SimulatorError(Exception):
    """A Stripe API error: the HTTP status and Stripe's `error` object."""

    # Stripe saves the answer for idempotent replay once the endpoint has started to act.
    is_replayed = True

    def __init__(self, status: int, type: str, message: str, **fields):
        super().__init__(message)
        self.status = status
        self.error = {"type": type, "message": message}
        self.error.update((name, value) for name, value in fields.items() if value is not None)
        if "code" in self.error:
            self.error["doc_url"] = (
                f"https://stripe.com/docs/error-codes/{self.error['code'].replace('_', '-')}"
            )

    @property
    def payload(self) -> dict:
        return {"error": self.error}


class InvalidParams(SimulatorError):
    """A request refused before it ran (bad parameters): not saved for idempotent replay."""

    is_replayed = False

    def __init__(self, message: str, *, param: str | None = None, code: str | None = None):
        super().__init__(400, "invalid_request_error", message, param=param, code=code)


def _invalid(message: str, **fields) -> SimulatorError:
    return SimulatorError(400, "invalid_request_error", message, **fields)


class InvalidCard(SimulatorError):
    """Card details that cannot be a card (bad number, past expiry): refused before any charge.

    Stripe.js stops these in the browser; the API answers with Stripe's card_error codes, as a
    400 so that nothing is saved for replay.
    """

    is_replayed = False

    def __init__(self, code: str, message: str, param: str):
        super().__init__(400, "card_error", message, code=code, param=param)


class ResourceMissing(SimulatorError):
    """An unknown id: the request never reached an object, so nothing is saved for replay."""

    is_replayed = False

    def __init__(self, kind: str, object_id: str, param: str | None = None):
        super().__init__(
            404,
            "invalid_request_error",
            f"No such {kind}: '{object_id}'",
            code="resource_missing",
            param=param,
        )


class NetworkFailure(Exception):
    """An injected network fault for the transport to act out (drop the connection, time out).

    For a timeout the request has run: `response` is what the client never sees.
    """

    def __init__(self, kind: str, delay: float = 0.0, response: tuple | None = None):
        super().__init__(f"simulated {kind}")
        self.kind = kind
        self.delay = delay
        self.response = response


class RecordedRequest(NamedTuple):
    method: str
    path: str
    idempotency_key: str | None


class WebhookDelivery(NamedTuple):
    event_id: str
    url: str
    status: int | None  # None: no HTTP answer (connection refused, timeout)
    attempt: int


# --- Test cards --------------------------------------------------------------------------------


@dataclass(frozen=True)
class CardBehaviour:
    """What the card network does with a card: approve, ask for 3-D Secure, or decline."""

    outcome: str  # "approve" | "authenticate" | "decline"
    code: str = ""
    decline_code: str = ""
    message: str = ""


APPROVE = CardBehaviour("approve")
AUTHENTICATE = CardBehaviour("authenticate")
DECLINED = "Your card was declined."

# Stripe's test cards (https://docs.stripe.com/testing); any other valid number is approved.
TEST_CARDS = {
    "4000002760003184": AUTHENTICATE,
    "4000002500003155": AUTHENTICATE,
    "4000000000003220": AUTHENTICATE,
    "4000000000000002": CardBehaviour("decline", "card_declined", "generic_decline", DECLINED),
    "4000000000009995": CardBehaviour(
        "decline", "card_declined", "insufficient_funds", "Your card has insufficient funds."
    ),
    "4000000000009987": CardBehaviour("decline", "card_declined", "lost_card", DECLINED),
    "4000000000009979": CardBehaviour("decline", "card_declined", "stolen_card", DECLINED),
    "4000000000000069": CardBehaviour(
        "decline", "expired_card", "expired_card", "Your card has expired."
    ),
    "4000000000000127": CardBehaviour(
        "decline", "incorrect_cvc", "incorrect_cvc", "Your card's security code is incorrect."
    ),
    "4000000000000119": CardBehaviour(
        "decline",
        "processing_error",
        "processing_error",
        "An error occurred while processing your card. Try again in a little bit.",
    ),
}

# Stripe's test PaymentMethods: each use makes a new PaymentMethod with that card.
TEST_PAYMENT_METHODS = {
    "pm_card_visa": "4242424242424242",
    "pm_card_mastercard": "5555555555554444",
    "pm_card_amex": "378282246310005",
    "pm_card_authenticationRequired": "4000002500003155",
    "pm_card_threeDSecure2Required": "4000000000003220",
    "pm_card_chargeDeclined": "4000000000000002",
    "pm_card_chargeDeclinedInsufficientFunds": "4000000000009995",
    "pm_card_chargeDeclinedLostCard": "4000000000009987",
    "pm_card_chargeDeclinedStolenCard": "4000000000009979",
    "pm_card_chargeDeclinedExpiredCard": "4000000000000069",
    "pm_card_chargeDeclinedIncorrectCvc": "4000000000000127",
    "pm_card_chargeDeclinedProcessingError": "4000000000000119",
}

AUTHENTICATION_FAILED = (
    "We are unable to authenticate your payment method. "
    "Please choose a different payment method and try again."
)


def passes_luhn(number: str) -> bool:
    total = 0
    for position, digit in enumerate(int(d) for d in reversed(number)):
        if position % 2:
            digit = digit * 2 - 9 if digit > 4 else digit * 2
        total += digit
    return total % 10 == 0


def card_brand(number: str) -> str:
    if number.startswith("4"):
        return "visa"
    if number[:2] in {"34", "37"}:
        return "amex"
    if 51 <= int(number[:2]) <= 55 or 2221 <= int(number[:4]) <= 2720:
        return "mastercard"
    if number.startswith(("6011", "65")):
        return "discover"
    return "unknown"


def format_amount(amount: int, currency: str) -> str:
    """1250 usd → "$12.50", as Stripe's messages and the 3-D Secure page show money."""
    value = from_minor_units(amount, currency)
    text = f"{value:,.0f}" if currency in ZERO_DECIMAL else f"{value:,.2f}"
    symbol = CURRENCY_SYMBOLS.get(currency)
    return f"{symbol}{text}" if symbol else f"{text} {currency.upper()}"


# --- Routes ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Route:
    method: str
    pattern: re.Pattern
    action: str  # the Simulator method that answers
    publishable: bool = False  # Stripe.js may call it with the publishable key


def _route(method: str, template: str, action: str, *, publishable: bool = False) -> Route:
    regex = re.sub(r"\{(\w+)\}", r"(?P<\1>[^/]+)", template)
    return Route(method, re.compile(regex), action, publishable)


ROUTES = (
    _route("POST", "/v1/confirmation_tokens", "_create_confirmation_token", publishable=True),
    _route("GET", "/v1/confirmation_tokens/{token_id}", "_retrieve_confirmation_token"),
    _route("POST", "/v1/test_helpers/confirmation_tokens", "_create_test_confirmation_token"),
    _route("POST", "/v1/payment_intents", "_create_payment_intent"),
    _route("GET", "/v1/payment_intents", "_list_payment_intents"),
    _route("GET", "/v1/payment_intents/{intent_id}", "_retrieve_payment_intent"),
    _route("POST", "/v1/payment_intents/{intent_id}", "_update_payment_intent"),
    _route("POST", "/v1/payment_intents/{intent_id}/confirm", "_confirm_payment_intent"),
    _route("POST", "/v1/payment_intents/{intent_id}/capture", "_capture_payment_intent"),
    _route("POST", "/v1/payment_intents/{intent_id}/cancel", "_cancel_payment_intent"),
    _route("POST", "/v1/refunds", "_create_refund"),
    _route("GET", "/v1/refunds", "_list_refunds"),
    _route("GET", "/v1/refunds/{refund_id}", "_retrieve_refund"),
    _route("GET", "/v1/charges/{charge_id}", "_retrieve_charge"),
    _route("GET", "/v1/events", "_list_events"),
    _route("GET", "/v1/events/{event_id}", "_retrieve_event"),
)

# The error messages name objects the way Stripe's do ("No such PaymentMethod: 'pm_x'").
KIND_NAMES = {"payment_method": "PaymentMethod", "confirmation_token": "ConfirmationToken"}
# The fields `expand[]` can turn into objects, and the kind of object each becomes.
EXPANDABLE = {
    "payment_intent": {"latest_charge": "charge", "payment_method": "payment_method"},
    "charge": {"payment_intent": "payment_intent"},
    "refund": {"charge": "charge", "payment_intent": "payment_intent"},
}
CANCELABLE = (
    "requires_payment_method",
    "requires_capture",
    "requires_confirmation",
    "requires_action",
    "processing",
)
CONFIRMABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
CANCELLATION_REASONS = ("duplicate", "fraudulent", "requested_by_customer", "abandoned")
REFUND_REASONS = ("duplicate", "fraudulent", "requested_by_customer")
DISPUTE_REASONS = (
    "fraudulent",
    "duplicate",
    "product_not_received",
    "product_unacceptable",
    "subscription_canceled",
    "credit_not_processed",
    "general",
    "unrecognized",
)

PAYMENT_INTENT_FIELDS = {
    "amount",
    "automatic_payment_methods",
    "capture_method",
    "confirm",
    "confirmation_token",
    "currency",
    "description",
    "expand",
    "metadata",
    "payment_method",
    "payment_method_types",
    "receipt_email",
    "return_url",
    "shipping",
    "statement_descriptor_suffix",
}
CONFIRMATION_TOKEN_FIELDS = {
    "expand",
    "payment_method_data",
    "return_url",
    "setup_future_usage",
    "shipping",
}


def new_id(prefix: str, length: int = 24) -> str:
    """An id shaped like Stripe's: `pi_` and 24 letters and digits."""
    return f"{prefix}_{_random_text(length)}"


def _random_text(length: int) -> str:
    alphabet = string.ascii_letters + string.digits
    return "".join(secrets.choice(alphabet) for _ in range(length))


@dataclass
class _SavedResponse:
    fingerprint: str  # `_fingerprint` of the first request
    status: int
    payload: dict
    request_id: str


@dataclass(frozen=True)
class _Confirmation:
    payment_method_id: str
    token: dict | None
    return_url: str | None


@dataclass(frozen=True)
class _RequestInfo:
    id: str | None
    idempotency_key: str | None


class Simulator:
    """One Stripe test-mode account in memory. Thread-safe: every request holds one lock.

    With a `state_path` the account outlives the process: it is read from that JSON file on start
    and written back after every change, so a restarted demo can still refund earlier orders.
    """

    # Seconds between webhook attempts after a failure (Stripe's own schedule spans days).
    WEBHOOK_RETRY_DELAYS = (0.5, 2.0, 5.0)
    WEBHOOK_TIMEOUT = 5.0

    def __init__(
        self,
        secret_key: str = SECRET_KEY,
        publishable_key: str = PUBLISHABLE_KEY,
        webhook_secret: str = WEBHOOK_SECRET,
        base_url: str = DEFAULT_BASE_URL,
        webhook_urls: Iterable[str] = (),
        clock: Callable[[], float] = time.time,
        state_path: str | Path | None = None,
    ):
        self.secret_key = secret_key
        self.publishable_key = publishable_key
        self.webhook_secret = webhook_secret
        self.base_url = base_url
        self.webhook_urls = tuple(webhook_urls)
        self._clock = clock
        self._lock = threading.RLock()
        self._objects: dict[str, dict] = {}  # every object by id, oldest first
        self._card_behaviour: dict[str, CardBehaviour] = {}  # by PaymentMethod id
        self._token_payment_methods: dict[str, str] = {}
        self._return_urls: dict[str, str] = {}  # by PaymentIntent id
        self._saved_responses: dict[str, _SavedResponse] = {}  # by Idempotency-Key
        self._failures: deque[NetworkFailure] = deque()
        self._request: _RequestInfo | None = None  # the API request being answered, for events
        # (None outside `_run`: a dashboard action or 3-D Secure answer has no API request)
        self.requests: list[RecordedRequest] = []
        # Webhook delivery: one queue, one worker thread, in event order.
        self._outbox: deque[tuple[str, str]] = deque()
        self._outbox_changed = threading.Condition()
        self._undelivered = 0
        self._delivering = threading.Lock()
        self._worker: threading.Thread | None = None
        self._stopped = threading.Event()
        self.deliveries: list[WebhookDelivery] = []
        self.state_path = Path(state_path) if state_path is not None else None
        self._written_state: str | None = None  # what the file holds, to skip writing it again
        if self.state_path is not None:
            self._load_state()

    # --- What tests and the transports call ----------------------------------------------------

    def handle(
        self, method: str, path: str, query: str, body: bytes, headers: Mapping[str, str]
    ) -> tuple[int, dict, dict]:
        """Answer one API request: (HTTP status, JSON body, extra response headers).

        Raises NetworkFailure when a fault was injected that the transport must act out.
        """
        method = method.upper()
        headers = {name.lower(): value for name, value in headers.items()}
        request_id = new_id("req", 14)
        key = headers.get("idempotency-key") if method == "POST" else None
        with self._lock:
            self.requests.append(RecordedRequest(method, path, key))
            failure = self._failures.popleft() if self._failures else None
            if failure and failure.kind == "connection":
                raise failure
            if failure and failure.kind == "server_error":
                status, payload, extra = 500, _server_error_payload(), {}
            else:
                status, payload, extra = self._answer(
                    method, path, query, body, headers, request_id
                )
                if method == "POST":  # GETs only read
                    self._save_state()
        extra = {"Request-Id": request_id, "Stripe-Version": API_VERSION, **extra}
        if key:
            extra["Idempotency-Key"] = key
        if failure and failure.kind == "timeout":
            failure.response = (status, payload, extra)
            raise failure
        return status, payload, extra

    def fail_next(self, count: int = 1, kind: str = "connection", delay: float = 0.0) -> None:
        """Make the next `count` API requests fail: "connection", "server_error" or "timeout".

        A connection failure never reaches the account; a timeout runs the request and loses
        the answer (the loopback server holds it for `delay` seconds); a server error is a 500.
        """
        if kind not in ("connection", "server_error", "timeout"):
            raise ValueError(f"Unknown failure kind: {kind}")
        with self._lock:
            self._failures.extend(NetworkFailure(kind, delay) for _ in range(count))

    def authenticate(self, payment_intent_id: str, succeed: bool) -> str:
        """The shopper's answer on the 3-D Secure page; returns where to send them back to."""
        with self._lock:
            intent = self._get("payment_intent", payment_intent_id)
            if intent["id"] not in self._return_urls:
                raise _invalid(f"PaymentIntent {payment_intent_id} was never sent to 3-D Secure.")
            if intent["status"] == "requires_action":
                intent["next_action"] = None
                if succeed:
                    # A decline after authentication is recorded on the intent; no one to tell.
                    with contextlib.suppress(SimulatorError):
                        self._charge(intent, intent["payment_method"])
                else:
                    self._fail_authentication(intent)
            self._save_state()
            return self._return_url_with_result(intent)

    def dashboard_refund(self, payment_intent_id: str, amount: int | None = None) -> dict:
        """A refund made in Stripe's dashboard, outside the shop: same effects, same events."""
        with self._lock:
            intent = self._get("payment_intent", payment_intent_id)
            charge = self._refundable_charge(intent)
            if amount is not None and amount < 1:
                raise InvalidParams("Invalid positive integer", param="amount")
            refund = self._refund(charge, amount, reason=None, metadata={})
            self._save_state()
            return self._view(refund)

    def open_dispute(self, payment_intent_id: str, reason: str = "fraudulent") -> dict:
        """The shopper's bank disputes the payment (a chargeback)."""
        if reason not in DISPUTE_REASONS:
            raise InvalidParams(f"Invalid reason: must be one of {', '.join(DISPUTE_REASONS)}")
        with self._lock:
            intent = self._get("payment_intent", payment_intent_id)
            charge = self._objects.get(intent["latest_charge"] or "")
            if charge is None or not charge["captured"]:
                raise _invalid(f"PaymentIntent {payment_intent_id} has no captured charge.")
            now = self._now()
            dispute = self._store(
                {
                    "id": new_id("dp"),
                    "object": "dispute",
                    "amount": charge["amount_captured"],
                    "balance_transactions": [],
                    "charge": charge["id"],
                    "created": now,
                    "currency": charge["currency"],
                    "evidence": {},
                    "evidence_details": {
                        "due_by": now + 7 * 24 * 60 * 60,
                        "has_evidence": False,
                        "past_due": False,
                        "submission_count": 0,
                    },
                    "is_charge_refundable": False,
                    "livemode": False,
                    "metadata": {},
                    "payment_intent": intent["id"],
                    "reason": reason,
                    "status": "needs_response",
                }
            )
            charge["disputed"] = True
            self._emit("charge.dispute.created", dispute)
            self._save_state()
            return self._view(dispute)

    @property
    def payment_intents(self) -> dict[str, dict]:
        return self._all("payment_intent")

    @property
    def charges(self) -> dict[str, dict]:
        return self._all("charge")

    @property
    def refunds(self) -> dict[str, dict]:
        return self._all("refund")

    @property
    def events(self) -> list[dict]:
        """Every event so far, oldest first."""
        return list(self._all("event").values())

    # --- Webhooks ------------------------------------------------------------------------------

    def sign(self, payload: bytes | str, timestamp: int | None = None, secret=None) -> str:
        """The `Stripe-Signature` header for a payload, as `stripe.WebhookSignature` checks it."""
        if isinstance(payload, bytes):
            payload = payload.decode("utf-8")
        timestamp = int(self._clock()) if timestamp is None else int(timestamp)
        signed = f"{timestamp}.{payload}".encode()
        digest = hmac.new((secret or self.webhook_secret).encode(), signed, sha256).hexdigest()
        return f"t={timestamp},v1={digest}"

    def webhook_request(self, event: dict) -> tuple[bytes, str]:
        """The body and `Stripe-Signature` header Stripe would POST for this event."""
        payload = json.dumps(event, indent=2).encode()
        return payload, self.sign(payload)

    def deliver_pending(self) -> None:
        """Deliver every queued webhook now, in this thread (in order, with the worker)."""
        while self._deliver_next():
            pass

    def wait_for_deliveries(self, timeout: float = 5.0) -> bool:
        """True once every queued webhook has been delivered or given up on."""
        with self._outbox_changed:
            return self._outbox_changed.wait_for(lambda: self._undelivered == 0, timeout)

    def close(self) -> None:
        """Stop the webhook worker; undelivered webhooks are dropped."""
        with self._outbox_changed:
            self._stopped.set()
            self._undelivered -= len(self._outbox)
            self._outbox.clear()
            self._outbox_changed.notify_all()

    # --- Requests: routing, authentication, idempotency ----------------------------------------

    def _answer(self, method, path, query, body, headers, request_id) -> tuple[int, dict, dict]:
        try:
            route, path_args = self._resolve(method, path)
            self._check_api_key(headers.get("authorization", ""), route)
            params = forms.parse_form(body if method == "POST" else query)
        except forms.FormError as error:
            return 400, InvalidParams(str(error), param=error.param, code=error.code).payload, {}
        except SimulatorError as error:
            return error.status, error.payload, {}
        key = headers.get("idempotency-key") if method == "POST" else None
        if key is None:
            status, payload, _ = self._run(route, path_args, params, request_id, None)
            return status, payload, {}
        fingerprint = _fingerprint(method, path, params)
        saved = self._saved_responses.get(key)
        if saved is not None:
            if saved.fingerprint != fingerprint:
                error = SimulatorError(
                    400,
                    "idempotency_error",
                    "Keys for idempotent requests can only be used with the same parameters "
                    "they were first used with. Try using a key other than "
                    f"'{key}' if you meant to execute a different request.",
                )
                return error.status, error.payload, {}
            replayed = {"Idempotent-Replayed": "true", "Original-Request": saved.request_id}
            return saved.status, copy.deepcopy(saved.payload), replayed
        status, payload, is_saved = self._run(route, path_args, params, request_id, key)
        if is_saved:
            self._saved_responses[key] = _SavedResponse(
                fingerprint, status, copy.deepcopy(payload), request_id
            )
        return status, payload, {}

    def _run(self, route, path_args, params, request_id, key) -> tuple[int, dict, bool]:
        """Run the endpoint: (status, body, whether Stripe saves it for idempotent replay)."""
        self._request = _RequestInfo(request_id, key)
        try:
            return 200, getattr(self, route.action)(params, **path_args), True
        except forms.FormError as error:
            return 400, InvalidParams(str(error), param=error.param, code=error.code).payload, False
        except SimulatorError as error:  # a decline is replayed like a success
            return error.status, error.payload, error.is_replayed
        finally:
            self._request = None

    def _resolve(self, method: str, path: str) -> tuple[Route, dict]:
        for route in ROUTES:
            match = route.pattern.fullmatch(path)
            if match and route.method == method:
                return route, match.groupdict()
        raise SimulatorError(
            404,
            "invalid_request_error",
            f"Unrecognized request URL ({method}: {path}). Please see https://stripe.com/docs "
            "or we can help at https://support.stripe.com/.",
        )

    def _check_api_key(self, authorization: str, route: Route) -> None:
        scheme, _, key = authorization.partition(" ")
        if scheme.lower() != "bearer" or not key:
            raise SimulatorError(
                401,
                "invalid_request_error",
                "You did not provide an API key. You need to provide your API key in the "
                "Authorization header, using Bearer auth (e.g. 'Authorization: Bearer "
                "YOUR_SECRET_KEY').",
            )
        if key == self.publishable_key and not route.publishable:
            raise SimulatorError(
                401,
                "invalid_request_error",
                "This API call cannot be made with a publishable API key. "
                "Please use a secret API key.",
            )
        if key not in (self.secret_key, self.publishable_key):
            raise SimulatorError(
                401, "invalid_request_error", f"Invalid API Key provided: {_mask(key)}"
            )

    # --- Endpoints: confirmation tokens --------------------------------------------------------

    def _create_confirmation_token(self, params: dict) -> dict:
        """What Stripe.js's `createConfirmationToken` posts with the card the shopper typed."""
        forms.allow_only(params, CONFIRMATION_TOKEN_FIELDS)
        expand = _expand_param(params, "confirmation_token")
        data = params.get("payment_method_data")
        if not isinstance(data, dict):
            raise InvalidParams(
                "Missing required param: payment_method_data.",
                param="payment_method_data",
                code="parameter_missing",
            )
        method = self._create_card_payment_method(data)
        return self._new_confirmation_token(method, params, expand)

    def _create_test_confirmation_token(self, params: dict) -> dict:
        """Stripe's server-side test helper: a token for a test PaymentMethod (`pm_card_visa`)."""
        forms.allow_only(params, CONFIRMATION_TOKEN_FIELDS | {"payment_method"})
        expand = _expand_param(params, "confirmation_token")
        if "payment_method" in params:
            method = self._payment_method_for(params["payment_method"])
        elif isinstance(params.get("payment_method_data"), dict):
            method = self._create_card_payment_method(params["payment_method_data"])
        else:
            raise InvalidParams(
                "You must provide either payment_method or payment_method_data.",
                param="payment_method",
                code="parameter_missing",
            )
        return self._new_confirmation_token(method, params, expand)

    def _retrieve_confirmation_token(self, params: dict, token_id: str) -> dict:
        forms.allow_only(params, {"expand"})
        expand = _expand_param(params, "confirmation_token")
        return self._view(self._get("confirmation_token", token_id), expand)

    def _new_confirmation_token(self, method: dict, params: dict, expand: list[str]) -> dict:
        now = self._now()
        return_url = params.get("return_url")
        if return_url is not None:
            forms.check_url(return_url, "return_url")
        token = self._store(
            {
                "id": new_id("ctoken"),
                "object": "confirmation_token",
                "created": now,
                "expires_at": now + CONFIRMATION_TOKEN_LIFETIME,
                "livemode": False,
                "mandate_data": None,
                "payment_intent": None,
                "payment_method_options": None,
                "payment_method_preview": {
                    "type": "card",
                    "allow_redisplay": "unspecified",
                    "billing_details": copy.deepcopy(method["billing_details"]),
                    "card": copy.deepcopy(method["card"]),
                    "customer": None,
                },
                "return_url": return_url,
                "setup_future_usage": params.get("setup_future_usage"),
                "setup_intent": None,
                "shipping": params.get("shipping"),
                "use_stripe_sdk": True,
            }
        )
        self._token_payment_methods[token["id"]] = method["id"]
        return self._view(token, expand)

    # --- Endpoints: payment intents ------------------------------------------------------------

    def _create_payment_intent(self, params: dict) -> dict:
        forms.allow_only(params, PAYMENT_INTENT_FIELDS)
        expand = _expand_param(params, "payment_intent")
        amount = forms.positive_int(params, "amount", required=True)
        currency = forms.currency_code(params)
        minimum = MINIMUM_AMOUNT.get(currency, 1)
        if amount < minimum:
            raise InvalidParams(
                f"Amount must be at least {format_amount(minimum, currency)} {currency}",
                param="amount",
                code="amount_too_small",
            )
        if amount > MAX_AMOUNT:
            raise InvalidParams(
                f"Amount must be no more than {format_amount(MAX_AMOUNT, currency)}",
                param="amount",
                code="amount_too_large",
            )
        capture_method = forms.choice(
            params, "capture_method", ("automatic", "automatic_async", "manual"), "automatic"
        )
        confirm = forms.boolean(params, "confirm", default=False)
        types = forms.as_list(params.get("payment_method_types", ["card"]), "payment_method_types")
        if types != ["card"]:
            raise InvalidParams(
                "The simulator only takes cards: payment_method_types must be ['card'].",
                param="payment_method_types",
            )
        automatic = params.get("automatic_payment_methods")
        if automatic is not None:
            if not isinstance(automatic, dict):
                raise InvalidParams("Invalid hash", param="automatic_payment_methods")
            automatic = {
                "enabled": forms.boolean(automatic, "enabled", default=False),
                "allow_redirects": automatic.get("allow_redirects", "always"),
            }
        intent_id = new_id("pi")
        intent = {
            "id": intent_id,
            "object": "payment_intent",
            "amount": amount,
            "amount_capturable": 0,
            "amount_received": 0,
            "automatic_payment_methods": automatic,
            "canceled_at": None,
            "cancellation_reason": None,
            "capture_method": capture_method,
            "client_secret": f"{intent_id}_secret_{_random_text(25)}",
            "confirmation_method": "automatic",
            "created": self._now(),
            "currency": currency,
            "customer": None,
            "description": params.get("description"),
            "last_payment_error": None,
            "latest_charge": None,
            "livemode": False,
            "metadata": forms.merged_metadata(params.get("metadata"), {}),
            "next_action": None,
            "payment_method": None,
            "payment_method_types": ["card"],
            "receipt_email": params.get("receipt_email"),
            "shipping": params.get("shipping"),
            "statement_descriptor_suffix": params.get("statement_descriptor_suffix"),
            "status": "requires_payment_method",
        }
        if not confirm:
            for param in ("confirmation_token", "return_url"):
                if param in params:
                    raise InvalidParams(
                        f"You may only specify {param} when confirm=true.", param=param
                    )
        if "payment_method" in params:
            intent["payment_method"] = self._payment_method_for(params["payment_method"])["id"]
            intent["status"] = "requires_confirmation"
        confirmation = None
        if confirm:
            confirmation = self._prepare_confirmation(
                intent,
                confirmation_token=params.get("confirmation_token"),
                return_url=params.get("return_url"),
            )
        self._store(intent)
        self._emit("payment_intent.created", intent)
        if confirmation is not None:
            self._confirm(intent, confirmation)
        return self._view(intent, expand)

    def _retrieve_payment_intent(self, params: dict, intent_id: str) -> dict:
        forms.allow_only(params, {"expand"})
        expand = _expand_param(params, "payment_intent")
        return self._view(self._get("payment_intent", intent_id), expand)

    def _update_payment_intent(self, params: dict, intent_id: str) -> dict:
        forms.allow_only(params, {"description", "expand", "metadata", "receipt_email"})
        expand = _expand_param(params, "payment_intent")
        intent = self._get("payment_intent", intent_id)
        if "metadata" in params:
            intent["metadata"] = forms.merged_metadata(params["metadata"], intent["metadata"])
        for field in ("description", "receipt_email"):
            if field in params:
                intent[field] = params[field] or None
        return self._view(intent, expand)

    def _confirm_payment_intent(self, params: dict, intent_id: str) -> dict:
        forms.allow_only(
            params,
            {"confirmation_token", "expand", "payment_method", "receipt_email", "return_url"},
        )
        expand = _expand_param(params, "payment_intent")
        intent = self._get("payment_intent", intent_id)
        confirmation = self._prepare_confirmation(
            intent,
            confirmation_token=params.get("confirmation_token"),
            payment_method=params.get("payment_method"),
            return_url=params.get("return_url"),
        )
        if "receipt_email" in params:
            intent["receipt_email"] = params["receipt_email"] or None
        self._confirm(intent, confirmation)
        return self._view(intent, expand)

    def _capture_payment_intent(self, params: dict, intent_id: str) -> dict:
        forms.allow_only(params, {"amount_to_capture", "expand", "metadata"})
        expand = _expand_param(params, "payment_intent")
        intent = self._get("payment_intent", intent_id)
        if intent["status"] != "requires_capture":
            raise self._unexpected_state(
                intent,
                "This PaymentIntent could not be captured because it has a status of "
                f"{intent['status']}. Only a PaymentIntent with one of the following statuses "
                "may be captured: requires_capture.",
            )
        amount = forms.positive_int(params, "amount_to_capture") or intent["amount_capturable"]
        if amount > intent["amount_capturable"]:
            raise InvalidParams(
                f"The amount_to_capture ({amount}) is greater than the amount_capturable "
                f"({intent['amount_capturable']}) of this PaymentIntent.",
                param="amount_to_capture",
                code="amount_too_large",
            )
        if "metadata" in params:
            intent["metadata"] = forms.merged_metadata(params["metadata"], intent["metadata"])
        charge = self._objects[intent["latest_charge"]]
        charge.update(captured=True, amount_captured=amount)
        intent.update(status="succeeded", amount_received=amount, amount_capturable=0)
        self._emit("charge.captured", charge)
        self._emit("payment_intent.succeeded", intent)
        return self._view(intent, expand)

    def _cancel_payment_intent(self, params: dict, intent_id: str) -> dict:
        forms.allow_only(params, {"cancellation_reason", "expand"})
        expand = _expand_param(params, "payment_intent")
        intent = self._get("payment_intent", intent_id)
        reason = forms.choice(params, "cancellation_reason", CANCELLATION_REASONS, None)
        if intent["status"] not in CANCELABLE:
            raise self._unexpected_state(
                intent,
                "You cannot cancel this PaymentIntent because it has a status of "
                f"{intent['status']}. Only a PaymentIntent with one of the following statuses "
                f"may be canceled: {', '.join(CANCELABLE)}.",
            )
        intent.update(
            status="canceled",
            canceled_at=self._now(),
            cancellation_reason=reason,
            amount_capturable=0,
            next_action=None,
        )
        self._emit("payment_intent.canceled", intent)
        return self._view(intent, expand)

    def _list_payment_intents(self, params: dict) -> dict:
        forms.allow_only(params, {"created", "ending_before", "expand", "limit", "starting_after"})
        return self._page("payment_intent", params, "/v1/payment_intents")

    # --- Endpoints: refunds, charges, events ---------------------------------------------------

    def _create_refund(self, params: dict) -> dict:
        forms.allow_only(
            params, {"amount", "charge", "expand", "metadata", "payment_intent", "reason"}
        )
        expand = _expand_param(params, "refund")
        if "payment_intent" in params:
            intent = self._get("payment_intent", params["payment_intent"], param="payment_intent")
            charge = self._refundable_charge(intent)
            if params.get("charge", charge["id"]) != charge["id"]:
                raise InvalidParams(
                    f"Charge {params['charge']} does not belong to PaymentIntent {intent['id']}.",
                    param="charge",
                )
        elif "charge" in params:
            charge = self._get("charge", params["charge"], param="charge")
        else:
            raise InvalidParams(
                "One of the following params should be provided for this request: "
                "payment_intent or charge.",
                code="parameter_missing",
            )
        amount = forms.positive_int(params, "amount")
        reason = forms.choice(params, "reason", REFUND_REASONS, None)
        refund = self._refund(
            charge, amount, reason, forms.merged_metadata(params.get("metadata"), {})
        )
        return self._view(refund, expand)

    def _retrieve_refund(self, params: dict, refund_id: str) -> dict:
        forms.allow_only(params, {"expand"})
        expand = _expand_param(params, "refund")
        return self._view(self._get("refund", refund_id), expand)

    def _list_refunds(self, params: dict) -> dict:
        forms.allow_only(
            params,
            {"charge", "created", "ending_before", "expand", "limit", "payment_intent"}
            | {"starting_after"},
        )
        filters = {
            field: params[field] for field in ("charge", "payment_intent") if field in params
        }
        return self._page("refund", params, "/v1/refunds", **filters)

    def _retrieve_charge(self, params: dict, charge_id: str) -> dict:
        forms.allow_only(params, {"expand"})
        expand = _expand_param(params, "charge")
        return self._view(self._get("charge", charge_id), expand)

    def _retrieve_event(self, params: dict, event_id: str) -> dict:
        forms.allow_only(params, {"expand"})
        return self._view(self._get("event", event_id))

    def _list_events(self, params: dict) -> dict:
        forms.allow_only(
            params, {"created", "ending_before", "limit", "starting_after", "type", "types"}
        )
        patterns = [params["type"]] if "type" in params else []
        patterns += forms.as_list(params.get("types", []), "types")
        # Stripe's type filter takes a trailing wildcard: "payment_intent.*".
        types = [re.compile(re.escape(pattern).replace(r"\*", ".*")) for pattern in patterns]

        def is_wanted(event: dict) -> bool:
            return not types or any(wanted.fullmatch(event["type"]) for wanted in types)

        return self._page("event", params, "/v1/events", where=is_wanted)

    # --- The payment state machine -------------------------------------------------------------

    def _prepare_confirmation(
        self, intent: dict, *, confirmation_token=None, payment_method=None, return_url=None
    ) -> _Confirmation:
        """Everything Stripe checks before it confirms; nothing changes until `_confirm`."""
        if intent["status"] not in CONFIRMABLE:
            if intent["status"] == "succeeded":
                message = (
                    "You cannot confirm this PaymentIntent because it has already succeeded "
                    "after being previously confirmed."
                )
            else:
                message = (
                    "You cannot confirm this PaymentIntent because it has a status of "
                    f"{intent['status']}. Only a PaymentIntent with one of the following statuses "
                    f"may be confirmed: {', '.join(CONFIRMABLE)}."
                )
            raise self._unexpected_state(intent, message)
        token = None
        if confirmation_token is not None:
            token = self._usable_confirmation_token(confirmation_token)
            method_id = self._token_payment_methods[token["id"]]
        elif payment_method is not None:
            method_id = self._payment_method_for(payment_method)["id"]
        elif intent["payment_method"]:
            method_id = intent["payment_method"]
        else:
            raise self._unexpected_state(
                intent,
                "You cannot confirm this PaymentIntent because it's missing a payment method. "
                "You can either update the PaymentIntent with a payment method and then confirm "
                "it again, or confirm it again directly with a payment method.",
            )
        return_url = (
            return_url or (token and token["return_url"]) or self._return_urls.get(intent["id"])
        )
        if return_url:
            forms.check_url(return_url, "return_url")
        if self._card_behaviour[method_id].outcome == "authenticate" and not return_url:
            raise InvalidParams(
                "This PaymentIntent requires 3-D Secure authentication, which redirects the "
                "customer: a return_url is required to confirm it.",
                param="return_url",
            )
        return _Confirmation(method_id, token, return_url)

    def _confirm(self, intent: dict, confirmation: _Confirmation) -> None:
        """Use the card: charge it, send the shopper to 3-D Secure, or decline (a 402)."""
        if confirmation.token is not None:
            confirmation.token["payment_intent"] = intent["id"]  # good for one use only
        if confirmation.return_url:
            self._return_urls[intent["id"]] = confirmation.return_url
        method_id = confirmation.payment_method_id
        intent.update(payment_method=method_id, last_payment_error=None, next_action=None)
        if self._card_behaviour[method_id].outcome != "authenticate":
            self._charge(intent, method_id)
            return
        intent["status"] = "requires_action"
        intent["next_action"] = {
            "type": "redirect_to_url",
            "redirect_to_url": {
                "url": f"{self.base_url.rstrip('/')}/3ds/{intent['id']}",
                "return_url": confirmation.return_url,
            },
        }
        self._emit("payment_intent.requires_action", intent)

    def _charge(self, intent: dict, method_id: str) -> None:
        """Ask the card network: authorise (and capture, if automatic) or decline with a 402."""
        behaviour = self._card_behaviour[method_id]
        method = self._objects[method_id]
        is_approved = behaviour.outcome != "decline"
        is_captured = is_approved and intent["capture_method"] != "manual"
        charge = self._store(
            {
                "id": new_id("ch"),
                "object": "charge",
                "amount": intent["amount"],
                "amount_captured": intent["amount"] if is_captured else 0,
                "amount_refunded": 0,
                "balance_transaction": None,
                "billing_details": copy.deepcopy(method["billing_details"]),
                "captured": is_captured,
                "created": self._now(),
                "currency": intent["currency"],
                "description": intent["description"],
                "disputed": False,
                "failure_code": None if is_approved else behaviour.code,
                "failure_message": None if is_approved else behaviour.message,
                "livemode": False,
                "metadata": dict(intent["metadata"]),
                "outcome": _outcome(behaviour),
                "paid": is_approved,
                "payment_intent": intent["id"],
                "payment_method": method_id,
                "payment_method_details": {"type": "card", "card": copy.deepcopy(method["card"])},
                "receipt_email": intent["receipt_email"],
                "refunded": False,
                "status": "succeeded" if is_approved else "failed",
            }
        )
        intent["latest_charge"] = charge["id"]
        if not is_approved:
            self._decline(intent, charge, method, behaviour)
        self._emit("charge.succeeded", charge)
        if is_captured:
            intent.update(status="succeeded", amount_received=intent["amount"])
            self._emit("payment_intent.succeeded", intent)
        else:
            intent.update(status="requires_capture", amount_capturable=intent["amount"])
            self._emit("payment_intent.amount_capturable_updated", intent)

    def _decline(self, intent: dict, charge: dict, method: dict, behaviour: CardBehaviour):
        error = SimulatorError(
            402,
            "card_error",
            behaviour.message,
            code=behaviour.code,
            decline_code=behaviour.decline_code,
            charge=charge["id"],
            payment_method=self._view(method),
        )
        intent.update(
            status="requires_payment_method", payment_method=None, last_payment_error=error.error
        )
        self._emit("charge.failed", charge)
        self._emit("payment_intent.payment_failed", intent)
        error.error = {**error.error, "payment_intent": self._view(intent)}
        raise error

    def _fail_authentication(self, intent: dict) -> None:
        method = self._objects[intent["payment_method"]]
        intent.update(
            status="requires_payment_method",
            payment_method=None,
            last_payment_error=SimulatorError(
                400,
                "invalid_request_error",
                AUTHENTICATION_FAILED,
                code="payment_intent_authentication_failure",
                payment_method=self._view(method),
            ).error,
        )
        self._emit("payment_intent.payment_failed", intent)

    def _return_url_with_result(self, intent: dict) -> str:
        """The return_url with what Stripe appends after a redirect (its own query kept)."""
        succeeded = intent["status"] in ("requires_capture", "succeeded", "processing")
        scheme, netloc, path, query, fragment = urlsplit(self._return_urls[intent["id"]])
        query = urlencode(
            [
                *parse_qsl(query, keep_blank_values=True),
                ("payment_intent", intent["id"]),
                ("payment_intent_client_secret", intent["client_secret"]),
                ("redirect_status", "succeeded" if succeeded else "failed"),
            ]
        )
        return urlunsplit((scheme, netloc, path, query, fragment))

    def _refundable_charge(self, intent: dict) -> dict:
        charge = self._objects.get(intent["latest_charge"] or "")
        if charge is None or charge["status"] != "succeeded":
            raise _invalid(
                f"This PaymentIntent ({intent['id']}) does not have a successful charge to refund.",
                code="charge_not_refundable",
            )
        return charge

    def _refund(self, charge: dict, amount: int | None, reason, metadata: dict) -> dict:
        currency = charge["currency"]
        if not charge["captured"]:
            raise _invalid(
                f"Charge {charge['id']} has not been captured: cancel its PaymentIntent to "
                "release the authorisation instead of refunding it.",
                code="charge_not_refundable",
            )
        if charge["disputed"]:
            raise _invalid(
                f"Charge {charge['id']} has been charged back; cannot issue a refund.",
                code="charge_disputed",
            )
        refundable = charge["amount_captured"] - charge["amount_refunded"]
        if refundable == 0:
            raise _invalid(
                f"Charge {charge['id']} has already been refunded.", code="charge_already_refunded"
            )
        amount = refundable if amount is None else amount
        if amount > refundable:
            raise _invalid(
                f"Refund amount ({format_amount(amount, currency)}) is greater than unrefunded "
                f"amount on charge ({format_amount(refundable, currency)})",
                param="amount",
                code="amount_too_large",
            )
        refund = self._store(
            {
                "id": new_id("re"),
                "object": "refund",
                "amount": amount,
                "balance_transaction": None,
                "charge": charge["id"],
                "created": self._now(),
                "currency": currency,
                "metadata": metadata,
                "payment_intent": charge["payment_intent"],
                "reason": reason,
                "receipt_number": None,
                "status": "succeeded",
            }
        )
        charge["amount_refunded"] += amount
        charge["refunded"] = charge["amount_refunded"] == charge["amount_captured"]
        self._emit("refund.created", refund)
        self._emit("charge.refunded", charge)
        return refund

    def _unexpected_state(self, intent: dict, message: str) -> SimulatorError:
        return _invalid(
            message, code="payment_intent_unexpected_state", payment_intent=self._view(intent)
        )

    # --- Payment methods -----------------------------------------------------------------------

    def _payment_method_for(self, reference: str) -> dict:
        """A PaymentMethod by id; Stripe's test ids (`pm_card_visa`) make a fresh one."""
        if reference in TEST_PAYMENT_METHODS:
            number = TEST_PAYMENT_METHODS[reference]
            card = {"number": number, "exp_month": "12", "exp_year": str(self._today().year + 5)}
            return self._create_card_payment_method({"type": "card", "card": card}, check_cvc=False)
        return self._get("payment_method", reference, param="payment_method")

    def _create_card_payment_method(self, data: dict, *, check_cvc: bool = True) -> dict:
        prefix = "payment_method_data"
        if data.get("type") != "card":
            raise InvalidParams(
                "The simulator only takes cards: payment_method_data[type] must be card.",
                param=f"{prefix}[type]",
            )
        card = data.get("card") if isinstance(data.get("card"), dict) else {}
        number = _card_number(card.get("number"), f"{prefix}[card][number]")
        exp_month, exp_year = self._card_expiry(card, f"{prefix}[card]")
        if check_cvc:
            _check_cvc(card.get("cvc"), number, f"{prefix}[card][cvc]")
        billing = (
            data.get("billing_details") if isinstance(data.get("billing_details"), dict) else {}
        )
        address = billing.get("address") if isinstance(billing.get("address"), dict) else {}
        brand = card_brand(number)
        method = self._store(
            {
                "id": new_id("pm"),
                "object": "payment_method",
                "billing_details": {
                    "address": {
                        field: address.get(field) or None
                        for field in ("city", "country", "line1", "line2", "postal_code", "state")
                    },
                    "email": billing.get("email") or None,
                    "name": billing.get("name") or None,
                    "phone": billing.get("phone") or None,
                },
                "card": {
                    "brand": brand,
                    "checks": {
                        "address_line1_check": None,
                        "address_postal_code_check": None,
                        "cvc_check": "pass" if check_cvc else None,
                    },
                    "country": "US",
                    "display_brand": brand,
                    "exp_month": exp_month,
                    "exp_year": exp_year,
                    "fingerprint": sha256(number.encode()).hexdigest()[:16],
                    "funding": "credit",
                    "last4": number[-4:],
                    "three_d_secure_usage": {"supported": True},
                    "wallet": None,
                },
                "created": self._now(),
                "customer": None,
                "livemode": False,
                "metadata": {},
                "type": "card",
            }
        )
        self._card_behaviour[method["id"]] = TEST_CARDS.get(number, APPROVE)
        return method

    def _card_expiry(self, card: dict, prefix: str) -> tuple[int, int]:
        today = self._today()
        month = _card_int(card.get("exp_month"), f"{prefix}[exp_month]")
        year = _card_int(card.get("exp_year"), f"{prefix}[exp_year]")
        year = year + 2000 if year < 100 else year
        if not 1 <= month <= 12:
            raise InvalidCard(
                "invalid_expiry_month", "Your card's expiration month is invalid.", prefix
            )
        if year < today.year or year > today.year + 50:
            raise InvalidCard(
                "invalid_expiry_year", "Your card's expiration year is invalid.", prefix
            )
        if (year, month) < (today.year, today.month):
            raise InvalidCard(
                "invalid_expiry_month", "Your card's expiration month is invalid.", prefix
            )
        return month, year

    def _usable_confirmation_token(self, token_id: str) -> dict:
        token = self._get("confirmation_token", token_id, param="confirmation_token")
        if token["payment_intent"] is not None:
            raise InvalidParams(
                f"This ConfirmationToken ({token_id}) has already been used. Create a new "
                "ConfirmationToken for each confirmation.",
                param="confirmation_token",
            )
        if token["expires_at"] < self._now():
            raise InvalidParams(
                f"This ConfirmationToken ({token_id}) has expired.", param="confirmation_token"
            )
        return token

    # --- Storage, views, lists, events ---------------------------------------------------------

    def _now(self) -> int:
        return int(self._clock())

    def _today(self) -> datetime:
        return datetime.fromtimestamp(self._clock(), UTC)

    def _store(self, obj: dict) -> dict:
        self._objects[obj["id"]] = obj
        return obj

    def _get(self, kind: str, object_id: str, *, param: str | None = None) -> dict:
        obj = self._objects.get(object_id) if isinstance(object_id, str) else None
        if obj is None or obj["object"] != kind:
            raise ResourceMissing(KIND_NAMES.get(kind, kind), str(object_id), param)
        return obj

    def _all(self, kind: str) -> dict[str, dict]:
        with self._lock:
            return {
                obj["id"]: self._view(obj)
                for obj in self._objects.values()
                if obj["object"] == kind
            }

    def _view(self, obj: dict, expand: Iterable[str] = ()) -> dict:
        """A copy for the outside world, with what Stripe computes (a charge's refunds)."""
        view = copy.deepcopy(obj)
        if obj["object"] == "charge":
            refunds = [
                self._view(refund)
                for refund in reversed(self._objects.values())
                if refund["object"] == "refund" and refund["charge"] == obj["id"]
            ]
            view["refunds"] = {
                "object": "list",
                "data": refunds,
                "has_more": False,
                "total_count": len(refunds),
                "url": f"/v1/charges/{obj['id']}/refunds",
            }
        for path in expand:
            self._expand(view, path.split("."))
        return view

    def _expand(self, view: dict, path: list[str]) -> None:
        """Replace ids along `path` (checked by `_expand_param`) with their objects."""
        field, rest = path[0], path[1:]
        if view["object"] == "list":
            for item in view["data"]:
                self._expand(item, rest)
            return
        if isinstance(view[field], str):
            view[field] = self._view(self._objects[view[field]])
        if rest and view[field] is not None:
            self._expand(view[field], rest)

    def _page(self, kind: str, params: dict, url: str, where=None, **filters) -> dict:
        """One page of a list, newest first, with Stripe's cursor and `created` filters."""
        expand = _expand_param(params, kind, is_list=True)
        limit = forms.positive_int(params, "limit") or 10
        if limit > 100:
            raise InvalidParams(
                "This value must be less than or equal to 100.",
                param="limit",
                code="parameter_invalid_integer",
            )
        created = forms.created_filter(params.get("created"))
        items = [
            obj
            for obj in reversed(self._objects.values())
            if obj["object"] == kind
            and created(obj["created"])
            and all(obj.get(field) == value for field, value in filters.items())
            and (where is None or where(obj))
        ]
        ids = [obj["id"] for obj in items]
        if "ending_before" in params:
            newer = items[: self._cursor(ids, kind, params, "ending_before")]
            shown, has_more = newer[-limit:], len(newer) > limit
        else:
            if "starting_after" in params:
                items = items[self._cursor(ids, kind, params, "starting_after") + 1 :]
            shown, has_more = items[:limit], len(items) > limit
        page = {
            "object": "list",
            "data": [self._view(obj) for obj in shown],
            "has_more": has_more,
            "url": url,
        }
        for path in expand:
            self._expand(page, path.split("."))
        return page

    def _cursor(self, ids: list[str], kind: str, params: dict, param: str) -> int:
        if params[param] not in ids:
            self._get(kind, params[param], param=param)  # 404 for an unknown id
            raise InvalidParams(f"{params[param]} is not in this list.", param=param)
        return ids.index(params[param])

    def _emit(self, event_type: str, obj: dict) -> None:
        """Record an event with a snapshot of the object now, and queue its webhooks."""
        request = self._request or _RequestInfo(None, None)
        event = self._store(
            {
                "id": new_id("evt"),
                "object": "event",
                "api_version": API_VERSION,
                "created": self._now(),
                "data": {"object": self._view(obj)},
                "livemode": False,
                "pending_webhooks": len(self.webhook_urls),
                "request": {"id": request.id, "idempotency_key": request.idempotency_key},
                "type": event_type,
            }
        )
        if self.webhook_urls:
            self._queue_webhooks(event["id"])

    # --- Keeping the account across restarts ---------------------------------------------------

    def _state(self) -> dict:
        """Everything a restarted simulator needs to carry on; not logs, faults or webhook queue."""
        return {
            "objects": list(self._objects.values()),
            "card_behaviour": {
                method_id: vars(behaviour) for method_id, behaviour in self._card_behaviour.items()
            },
            "confirmation_token_payment_methods": self._token_payment_methods,
            "return_urls": self._return_urls,
            "idempotent_responses": {
                key: vars(saved) for key, saved in self._saved_responses.items()
            },
        }

    def _load_state(self) -> None:
        """Carry on from `state_path`; a missing file is a new account, a corrupt one too."""
        try:
            state = json.loads(self.state_path.read_text(encoding="utf-8"))
            objects = {obj["id"]: obj for obj in state["objects"]}
            card_behaviour = {
                method_id: CardBehaviour(**fields)
                for method_id, fields in state["card_behaviour"].items()
            }
            token_payment_methods = dict(state["confirmation_token_payment_methods"])
            return_urls = dict(state["return_urls"])
            saved_responses = {
                key: _SavedResponse(**fields)
                for key, fields in state["idempotent_responses"].items()
            }
        except FileNotFoundError:
            return
        except (OSError, ValueError, KeyError, TypeError, AttributeError) as error:
            logger.warning(
                "Stripe simulator: cannot read the state in %s (%s); starting with an empty "
                "account, which replaces it on the first change.",
                self.state_path,
                error,
            )
            return
        self._objects = objects
        self._card_behaviour = card_behaviour
        self._token_payment_methods = token_payment_methods
        self._return_urls = return_urls
        self._saved_responses = saved_responses

    def _save_state(self) -> None:
        """Write the state to `state_path` if it changed; call with the lock held.

        A temporary file in the same directory, then `os.replace`: a crash mid-write leaves the
        previous state, never half a file.
        """
        if self.state_path is None:
            return
        text = _state_json(self._state())
        if text == self._written_state:
            return
        path = self.state_path
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            descriptor, temporary = tempfile.mkstemp(
                dir=path.parent, prefix=f".{path.name}.", suffix=".tmp"
            )
            try:
                with os.fdopen(descriptor, "w", encoding="utf-8") as file:
                    file.write(text)
                os.replace(temporary, path)
            except BaseException:
                with contextlib.suppress(OSError):
                    os.unlink(temporary)
                raise
        except OSError as error:
            # The account carries on in memory; the next change tries again.
            logger.warning("Stripe simulator: cannot write its state to %s (%s)", path, error)
            return
        self._written_state = text

    # --- Webhook delivery ----------------------------------------------------------------------

    def _queue_webhooks(self, event_id: str) -> None:
        with self._outbox_changed:
            self._outbox.extend((event_id, url) for url in self.webhook_urls)
            self._undelivered += len(self.webhook_urls)
            self._outbox_changed.notify_all()
            if self._worker is None and not self._stopped.is_set():
                self._worker = threading.Thread(
                    target=self._deliver_forever, name="stripe-simulator-webhooks", daemon=True
                )
                self._worker.start()

    def _deliver_forever(self) -> None:
        while True:
            with self._outbox_changed:
                self._outbox_changed.wait_for(lambda: self._outbox or self._stopped.is_set())
                if self._stopped.is_set():
                    return
            self._deliver_next()

    def _deliver_next(self) -> bool:
        """Deliver the oldest queued webhook, with retries; False if there was none."""
        with self._delivering:  # one delivery at a time keeps them in order
            with self._outbox_changed:
                if not self._outbox:
                    return False
                event_id, url = self._outbox.popleft()
            try:
                self._post_webhook(event_id, url)
            finally:
                with self._outbox_changed:
                    self._undelivered -= 1
                    self._outbox_changed.notify_all()
        return True

    def _post_webhook(self, event_id: str, url: str) -> None:
        # No proxies: webhooks go to the shop on this machine.
        opener = urllib.request.build_opener(urllib.request.ProxyHandler({}))
        delays = (*self.WEBHOOK_RETRY_DELAYS, None)
        for attempt, delay in enumerate(delays, start=1):
            with self._lock:
                payload, signature = self.webhook_request(self._objects[event_id])
            request = urllib.request.Request(
                url,
                data=payload,
                method="POST",
                headers={
                    "Content-Type": "application/json; charset=utf-8",
                    "Stripe-Signature": signature,
                    "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
                },
            )
            try:
                with opener.open(request, timeout=self.WEBHOOK_TIMEOUT) as response:
                    status = response.status
            except urllib.error.HTTPError as error:
                status = error.code
            except OSError as error:
                logger.info("Webhook %s to %s failed: %s", event_id, url, error)
                status = None
            self.deliveries.append(WebhookDelivery(event_id, url, status, attempt))
            if status is not None and 200 <= status < 300:
                with self._lock:
                    self._objects[event_id]["pending_webhooks"] -= 1
                return
            if delay is None:
                logger.warning("Webhook %s to %s: giving up after %d tries", event_id, url, attempt)
                return
            if self._stopped.wait(delay):  # closed while waiting to retry
                return


# --- Parameter and card checks ------------------------------------------------------------


def _expand_param(params: dict, kind: str, *, is_list: bool = False) -> list[str]:
    """The `expand[]` paths, checked before anything changes (Stripe refuses unknown ones)."""
    paths = forms.as_list(params.get("expand", []), "expand")
    for path in paths:
        fields = path.split(".")
        if is_list:  # a list's paths start at its items: "data.latest_charge"
            if fields[0] != "data" or len(fields) == 1:
                raise InvalidParams(
                    f"This property cannot be expanded ({fields[0]}).", param="expand"
                )
            fields = fields[1:]
        current = kind
        for field in fields:
            current = EXPANDABLE.get(current, {}).get(field)
            if current is None:
                raise InvalidParams(f"This property cannot be expanded ({field}).", param="expand")
    return paths


def _state_json(state: dict) -> str:
    """The saved state as JSON, one object per line: readable with grep, and written by json's C
    encoder (`indent=` falls back to the pure-Python one, four times slower on a demo's state)."""
    sections = []
    for name, value in state.items():
        if isinstance(value, dict):
            lines = [f"{json.dumps(key)}: {json.dumps(item)}" for key, item in value.items()]
            brackets = "{}"
        else:
            lines = [json.dumps(item) for item in value]
            brackets = "[]"
        body = "".join(f"\n  {line}," for line in lines).rstrip(",")
        sections.append(f"{json.dumps(name)}: {brackets[0]}{body}\n {brackets[1]}")
    return "{\n " + ",\n ".join(sections) + "\n}\n"


def _fingerprint(method: str, path: str, params: dict) -> str:
    """What a replay with the same Idempotency-Key must match; a digest, so that the saved state
    holds no card number that was posted."""
    request = json.dumps([method, path, params], sort_keys=True)
    return sha256(request.encode()).hexdigest()


def _card_number(value, param: str) -> str:
    if not value:
        raise InvalidParams(
            f"Missing required param: {param}.", param=param, code="parameter_missing"
        )
    number = re.sub(r"[\s-]", "", value) if isinstance(value, str) else ""
    if not (number.isdigit() and 13 <= len(number) <= 19 and passes_luhn(number)):
        raise InvalidCard("incorrect_number", "Your card number is incorrect.", param)
    return number


def _card_int(value, param: str) -> int:
    if not value:
        raise InvalidParams(
            f"Missing required param: {param}.", param=param, code="parameter_missing"
        )
    if not isinstance(value, str) or not value.isdigit():
        raise InvalidParams(
            f"Invalid integer: {value}", param=param, code="parameter_invalid_integer"
        )
    return int(value)


def _check_cvc(value, number: str, param: str) -> None:
    if not value:
        raise InvalidCard("incomplete_cvc", "Your card's security code is incomplete.", param)
    length = 4 if card_brand(number) == "amex" else 3
    if not (isinstance(value, str) and value.isdigit() and len(value) == length):
        raise InvalidCard("invalid_cvc", "Your card's security code is invalid.", param)


def _outcome(behaviour: CardBehaviour) -> dict:
    if behaviour.outcome == "decline":
        return {
            "network_status": "declined_by_network",
            "reason": behaviour.decline_code,
            "risk_level": "normal",
            "seller_message": "The bank did not return any further details with this decline.",
            "type": "issuer_declined",
        }
    return {
        "network_status": "approved_by_network",
        "reason": None,
        "risk_level": "normal",
        "seller_message": "Payment complete.",
        "type": "authorized",
    }


def _server_error_payload() -> dict:
    return SimulatorError(
        500,
        "api_error",
        "Sorry, something went wrong. We've already been notified of the problem, but if you "
        "need any help, you can reach us at support.stripe.com/contact.",
    ).payload


def _mask(key: str) -> str:
    return key if len(key) < 12 else f"{key[:8]}{'*' * (len(key) - 12)}{key[-4:]}"
