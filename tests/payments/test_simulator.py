"""The Stripe simulator, driven by the official SDK as the shop drives Stripe. No database."""

import http.client
import json
import re
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import parse_qs, urlsplit

import pytest
import requests
import stripe

from shop.devtools.stripe_simulator import (
    PUBLISHABLE_KEY,
    SECRET_KEY,
    WEBHOOK_SECRET,
    InProcessHTTPClient,
    Simulator,
    serve,
)
from shop.devtools.stripe_simulator import http as simulator_http
from shop.devtools.stripe_simulator.forms import FormError, as_list, parse_form
from shop.devtools.stripe_simulator.store import ALPHABET, json_copy, new_id

RETURN_URL = "http://127.0.0.1:8000/checkout/payment-return/?step=3ds"


@pytest.fixture
def sim():
    simulator = Simulator()
    yield simulator
    simulator.close()


def client_for(simulator, api_key=SECRET_KEY):
    return stripe.StripeClient(
        api_key,
        base_addresses={"api": "http://simulator.invalid"},  # never contacted
        http_client=InProcessHTTPClient(simulator),
        max_network_retries=2,
    )


@pytest.fixture
def client(sim):
    return client_for(sim)


def token(client, payment_method="pm_card_visa"):
    return client.v1.test_helpers.confirmation_tokens.create({"payment_method": payment_method}).id


def pay(client, payment_method="pm_card_visa", *, amount=2500, capture_method="manual", **extra):
    params = {
        "amount": amount,
        "currency": "usd",
        "capture_method": capture_method,
        "confirm": True,
        "confirmation_token": token(client, payment_method),
        "return_url": RETURN_URL,
        "metadata": {"basket_id": 7},
        **extra,
    }
    return client.v1.payment_intents.create(params)


def event_types(sim):
    return [event["type"] for event in sim.events]


def created_intents(sim):
    return [r for r in sim.requests if r.method == "POST" and r.path == "/v1/payment_intents"]


# --- Authorise and capture ---------------------------------------------------------------------


def test_manual_capture_holds_the_money_until_captured(sim, client):
    intent = pay(client)

    assert intent.object == "payment_intent"
    assert intent.id.startswith("pi_") and len(intent.id) == 27
    assert intent.client_secret.startswith(f"{intent.id}_secret_")
    assert (intent.status, intent.amount_capturable, intent.amount_received) == (
        "requires_capture",
        2500,
        0,
    )
    assert intent.metadata.to_dict() == {"basket_id": "7"}
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert (charge.captured, charge.amount_captured, charge.paid) == (False, 0, True)

    captured = client.v1.payment_intents.capture(intent.id)

    assert (captured.status, captured.amount_received, captured.amount_capturable) == (
        "succeeded",
        2500,
        0,
    )
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert (charge.captured, charge.amount_captured) == (True, 2500)
    assert event_types(sim) == [
        "payment_intent.created",
        "charge.succeeded",
        "payment_intent.amount_capturable_updated",
        "charge.captured",
        "payment_intent.succeeded",
    ]


def test_automatic_capture_takes_the_money_on_confirm(sim, client):
    intent = pay(client, capture_method="automatic")

    assert (intent.status, intent.amount_received) == ("succeeded", 2500)
    assert client.v1.charges.retrieve(intent.latest_charge).captured is True
    assert event_types(sim)[-2:] == ["charge.succeeded", "payment_intent.succeeded"]


def test_partial_capture_takes_only_what_was_asked(client):
    intent = pay(client)

    captured = client.v1.payment_intents.capture(intent.id, {"amount_to_capture": 1000})

    assert captured.amount_received == 1000
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.payment_intents.capture(pay(client).id, {"amount_to_capture": 9999})
    assert raised.value.code == "amount_too_large"


def test_capture_is_refused_unless_the_intent_requires_capture(client):
    intent = client.v1.payment_intents.create({"amount": 2500, "currency": "usd"})

    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.payment_intents.capture(intent.id)

    assert raised.value.http_status == 400
    assert raised.value.code == "payment_intent_unexpected_state"
    assert raised.value.user_message == (
        "This PaymentIntent could not be captured because it has a status of "
        "requires_payment_method. Only a PaymentIntent with one of the following statuses may "
        "be captured: requires_capture."
    )
    assert raised.value.error.payment_intent.id == intent.id


def test_expand_latest_charge_returns_the_charge_object(client):
    intent = pay(client)

    expanded = client.v1.payment_intents.retrieve(intent.id, {"expand": ["latest_charge"]})

    assert isinstance(expanded.latest_charge, stripe.Charge)
    assert expanded.latest_charge.payment_intent == intent.id
    with pytest.raises(stripe.InvalidRequestError, match="cannot be expanded"):
        client.v1.payment_intents.retrieve(intent.id, {"expand": ["customer_balance"]})


def test_expanding_list_items_and_refusing_a_bad_expand_before_acting(client):
    intent = pay(client)

    listed = client.v1.payment_intents.list({"expand": ["data.latest_charge"]})
    with pytest.raises(stripe.InvalidRequestError, match="cannot be expanded"):
        client.v1.payment_intents.capture(intent.id, {"expand": ["latest_charge.refunds"]})

    assert listed.data[0].latest_charge.object == "charge"
    assert client.v1.payment_intents.retrieve(intent.id).status == "requires_capture"


def test_update_merges_metadata_and_an_empty_value_removes_a_key(client):
    intent = pay(client, metadata={"basket_id": 7, "order_number": "100042"})

    updated = client.v1.payment_intents.update(
        intent.id, {"metadata": {"order_number": "", "note": "gift"}, "description": "Order 1"}
    )

    assert updated.metadata.to_dict() == {"basket_id": "7", "note": "gift"}
    assert updated.description == "Order 1"


