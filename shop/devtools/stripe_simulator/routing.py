"""One API request in, one answer out: routes, API keys, idempotent replay and injected faults.

`Routing.handle` is what the transports in `http.py` call; each route names the Simulator method
that answers it (`_create_payment_intent`, ...), found on the other parts of the Simulator.
"""

import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from hashlib import sha256
from typing import NamedTuple

import stripe

from . import forms
from .errors import InvalidParams, NetworkFailure, SimulatorError
from .store import json_copy, new_id

# Events carry the API version the SDK is pinned to, as Stripe's would for this account.
API_VERSION = stripe.api_version


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


class RecordedRequest(NamedTuple):
    method: str
    path: str
    idempotency_key: str | None


@dataclass
class SavedResponse:
    fingerprint: str  # `_fingerprint` of the first request
    status: int
    payload: dict
    request_id: str


@dataclass(frozen=True)
class RequestInfo:
    id: str | None
    idempotency_key: str | None


class Routing:
    """Answers API requests: the request log, saved idempotent answers and the fault queue."""

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

    def heal(self) -> None:
        """Forget the failures `fail_next` queued that no request has met yet."""
        with self._lock:
            self._failures.clear()

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
            return saved.status, json_copy(saved.payload), replayed
        status, payload, is_saved = self._run(route, path_args, params, request_id, key)
        if is_saved:
            self._saved_responses[key] = SavedResponse(
                fingerprint, status, json_copy(payload), request_id
            )
        return status, payload, {}

    def _run(self, route, path_args, params, request_id, key) -> tuple[int, dict, bool]:
        """Run the endpoint: (status, body, whether Stripe saves it for idempotent replay)."""
        self._request = RequestInfo(request_id, key)
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


def _fingerprint(method: str, path: str, params: dict) -> str:
    """What a replay with the same Idempotency-Key must match; a digest, so that the saved state
    holds no card number that was posted."""
    request = json.dumps([method, path, params], sort_keys=True)
    return sha256(request.encode()).hexdigest()


def _server_error_payload() -> dict:
    return SimulatorError(
        500,
        "api_error",
        "Sorry, something went wrong. We've already been notified of the problem, but if you "
        "need any help, you can reach us at support.stripe.com/contact.",
    ).payload


def _mask(key: str) -> str:
    return key if len(key) < 12 else f"{key[:8]}{'*' * (len(key) - 12)}{key[-4:]}"
