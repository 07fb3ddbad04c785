"""ConfirmationTokens: the card a shopper typed (Stripe.js) or a test PaymentMethod, good for one
confirmation of a PaymentIntent before it expires."""

import copy

from . import forms
from .errors import InvalidParams
from .store import expand_param, new_id

CONFIRMATION_TOKEN_LIFETIME = 12 * 60 * 60

CONFIRMATION_TOKEN_FIELDS = {
    "expand",
    "payment_method_data",
    "return_url",
    "setup_future_usage",
    "shipping",
}


class ConfirmationTokens:
    """The ConfirmationToken endpoints; `self._token_payment_methods` maps each to its card."""

    def _create_confirmation_token(self, params: dict) -> dict:
        """What Stripe.js's `createConfirmationToken` posts with the card the shopper typed."""
        forms.allow_only(params, CONFIRMATION_TOKEN_FIELDS)
        expand = expand_param(params, "confirmation_token")
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
        expand = expand_param(params, "confirmation_token")
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
        expand = expand_param(params, "confirmation_token")
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
