"""Cards: Stripe's test cards and what the network does with each, card checks, PaymentMethods."""

import re
from dataclasses import dataclass
from hashlib import sha256

from .errors import InvalidCard, InvalidParams
from .forms import is_digits
from .store import new_id


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


def network_outcome(behaviour: CardBehaviour) -> dict:
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


def _card_number(value, param: str) -> str:
    if not value:
        raise InvalidParams(
            f"Missing required param: {param}.", param=param, code="parameter_missing"
        )
    number = re.sub(r"[\s-]", "", value) if isinstance(value, str) else ""
    if not (is_digits(number) and 13 <= len(number) <= 19 and passes_luhn(number)):
        raise InvalidCard("incorrect_number", "Your card number is incorrect.", param)
    return number


def _card_int(value, param: str) -> int:
    if not value:
        raise InvalidParams(
            f"Missing required param: {param}.", param=param, code="parameter_missing"
        )
    if not is_digits(value):
        raise InvalidParams(
            f"Invalid integer: {value}", param=param, code="parameter_invalid_integer"
        )
    return int(value)


def _check_cvc(value, number: str, param: str) -> None:
    if not value:
        raise InvalidCard("incomplete_cvc", "Your card's security code is incomplete.", param)
    length = 4 if card_brand(number) == "amex" else 3
    if not (is_digits(value) and len(value) == length):
        raise InvalidCard("invalid_cvc", "Your card's security code is invalid.", param)


class PaymentMethods:
    """Card PaymentMethods, and what the card network will do with each (`self._card_behaviour`)."""

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