# --- 3-D Secure --------------------------------------------------------------------------------


@pytest.mark.parametrize("payment_method", ["pm_card_authenticationRequired"])
def test_3ds_card_requires_action_then_authentication_holds_the_money(sim, client, payment_method):
    intent = pay(client, payment_method)

    assert intent.status == "requires_action"
    assert intent.latest_charge is None
    assert intent.next_action.type == "redirect_to_url"
    assert intent.next_action.redirect_to_url.url == f"{sim.base_url}/3ds/{intent.id}"
    assert intent.next_action.redirect_to_url.return_url == RETURN_URL
    assert event_types(sim)[-1] == "payment_intent.requires_action"

    back_to = sim.authenticate(intent.id, succeed=True)

    assert parse_qs(urlsplit(back_to).query) == {
        "step": ["3ds"],
        "payment_intent": [intent.id],
        "payment_intent_client_secret": [intent.client_secret],
        "redirect_status": ["succeeded"],
    }
    assert back_to.startswith("http://127.0.0.1:8000/checkout/payment-return/?")
    intent = client.v1.payment_intents.retrieve(intent.id)
    assert (intent.status, intent.amount_capturable, intent.next_action) == (
        "requires_capture",
        2500,
        None,
    )
    assert event_types(sim)[-1] == "payment_intent.amount_capturable_updated"


def test_failed_3ds_asks_for_another_payment_method(sim, client):
    intent = pay(client, "pm_card_authenticationRequired")

    back_to = sim.authenticate(intent.id, succeed=False)

    assert parse_qs(urlsplit(back_to).query)["redirect_status"] == ["failed"]
    intent = client.v1.payment_intents.retrieve(intent.id)
    assert intent.status == "requires_payment_method"
    assert intent.payment_method is None
    assert intent.last_payment_error.code == "payment_intent_authentication_failure"
    assert intent.last_payment_error.message == (
        "We are unable to authenticate your payment method. Please choose a different payment "
        "method and try again."
    )
    assert event_types(sim)[-1] == "payment_intent.payment_failed"


def test_3ds_card_without_return_url_is_refused(client):
    with pytest.raises(stripe.InvalidRequestError, match="return_url") as raised:
        client.v1.payment_intents.create(
            {
                "amount": 2500,
                "currency": "usd",
                "confirm": True,
                "confirmation_token": token(client, "pm_card_authenticationRequired"),
            }
        )
    assert raised.value.param == "return_url"


# --- Declines ----------------------------------------------------------------------------------

DECLINES = [
    ("pm_card_chargeDeclined", "card_declined", "generic_decline", "Your card was declined."),
    (
        "pm_card_chargeDeclinedInsufficientFunds",
        "card_declined",
        "insufficient_funds",
        "Your card has insufficient funds.",
    ),
    (
        "pm_card_chargeDeclinedExpiredCard",
        "expired_card",
        "expired_card",
        "Your card has expired.",
    ),
    (
        "pm_card_chargeDeclinedIncorrectCvc",
        "incorrect_cvc",
        "incorrect_cvc",
        "Your card's security code is incorrect.",
    ),
    (
        "pm_card_chargeDeclinedProcessingError",
        "processing_error",
        "processing_error",
        "An error occurred while processing your card. Try again in a little bit.",
    ),
]


@pytest.mark.parametrize(("payment_method", "code", "decline_code", "message"), DECLINES)
def test_declined_card_raises_card_error_and_the_intent_wants_a_new_card(
    sim, client, payment_method, code, decline_code, message
):
    with pytest.raises(stripe.CardError) as raised:
        pay(client, payment_method)

    error = raised.value
    assert (error.http_status, error.code, error.user_message) == (402, code, message)
    assert error.error.decline_code == decline_code
    assert error.error.charge.startswith("ch_")
    intent = client.v1.payment_intents.retrieve(error.error.payment_intent.id)
    assert intent.status == "requires_payment_method"
    assert (intent.last_payment_error.code, intent.last_payment_error.message) == (code, message)
    assert client.v1.charges.retrieve(error.error.charge).status == "failed"
    assert event_types(sim)[-2:] == ["charge.failed", "payment_intent.payment_failed"]


@pytest.mark.parametrize(
    ("number", "decline_code"),
    [("4000000000000002", "generic_decline"), ("4000000000009987", "lost_card")],
)
def test_test_card_numbers_typed_by_the_shopper_decline_like_stripe(client, number, decline_code):
    typed = client.v1.test_helpers.confirmation_tokens.create(
        {"payment_method_data": {"type": "card", "card": card(number)}}
    )

    with pytest.raises(stripe.CardError) as raised:
        client.v1.payment_intents.create(
            {"amount": 900, "currency": "usd", "confirm": True, "confirmation_token": typed.id}
        )

    assert raised.value.error.decline_code == decline_code
    assert raised.value.user_message == "Your card was declined."


def full_width(digits: str) -> str:
    """The digits as a Japanese keyboard's full-width mode types them: int() reads them."""
    return digits.translate({ord("0") + i: 0xFF10 + i for i in range(10)})


