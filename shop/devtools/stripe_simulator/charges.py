"""Using the card: a confirmed PaymentIntent is charged, sent to 3-D Secure, or declined; the
shopper's 3-D Secure answer; and the Charge objects this leaves."""

import contextlib
import copy
from urllib.parse import parse_qsl, urlencode, urlsplit, urlunsplit

from . import forms
from .cards import AUTHENTICATION_FAILED, CardBehaviour, network_outcome
from .errors import SimulatorError, invalid
from .payment_intents import Confirmation
from .store import expand_param, new_id


class Charges:
    """The card network's side of a payment: `self._card_behaviour` decides, `self._return_urls`
    remembers where 3-D Secure sends the shopper back to."""

    def authenticate(self, payment_intent_id: str, succeed: bool) -> str:
        """The shopper's answer on the 3-D Secure page; returns where to send them back to."""
        with self._lock:
            intent = self._get("payment_intent", payment_intent_id)
            if intent["id"] not in self._return_urls:
                raise invalid(f"PaymentIntent {payment_intent_id} was never sent to 3-D Secure.")
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

    def _confirm(self, intent: dict, confirmation: Confirmation) -> None:
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
                "outcome": network_outcome(behaviour),
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

    def _retrieve_charge(self, params: dict, charge_id: str) -> dict:
        forms.allow_only(params, {"expand"})
        expand = expand_param(params, "charge")
        return self._view(self._get("charge", charge_id), expand)
