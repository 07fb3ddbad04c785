"""PaymentIntents: create, read, update, confirm, capture, cancel and list, with Stripe's checks.
What confirming does with the card (charge, 3-D Secure, decline) is in `charges.py`."""

from dataclasses import dataclass

from . import forms
from .amounts import MAX_AMOUNT, MINIMUM_AMOUNT, format_amount
from .errors import InvalidParams, SimulatorError, invalid
from .store import expand_param, new_id, random_text

CANCELABLE = (
    "requires_payment_method",
    "requires_capture",
    "requires_confirmation",
    "requires_action",
    "processing",
)
CONFIRMABLE = ("requires_payment_method", "requires_confirmation", "requires_action")
CANCELLATION_REASONS = ("duplicate", "fraudulent", "requested_by_customer", "abandoned")

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


@dataclass(frozen=True)
class Confirmation:
    payment_method_id: str
    token: dict | None
    return_url: str | None


class PaymentIntents:
    """The PaymentIntent endpoints, and the checks made before a confirmation changes anything."""

    def _create_payment_intent(self, params: dict) -> dict:
        forms.allow_only(params, PAYMENT_INTENT_FIELDS)
        expand = expand_param(params, "payment_intent")
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
            "client_secret": f"{intent_id}_secret_{random_text(25)}",
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
        expand = expand_param(params, "payment_intent")
        return self._view(self._get("payment_intent", intent_id), expand)

    def _update_payment_intent(self, params: dict, intent_id: str) -> dict:
        forms.allow_only(params, {"description", "expand", "metadata", "receipt_email"})
        expand = expand_param(params, "payment_intent")
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
        expand = expand_param(params, "payment_intent")
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
        expand = expand_param(params, "payment_intent")
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
        expand = expand_param(params, "payment_intent")
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

    def _prepare_confirmation(
        self, intent: dict, *, confirmation_token=None, payment_method=None, return_url=None
    ) -> Confirmation:
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
        return Confirmation(method_id, token, return_url)

    def _unexpected_state(self, intent: dict, message: str) -> SimulatorError:
        return invalid(
            message, code="payment_intent_unexpected_state", payment_intent=self._view(intent)
        )