def card(number, exp_month="12", exp_year="2040", cvc="123"):
    return {"number": number, "exp_month": exp_month, "exp_year": exp_year, "cvc": cvc}


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        (card("4242424242424241"), "incorrect_number"),
        (card("4242"), "incorrect_number"),
        (card("4242424242424242", exp_year="2001"), "invalid_expiry_year"),
        (card("4242424242424242", exp_month="13"), "invalid_expiry_month"),
        (card("4242424242424242", cvc=""), "incomplete_cvc"),
        # Stripe reads ASCII digits only: str.isdigit() also takes "²" (which int() refuses)
        # and full-width digits (which int() reads).
        (card("424242424242424²"), "incorrect_number"),
        (card(full_width("4242424242424242")), "incorrect_number"),
        (card("4242424242424242", cvc="12²"), "invalid_cvc"),
        (card("4242424242424242", cvc=full_width("123")), "invalid_cvc"),
    ],
)
def test_card_details_are_checked_when_the_token_is_made(client, fields, code):
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.test_helpers.confirmation_tokens.create(
            {"payment_method_data": {"type": "card", "card": fields}}
        )

    assert raised.value.code == code
    assert raised.value.json_body["error"]["type"] == "card_error"


@pytest.mark.parametrize("month", ["1²", full_width("12")])
def test_an_expiry_month_not_in_ascii_digits_is_an_invalid_integer(client, month):
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.test_helpers.confirmation_tokens.create(
            {"payment_method_data": {"type": "card", "card": card("4242424242424242", month)}}
        )

    assert raised.value.code == "parameter_invalid_integer"
    assert raised.value.param == "payment_method_data[card][exp_month]"


@pytest.mark.parametrize("amount", ["9" * 5000, full_width("1200"), "12²"])
def test_an_amount_not_in_ascii_digits_or_too_long_is_an_invalid_integer(client, amount):
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.payment_intents.create({"amount": amount, "currency": "usd"})

    assert raised.value.code == "parameter_invalid_integer"
    assert raised.value.param == "amount"


@pytest.mark.parametrize("bound", ["1²", full_width("12"), "9" * 5000])
def test_a_created_filter_not_in_ascii_digits_is_refused(client, bound):
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.payment_intents.list({"created": {"gte": bound}})

    assert raised.value.param == "created"


def test_confirmation_token_previews_the_card_and_works_once(client):
    made = client.v1.test_helpers.confirmation_tokens.create(
        {
            "payment_method_data": {
                "type": "card",
                "card": card("4242 4242 4242 4242"),
                "billing_details": {"name": "Ada Lovelace", "email": "ada@example.com"},
            }
        }
    )
    assert made.object == "confirmation_token" and made.id.startswith("ctoken_")
    assert (made.payment_method_preview.card.brand, made.payment_method_preview.card.last4) == (
        "visa",
        "4242",
    )
    assert made.payment_method_preview.billing_details.name == "Ada Lovelace"
    params = {"amount": 900, "currency": "usd", "confirm": True, "confirmation_token": made.id}
    client.v1.payment_intents.create(params)

    with pytest.raises(stripe.InvalidRequestError, match="already been used"):
        client.v1.payment_intents.create(params)
    assert client.v1.confirmation_tokens.retrieve(made.id).payment_intent is not None


# --- Validation and lookups --------------------------------------------------------------------


def test_amount_is_required_and_at_least_stripes_minimum(client):
    with pytest.raises(stripe.InvalidRequestError) as missing:
        client.v1.payment_intents.create({"currency": "usd"})
    with pytest.raises(stripe.InvalidRequestError) as too_small:
        client.v1.payment_intents.create({"amount": 49, "currency": "usd"})
    with pytest.raises(stripe.InvalidRequestError) as not_a_number:
        client.v1.payment_intents.create({"amount": "12.50", "currency": "usd"})

    assert (missing.value.param, missing.value.code) == ("amount", "parameter_missing")
    assert too_small.value.code == "amount_too_small"
    assert too_small.value.user_message == "Amount must be at least $0.50 usd"
    assert not_a_number.value.code == "parameter_invalid_integer"


def test_unknown_parameters_are_refused_like_stripe(client):
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.payment_intents.create({"amount": 900, "currency": "usd", "amont": 1})

    assert (raised.value.code, raised.value.param) == ("parameter_unknown", "amont")


def test_unknown_ids_and_routes_are_404(client):
    with pytest.raises(stripe.InvalidRequestError) as intent:
        client.v1.payment_intents.retrieve("pi_missing")
    with pytest.raises(stripe.InvalidRequestError) as charge:
        client.v1.charges.retrieve("ch_missing")
    with pytest.raises(stripe.InvalidRequestError) as route:
        client.v1.customers.retrieve("cus_1")

    assert (intent.value.http_status, intent.value.code) == (404, "resource_missing")
    assert intent.value.user_message == "No such payment_intent: 'pi_missing'"
    assert charge.value.user_message == "No such charge: 'ch_missing'"
    assert route.value.http_status == 404
    assert "Unrecognized request URL (GET: /v1/customers/cus_1)" in route.value.user_message


def test_wrong_api_key_is_401(sim):
    with pytest.raises(stripe.AuthenticationError) as raised:
        client_for(sim, "sk_test_wrongwrongwrong").v1.payment_intents.list()

    assert raised.value.http_status == 401
    assert raised.value.user_message.startswith("Invalid API Key provided: sk_test_")
    assert "wrongwrongwrong" not in raised.value.user_message


def test_publishable_key_can_make_a_confirmation_token_but_not_a_payment_intent(sim):
    browser = client_for(sim, PUBLISHABLE_KEY)

    response = browser.raw_request(
        "post",
        "/v1/confirmation_tokens",
        payment_method_data={"type": "card", "card": card("4242424242424242")},
    )

    assert response.data["object"] == "confirmation_token"
    with pytest.raises(stripe.AuthenticationError, match="publishable API key"):
        browser.v1.payment_intents.create({"amount": 900, "currency": "usd"})
    with pytest.raises(stripe.AuthenticationError):
        browser.v1.test_helpers.confirmation_tokens.create({"payment_method": "pm_card_visa"})


