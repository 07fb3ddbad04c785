"""Events and their webhooks: each change is recorded as an event, signed with Stripe's scheme and
POSTed to the webhook URLs by one worker thread, in order, with retries."""

import hmac
import http.client
import json
import logging
import re
import threading
from hashlib import sha256
from typing import NamedTuple
from urllib.parse import urlsplit

from . import forms
from .routing import API_VERSION, RequestInfo
from .store import new_id

logger = logging.getLogger(__name__)


class WebhookDelivery(NamedTuple):
    event_id: str
    url: str
    status: int | None  # None: no HTTP answer (connection refused, timeout)
    attempt: int


class Webhooks:
    """Events, their signatures and their delivery (the outbox, its worker, `self.deliveries`)."""

    # Seconds between webhook attempts after a failure (Stripe's own schedule spans days).
    WEBHOOK_RETRY_DELAYS = (0.5, 2.0, 5.0)
    WEBHOOK_TIMEOUT = 5.0

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

    def _emit(self, event_type: str, obj: dict) -> None:
        """Record an event with a snapshot of the object now, and queue its webhooks."""
        request = self._request or RequestInfo(None, None)
        urls = self.webhook_urls if self._is_enabled(event_type) else ()
        event = self._store(
            {
                "id": new_id("evt"),
                "object": "event",
                "api_version": API_VERSION,
                "created": self._now(),
                "data": {"object": self._view(obj)},
                "livemode": False,
                "pending_webhooks": len(urls),
                "request": {"id": request.id, "idempotency_key": request.idempotency_key},
                "type": event_type,
            }
        )
        if urls:
            self._queue_webhooks(event["id"])

    def _is_enabled(self, event_type: str) -> bool:
        """Whether the endpoints subscribe to this type: Stripe posts an event only to the
        endpoints that enabled it (and records it for the Events API either way)."""
        return "*" in self.webhook_events or event_type in self.webhook_events

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
        delays = (*self.WEBHOOK_RETRY_DELAYS, None)
        for attempt, delay in enumerate(delays, start=1):
            with self._lock:
                payload, signature = self.webhook_request(self._objects[event_id])
            try:
                status = _post(url, payload, signature, timeout=self.WEBHOOK_TIMEOUT)
            except (OSError, http.client.HTTPException) as error:
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


def _post(url: str, payload: bytes, signature: str, *, timeout: float) -> int:
    """POST one webhook as Stripe does, on a connection of its own; the answer's status. Straight
    through http.client: no proxy (webhooks go to the shop on this machine) and no urllib opener
    built for every post."""
    parts = urlsplit(url)
    connection_class = (
        http.client.HTTPSConnection if parts.scheme == "https" else http.client.HTTPConnection
    )
    target = f"{parts.path or '/'}?{parts.query}".rstrip("?")
    connection = connection_class(parts.hostname, parts.port, timeout=timeout)
    try:
        connection.request(
            "POST",
            target,
            body=payload,
            headers={
                "Content-Type": "application/json; charset=utf-8",
                "Stripe-Signature": signature,
                "User-Agent": "Stripe/1.0 (+https://stripe.com/docs/webhooks)",
            },
        )
        response = connection.getresponse()
        response.read()
        return response.status
    finally:
        connection.close()
