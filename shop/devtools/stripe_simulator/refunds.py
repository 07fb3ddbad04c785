"""Money going back: refunds through the API or Stripe's dashboard, and disputes (chargebacks)."""

from . import forms
from .amounts import format_amount
from .errors import InvalidParams, invalid
from .store import expand_param, new_id

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


class Refunds:
    """The refund endpoints, the dashboard's refund and the bank's dispute."""

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
                raise invalid(f"PaymentIntent {payment_intent_id} has no captured charge.")
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

    def _create_refund(self, params: dict) -> dict:
        forms.allow_only(
            params, {"amount", "charge", "expand", "metadata", "payment_intent", "reason"}
        )
        expand = expand_param(params, "refund")
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
        expand = expand_param(params, "refund")
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

    def _refundable_charge(self, intent: dict) -> dict:
        charge = self._objects.get(intent["latest_charge"] or "")
        if charge is None or charge["status"] != "succeeded":
            raise invalid(
                f"This PaymentIntent ({intent['id']}) does not have a successful charge to refund.",
                code="charge_not_refundable",
            )
        return charge

    def _refund(self, charge: dict, amount: int | None, reason, metadata: dict) -> dict:
        currency = charge["currency"]
        if not charge["captured"]:
            raise invalid(
                f"Charge {charge['id']} has not been captured: cancel its PaymentIntent to "
                "release the authorisation instead of refunding it.",
                code="charge_not_refundable",
            )
        if charge["disputed"]:
            raise invalid(
                f"Charge {charge['id']} has been charged back; cannot issue a refund.",
                code="charge_disputed",
            )
        refundable = charge["amount_captured"] - charge["amount_refunded"]
        if refundable == 0:
            raise invalid(
                f"Charge {charge['id']} has already been refunded.", code="charge_already_refunded"
            )
        amount = refundable if amount is None else amount
        if amount > refundable:
            raise invalid(
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