# --- Idempotency -------------------------------------------------------------------------------


def test_same_idempotency_key_replays_the_first_answer(sim, client):
    params = {"amount": 2500, "currency": "usd", "metadata": {"basket_id": 7}}

    first = client.v1.payment_intents.create(params, {"idempotency_key": "attempt-1"})
    again = client.v1.payment_intents.create(params, {"idempotency_key": "attempt-1"})

    assert again.id == first.id
    assert len(sim.payment_intents) == 1
    assert again.last_response.headers["idempotent-replayed"] == "true"
    assert event_types(sim) == ["payment_intent.created"]


def test_a_replayed_decline_is_the_same_decline(sim, client):
    params = {
        "amount": 2500,
        "currency": "usd",
        "confirm": True,
        "confirmation_token": token(client, "pm_card_chargeDeclined"),
    }
    with pytest.raises(stripe.CardError) as first:
        client.v1.payment_intents.create(params, {"idempotency_key": "attempt-2"})
    with pytest.raises(stripe.CardError) as again:
        client.v1.payment_intents.create(params, {"idempotency_key": "attempt-2"})

    assert again.value.error.payment_intent.id == first.value.error.payment_intent.id
    assert len(sim.payment_intents) == 1


def test_same_idempotency_key_with_other_params_is_refused(client):
    client.v1.payment_intents.create(
        {"amount": 2500, "currency": "usd"}, {"idempotency_key": "attempt-3"}
    )

    with pytest.raises(stripe.IdempotencyError) as raised:
        client.v1.payment_intents.create(
            {"amount": 2600, "currency": "usd"}, {"idempotency_key": "attempt-3"}
        )

    assert raised.value.http_status == 400
    assert "can only be used with the same parameters" in raised.value.user_message


def test_concurrent_requests_with_one_key_create_one_intent(sim, client):
    results = []

    def create():
        intent = client.v1.payment_intents.create(
            {"amount": 2500, "currency": "usd"}, {"idempotency_key": "attempt-4"}
        )
        results.append(intent.id)

    threads = [threading.Thread(target=create) for _ in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert len(set(results)) == 1 and len(results) == 8
    assert len(sim.payment_intents) == 1


# --- Network faults ----------------------------------------------------------------------------


def test_connection_failure_is_retried_by_the_sdk_with_the_same_idempotency_key(sim, client):
    sim.fail_next(1, kind="connection")

    intent = client.v1.payment_intents.create({"amount": 2500, "currency": "usd"})

    attempts = created_intents(sim)
    assert len(attempts) == 2
    assert attempts[0].idempotency_key == attempts[1].idempotency_key is not None
    assert list(sim.payment_intents) == [intent.id]


def test_timeout_after_stripe_acted_is_replayed_not_repeated(sim, client):
    params = {
        "amount": 2500,
        "currency": "usd",
        "capture_method": "manual",
        "confirm": True,
        "confirmation_token": token(client),
    }
    sim.fail_next(1, kind="timeout")

    intent = client.v1.payment_intents.create(params)

    assert intent.status == "requires_capture"
    assert len(created_intents(sim)) == 2
    assert intent.last_response.headers["idempotent-replayed"] == "true"
    assert len(sim.payment_intents) == 1 and len(sim.charges) == 1


def test_connection_failures_beyond_the_retries_raise_api_connection_error(sim, client):
    sim.fail_next(3, kind="connection")

    with pytest.raises(stripe.APIConnectionError):
        client.v1.payment_intents.create({"amount": 2500, "currency": "usd"})
    assert sim.payment_intents == {}


def test_server_errors_are_retried_then_surface_as_api_error(sim, client):
    sim.fail_next(1, kind="server_error")
    assert client.v1.payment_intents.create({"amount": 2500, "currency": "usd"}).id

    sim.fail_next(3, kind="server_error")
    with pytest.raises(stripe.APIError) as raised:
        client.v1.payment_intents.create({"amount": 2500, "currency": "usd"})
    assert raised.value.http_status == 500
    assert len(sim.payment_intents) == 1


# --- Cancel and refund -------------------------------------------------------------------------


def test_cancel_releases_the_hold_and_only_once(sim, client):
    intent = pay(client)

    cancelled = client.v1.payment_intents.cancel(intent.id, {"cancellation_reason": "abandoned"})

    assert (cancelled.status, cancelled.cancellation_reason) == ("canceled", "abandoned")
    assert cancelled.canceled_at and cancelled.amount_capturable == 0
    assert event_types(sim)[-1] == "payment_intent.canceled"
    with pytest.raises(stripe.InvalidRequestError) as raised:
        client.v1.payment_intents.cancel(intent.id)
    assert raised.value.code == "payment_intent_unexpected_state"


def test_succeeded_intent_cannot_be_cancelled(client):
    intent = pay(client, capture_method="automatic")

    with pytest.raises(stripe.InvalidRequestError, match="status of succeeded"):
        client.v1.payment_intents.cancel(intent.id)


def test_partial_refunds_add_up_until_the_charge_is_fully_refunded(sim, client):
    intent = pay(client, capture_method="automatic")

    first = client.v1.refunds.create({"payment_intent": intent.id, "amount": 1000})
    second = client.v1.refunds.create(
        {"payment_intent": intent.id, "amount": 500, "metadata": {"order_number": "100042"}}
    )
    with pytest.raises(stripe.InvalidRequestError) as too_much:
        client.v1.refunds.create({"payment_intent": intent.id, "amount": 1001})
    rest = client.v1.refunds.create({"payment_intent": intent.id})
    with pytest.raises(stripe.InvalidRequestError) as again:
        client.v1.refunds.create({"payment_intent": intent.id})

    assert first.object == "refund" and first.id.startswith("re_")
    assert (first.status, first.amount, first.currency) == ("succeeded", 1000, "usd")
    assert second.metadata.to_dict() == {"order_number": "100042"}
    assert too_much.value.user_message == (
        "Refund amount ($10.01) is greater than unrefunded amount on charge ($10.00)"
    )
    assert rest.amount == 1000
    assert again.value.code == "charge_already_refunded"
    charge = client.v1.charges.retrieve(intent.latest_charge)
    assert (charge.amount_refunded, charge.refunded) == (2500, True)
    assert [refund.id for refund in charge.refunds.data] == [rest.id, second.id, first.id]
    refunded = [event for event in sim.events if event["type"] == "charge.refunded"]
    assert [event["data"]["object"]["amount_refunded"] for event in refunded] == [1000, 1500, 2500]
    assert len(refunded[-1]["data"]["object"]["refunds"]["data"]) == 3
    listed = client.v1.refunds.list({"payment_intent": intent.id})
    assert [refund.id for refund in listed.data] == [rest.id, second.id, first.id]
    assert client.v1.refunds.retrieve(first.id).charge == intent.latest_charge


def test_uncaptured_payment_cannot_be_refunded(client):
    intent = pay(client)

    with pytest.raises(stripe.InvalidRequestError, match="has not been captured"):
        client.v1.refunds.create({"payment_intent": intent.id})


def test_dashboard_refund_and_dispute_reach_the_shop_as_events(sim, client):
    intent = pay(client, capture_method="automatic")

    refund = sim.dashboard_refund(intent.id, amount=500)
    dispute = sim.open_dispute(intent.id)

    assert refund["amount"] == 500 and refund["payment_intent"] == intent.id
    assert dispute["id"].startswith("dp_") and dispute["object"] == "dispute"
    assert (dispute["status"], dispute["reason"], dispute["amount"]) == (
        "needs_response",
        "fraudulent",
        2500,
    )
    assert event_types(sim)[-3:] == ["refund.created", "charge.refunded", "charge.dispute.created"]
    assert sim.events[-1]["request"] == {"id": None, "idempotency_key": None}
    with pytest.raises(stripe.InvalidRequestError, match="charged back"):
        client.v1.refunds.create({"payment_intent": intent.id})


# --- Lists and events --------------------------------------------------------------------------


def test_lists_are_newest_first_with_cursors_and_created_filters():
    now = [1_800_000_000]
    sim = Simulator(clock=lambda: now[0])
    client = client_for(sim)
    made = []
    for _ in range(5):
        made.append(client.v1.payment_intents.create({"amount": 900, "currency": "usd"}).id)
        now[0] += 10

    page = client.v1.payment_intents.list({"limit": 2})
    after = client.v1.payment_intents.list({"limit": 2, "starting_after": page.data[-1].id})
    recent = client.v1.payment_intents.list({"created": {"gte": 1_800_000_020}})

    assert page.object == "list" and page.url == "/v1/payment_intents"
    assert ([p.id for p in page.data], page.has_more) == (made[:2:-1], True)
    assert [p.id for p in after.data] == [made[2], made[1]]
    assert [p.id for p in recent.data] == made[:1:-1]
    assert [p.id for p in page.auto_paging_iter()] == made[::-1]


def test_events_are_stored_like_stripes_and_listed_by_type(sim, client):
    intent = pay(client)
    client.v1.payment_intents.capture(intent.id, options={"idempotency_key": "capture-1"})

    captured = sim.events[-1]
    assert captured["object"] == "event" and captured["id"].startswith("evt_")
    assert captured["api_version"] == stripe.api_version
    assert captured["livemode"] is False
    assert captured["request"]["idempotency_key"] == "capture-1"
    assert captured["request"]["id"].startswith("req_")
    assert captured["data"]["object"]["status"] == "succeeded"
    # Each event keeps the object as it was then.
    created = client.v1.events.retrieve(sim.events[0]["id"])
    assert created.type == "payment_intent.created"
    assert created.data.object.status == "requires_payment_method"

    listed = client.v1.events.list({"type": "payment_intent.*", "limit": 2})
    assert [event.type for event in listed.data] == [
        "payment_intent.succeeded",
        "payment_intent.amount_capturable_updated",
    ]
    assert listed.has_more is True


# --- Webhooks ----------------------------------------------------------------------------------


def test_webhook_signature_is_verified_by_the_sdk(sim, client):
    pay(client)
    payload, header = sim.webhook_request(sim.events[-1])

    event = client.construct_event(payload, header, WEBHOOK_SECRET)

    assert event.type == "payment_intent.amount_capturable_updated"
    assert isinstance(event.data.object, stripe.PaymentIntent)
    assert stripe.Webhook.construct_event(payload, header, WEBHOOK_SECRET).id == event.id


@pytest.mark.parametrize("tamper", ["payload", "secret", "timestamp"])
def test_tampered_or_stale_webhooks_are_rejected_by_the_sdk(sim, client, tamper):
    pay(client)
    payload, header = sim.webhook_request(sim.events[-1])
    secret = WEBHOOK_SECRET
    if tamper == "payload":
        payload = payload.replace(b'"amount": 2500', b'"amount": 1')
    elif tamper == "secret":
        secret = "whsec_someone_else"
    else:
        header = sim.sign(payload, timestamp=int(time.time()) - 600)

    with pytest.raises(stripe.SignatureVerificationError):
        client.construct_event(payload, header, secret)


class WebhookReceiver:
    """A tiny shop on 127.0.0.1 that records webhooks and can fail the first few."""

    def __init__(self, failures=0):
        self.received = []
        self.failures = failures
        self.answering = threading.Event()  # cleared: each POST waits until it is set again
        self.answering.set()
        receiver = self

        class Handler(BaseHTTPRequestHandler):
            def do_POST(self):
                receiver.answering.wait(timeout=10)
                body = self.rfile.read(int(self.headers["Content-Length"]))
                if receiver.failures:
                    receiver.failures -= 1
                    self.send_response(500)
                else:
                    receiver.received.append((body, self.headers["Stripe-Signature"]))
                    self.send_response(200)
                self.end_headers()

            def log_message(self, *args):
                pass

        self.server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.url = f"http://127.0.0.1:{self.server.server_port}/payments/stripe/webhook/"
        threading.Thread(
            target=self.server.serve_forever, kwargs={"poll_interval": 0.05}, daemon=True
        ).start()

    def close(self):
        self.server.shutdown()
        self.server.server_close()


@pytest.fixture
def receiver():
    made = WebhookReceiver()
    yield made
    made.close()


def test_events_are_posted_signed_and_in_order_to_the_webhook_url(receiver):
    sim = Simulator(webhook_urls=[receiver.url])
    intent = pay(client_for(sim))
    client_for(sim).v1.payment_intents.capture(intent.id)

    sim.deliver_pending()
    verified = [
        stripe.Webhook.construct_event(body, sig, WEBHOOK_SECRET) for body, sig in receiver.received
    ]
    assert [event.id for event in verified] == [event["id"] for event in sim.events]
    assert sim.events[-1]["pending_webhooks"] == 0
    sim.close()


def test_only_the_events_the_endpoint_enables_are_posted_though_all_are_recorded(receiver):
    sim = Simulator(
        webhook_urls=[receiver.url],
        webhook_events=("payment_intent.amount_capturable_updated", "payment_intent.succeeded"),
    )
    # Nothing delivered yet when the counts are read: the simulator's webhook worker may
    # otherwise deliver the first event before this thread reads them (seen on a slow machine).
    receiver.answering.clear()
    intent = pay(client_for(sim))
    client_for(sim).v1.payment_intents.capture(intent.id)

    pending = {event["type"]: event["pending_webhooks"] for event in sim.events}
    receiver.answering.set()
    sim.deliver_pending()

    posted = [json.loads(body)["type"] for body, _signature in receiver.received]
    assert posted == ["payment_intent.amount_capturable_updated", "payment_intent.succeeded"]
    assert pending == {
        "payment_intent.created": 0,
        "charge.succeeded": 0,
        "payment_intent.amount_capturable_updated": 1,
        "charge.captured": 0,
        "payment_intent.succeeded": 1,
    }
    sim.close()


def test_a_failed_webhook_is_retried(receiver):
    receiver.failures = 2
    sim = Simulator(webhook_urls=[receiver.url])
    sim.WEBHOOK_RETRY_DELAYS = (0.01, 0.01, 0.01)

    client_for(sim).v1.payment_intents.create({"amount": 900, "currency": "usd"})

    assert sim.wait_for_deliveries(timeout=10)
    assert [delivery.status for delivery in sim.deliveries] == [500, 500, 200]
    assert len(receiver.received) == 1
    sim.close()


# --- Over loopback, as the demo and the browser tests use it -----------------------------------


@pytest.fixture
def server(sim):
    running = serve(sim, port=0)
    yield running
    running.shutdown()


def loopback_client(server, **options):
    return stripe.StripeClient(
        SECRET_KEY,
        base_addresses={"api": server.url},
        http_client=stripe.RequestsClient(**options),
        max_network_retries=2,
    )


def test_a_3ds_payment_over_loopback_with_the_sdks_own_http_client(sim, server):
    client = loopback_client(server)
    assert server.url == sim.base_url == f"http://127.0.0.1:{server.port}"

    intent = pay(client, "pm_card_authenticationRequired", amount=1250)
    page = requests.get(intent.next_action.redirect_to_url.url, timeout=5)
    answer = requests.post(
        f"{server.url}/3ds/{intent.id}/complete", allow_redirects=False, timeout=5
    )

    assert page.status_code == 200
    assert "<title>Simulated 3-D Secure</title>" in page.text
    assert "Test payments — no card is charged." in page.text
    assert "$12.50" in page.text
    assert 'action="/3ds/' + intent.id + '/complete"' in page.text
    assert "Fail authentication" in page.text
    assert answer.status_code == 303
    assert answer.headers["Location"].startswith(RETURN_URL + "&payment_intent=" + intent.id)
    assert client.v1.payment_intents.retrieve(intent.id).status == "requires_capture"
    assert client.v1.payment_intents.capture(intent.id).status == "succeeded"


def test_loopback_api_allows_the_browser_stand_in_across_origins(server):
    preflight = requests.options(f"{server.url}/v1/confirmation_tokens", timeout=5)
    made = requests.post(
        f"{server.url}/v1/confirmation_tokens",
        headers={"Authorization": f"Bearer {PUBLISHABLE_KEY}"},
        data={
            "payment_method_data[type]": "card",
            "payment_method_data[card][number]": "4242424242424242",
            "payment_method_data[card][exp_month]": "12",
            "payment_method_data[card][exp_year]": "40",
            "payment_method_data[card][cvc]": "123",
        },
        timeout=5,
    )

    assert preflight.status_code == 204
    assert preflight.headers["Access-Control-Allow-Origin"] == "*"
    assert "Idempotency-Key" in preflight.headers["Access-Control-Allow-Headers"]
    assert made.status_code == 200
    assert made.headers["Access-Control-Allow-Origin"] == "*"
    assert made.headers["Request-Id"].startswith("req_")
    assert made.json()["payment_method_preview"]["card"]["last4"] == "4242"


def kept_connections(session, server):
    """The open connections the session keeps to the simulator for its next request."""
    manager = session.get_adapter(server.url).poolmanager
    pools = [manager.pools[key] for key in manager.pools.keys()]  # noqa: SIM118 (not iterable)
    return [conn for pool in pools for conn in pool.pool.queue if conn and conn.is_connected]


def test_the_shops_calls_over_loopback_leave_the_connection_open_for_the_next(sim, server):
    session = requests.Session()
    client = loopback_client(server, session=session)

    intent = pay(client)
    (kept,) = kept_connections(session, server)
    sock = kept.sock
    client.v1.payment_intents.capture(intent.id)

    # The capture went over the same socket, which stays open, as Stripe's API keeps it.
    assert kept_connections(session, server) == [kept]
    assert kept.sock is sock
    assert sim.payment_intents[intent.id]["status"] == "succeeded"


def test_a_kept_connection_answers_one_request_after_another(server):
    conn = http.client.HTTPConnection("127.0.0.1", server.port, timeout=5)
    answers = []
    for _ in range(3):
        conn.request("GET", "/healthz")
        response = conn.getresponse()
        answers.append((response.status, json.loads(response.read()), conn.sock is not None))
    conn.close()

    assert answers == [(200, {"status": "ok"}, True)] * 3


def test_a_dropped_connection_is_closed_and_the_retry_opens_another(sim, server):
    session = requests.Session()
    client = loopback_client(server, session=session)
    client.v1.payment_intents.create({"amount": 900, "currency": "usd"})
    (before,) = kept_connections(session, server)
    port = before.sock.getsockname()[1]
    sim.fail_next(1, kind="connection")

    intent = client.v1.payment_intents.create({"amount": 900, "currency": "usd"})

    (after,) = kept_connections(session, server)
    assert after.sock.getsockname()[1] != port  # the simulator hung up; the retry reconnected
    assert len(sim.payment_intents) == 2
    assert intent.id in sim.payment_intents


def test_a_dropped_connection_over_loopback_is_retried(sim, server):
    sim.fail_next(1, kind="connection")

    intent = loopback_client(server).v1.payment_intents.create({"amount": 900, "currency": "usd"})

    assert len(created_intents(sim)) == 2
    assert list(sim.payment_intents) == [intent.id]


def test_a_slow_answer_over_loopback_times_out_and_the_retry_is_replayed(sim, server):
    sim.fail_next(1, kind="timeout", delay=1.0)

    intent = loopback_client(server, timeout=0.3).v1.payment_intents.create(
        {"amount": 900, "currency": "usd"}
    )

    assert len(created_intents(sim)) == 2
    assert list(sim.payment_intents) == [intent.id]


def test_dashboard_actions_and_health_over_loopback(sim, server):
    intent = pay(client_for(sim), capture_method="automatic")

    health = requests.get(f"{server.url}/healthz", timeout=5)
    refund = requests.post(
        f"{server.url}/_sim/refund", data={"payment_intent": intent.id, "amount": "700"}, timeout=5
    )
    dispute = requests.post(
        f"{server.url}/_sim/dispute",
        data={"payment_intent": intent.id, "reason": "product_not_received"},
        timeout=5,
    )
    missing = requests.post(f"{server.url}/_sim/refund", data={"payment_intent": "pi_x"}, timeout=5)
    superscript = requests.post(
        f"{server.url}/_sim/refund", data={"payment_intent": intent.id, "amount": "7²"}, timeout=5
    )

    assert health.status_code == 200
    assert (refund.status_code, refund.json()["amount"]) == (200, 700)
    assert (dispute.status_code, dispute.json()["reason"]) == (200, "product_not_received")
    assert missing.status_code == 404
    assert superscript.status_code == 400
    assert "Invalid integer" in superscript.json()["error"]["message"]
    assert event_types(sim)[-3:] == ["refund.created", "charge.refunded", "charge.dispute.created"]


# --- Keeping the account across restarts ------------------------------------------------------


def test_a_payment_made_before_a_restart_is_captured_and_refunded_after_it(tmp_path):
    state = tmp_path / "stripe-simulator.json"
    before = Simulator(state_path=state)
    intent = pay(client_for(before), "pm_card_authenticationRequired")
    before.authenticate(intent.id, succeed=True)

    after = Simulator(state_path=state)
    client = client_for(after)
    captured = client.v1.payment_intents.capture(intent.id)
    refund = client.v1.refunds.create({"payment_intent": intent.id, "amount": 1000})
    after.dashboard_refund(intent.id)

    assert (captured.status, captured.amount_received) == ("succeeded", 2500)
    assert refund.status == "succeeded"
    charge = Simulator(state_path=state).charges[captured.latest_charge]
    assert (charge["amount_refunded"], charge["refunded"]) == (2500, True)
    # The charge still lists its refunds, newest first: the dashboard's, then the shop's.
    assert [r["amount"] for r in charge["refunds"]["data"]] == [1500, 1000]
    assert charge["refunds"]["data"][1]["id"] == refund.id
    assert event_types(after)[-5:] == [
        "payment_intent.succeeded",
        "refund.created",
        "charge.refunded",
        "refund.created",
        "charge.refunded",
    ]
    assert list(tmp_path.iterdir()) == [state]  # no temporary file left behind


def test_an_idempotent_request_is_replayed_after_a_restart(tmp_path):
    state = tmp_path / "stripe-simulator.json"
    params = {"amount": 2500, "currency": "usd", "metadata": {"basket_id": 7}}
    first = client_for(Simulator(state_path=state)).v1.payment_intents.create(
        params, {"idempotency_key": "attempt-5"}
    )

    after = Simulator(state_path=state)
    client = client_for(after)
    again = client.v1.payment_intents.create(params, {"idempotency_key": "attempt-5"})

    assert again.id == first.id
    assert again.last_response.headers["idempotent-replayed"] == "true"
    assert len(after.payment_intents) == 1
    with pytest.raises(stripe.IdempotencyError):
        client.v1.payment_intents.create(
            {**params, "amount": 2600}, {"idempotency_key": "attempt-5"}
        )


@pytest.mark.parametrize("content", ['{"objects": [{"id": "pi_', "[]", '{"objects": [1]}'])
def test_a_corrupt_state_file_starts_an_empty_account_with_a_warning(tmp_path, caplog, content):
    state = tmp_path / "stripe-simulator.json"
    state.write_text(content)

    sim = Simulator(state_path=state)

    assert sim.payment_intents == {}
    assert "cannot read the state" in caplog.text
    intent = pay(client_for(sim))
    assert list(Simulator(state_path=state).payment_intents) == [intent.id]


def test_without_a_state_path_nothing_is_written(sim, client, tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)

    intent = pay(client, capture_method="automatic")
    sim.dashboard_refund(intent.id)

    assert sim.state_path is None
    assert list(tmp_path.iterdir()) == []


# --- Stripe's form encoding --------------------------------------------------------------------


def test_form_parsing_reads_the_sdks_and_the_browsers_encodings():
    params = parse_form(
        "metadata[basket_id]=7&expand[0]=latest_charge&expand[1]=payment_method"
        "&created[gte]=10&types[]=a&types[]=b&payment_method_data[card][number]=4242"
    )

    assert params["metadata"] == {"basket_id": "7"}
    assert as_list(params["expand"], "expand") == ["latest_charge", "payment_method"]
    assert params["created"] == {"gte": "10"}
    assert params["types"] == ["a", "b"]
    assert params["payment_method_data"] == {"card": {"number": "4242"}}
    with pytest.raises(FormError):
        parse_form("metadata=x&metadata[a]=1")
    with pytest.raises(FormError):
        as_list("latest_charge", "expand")
    with pytest.raises(FormError):  # "²".isdigit(), yet int("²") fails: an index is ASCII digits
        as_list(parse_form("expand[²]=latest_charge")["expand"], "expand")


def test_body_sent_by_the_sdk_round_trips():
    # What the SDK actually puts on the wire for nested params and lists.
    from stripe._encode import _api_encode

    params = {"metadata": {"basket_id": 7}, "expand": ["latest_charge"], "confirm": True}
    encoded = "&".join(f"{key}={value}" for key, value in _api_encode(params))

    assert parse_form(encoded) == {
        "metadata": {"basket_id": "7"},
        "expand": {"0": "latest_charge"},
        "confirm": "true",
    }


def test_events_serialise_to_json_as_webhooks_send_them(sim, client):
    pay(client)

    payload, _header = sim.webhook_request(sim.events[0])

    assert json.loads(payload)["type"] == "payment_intent.created"


class HeldAnswers:
    """Stands in for the loopback transport's `time`: records how long each answer is held."""

    def __init__(self):
        self.held: list[float] = []

    def sleep(self, seconds: float) -> None:
        self.held.append(seconds)


def test_latency_holds_each_answer_to_the_shop_but_not_to_stripe_js(monkeypatch):
    slow = Simulator(latency=0.3)
    running = serve(slow, port=0)
    held = HeldAnswers()
    monkeypatch.setattr(simulator_http, "time", held)
    browser = stripe.StripeClient(
        PUBLISHABLE_KEY, base_addresses={"api": running.url}, max_network_retries=0
    )
    try:
        made = browser.raw_request(
            "post",
            "/v1/confirmation_tokens",
            payment_method_data={"type": "card", "card": card("4242424242424242")},
        )
        assert held.held == []  # Stripe.js's call holds none of the shop's workers

        intent = loopback_client(running).v1.payment_intents.create(
            {
                "amount": 900,
                "currency": "usd",
                "capture_method": "manual",
                "confirm": True,
                "confirmation_token": made.data["id"],
            }
        )
        captured = loopback_client(running).v1.payment_intents.capture(intent.id)
    finally:
        running.shutdown()
        slow.close()

    assert held.held == [0.3, 0.3]
    assert (intent.status, captured.status) == ("requires_capture", "succeeded")


def test_without_latency_nothing_is_held(sim, server, monkeypatch):
    held = HeldAnswers()
    monkeypatch.setattr(simulator_http, "time", held)

    intent = pay(loopback_client(server))

    assert intent.status == "requires_capture"
    assert held.held == []


def test_ids_are_shaped_like_stripes_and_never_repeat():
    ids = {new_id("pi") for _ in range(2000)}
    assert len(ids) == 2000
    assert all(re.fullmatch(r"pi_[A-Za-z0-9]{24}", found) for found in ids)
    # Every letter and digit turns up: no character of the alphabet is left out.
    assert set("".join(found[3:] for found in ids)) == set(ALPHABET)


def test_a_view_is_a_copy_the_caller_may_change():
    sim = Simulator()
    intent = pay(client_for(sim))
    view = sim.payment_intents[intent.id]
    view["metadata"]["changed"] = "by the caller"
    view["amount"] = 1
    again = sim.payment_intents[intent.id]
    assert "changed" not in again["metadata"] and again["amount"] == 2500
    data = {"a": [{"b": 1}, (2, {"c": 3})]}
    copied = json_copy(data)
    assert copied == data
    assert copied["a"] is not data["a"] and copied["a"][0] is not data["a"][0]
    assert copied["a"][1][1] is not data["a"][1][1]
