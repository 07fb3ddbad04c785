"""Orders for card payments the browser never came back for.

A shopper can pass 3-D Secure and close the tab, or lose the connection while "Place order" waits
for Stripe: the card is authorised, no order exists. Stripe tells us (the
`payment_intent.amount_capturable_updated` webhook; reconciliation finds the rest), and
`held_without_order` hands the payment to `complete_held_payment`, run by the task worker.

It places the order with the browser's own sequence, `PaymentDetailsView.place_once`, on a request
rebuilt from what the checkout stored on the payment attempt (its session data, the basket and its
owner): same basket lock, same fingerprint check against the digest the PaymentIntent carries,
same stock allocation, capture and confirmation e-mail. So the browser's return, the webhook and
reconciliation may all arrive at once and still make one order. When the basket changed since the
authorisation, or stock ran out, the hold is cancelled instead and the shopper is e-mailed that the
payment was not completed and nothing was taken.
"""

import copy
import logging
from datetime import timedelta
from enum import StrEnum
from importlib import import_module

from django import http
from django.conf import settings
from django.contrib.auth.models import AnonymousUser
from django.db import connections, router, transaction
from django.dispatch import receiver
from django.http import HttpRequest
from django.urls import reverse
from django.utils import timezone
from django_tasks import task
from oscar.core.loading import get_class, get_model

from shop.checkout import emails, fingerprint
from shop.checkout.views import PaymentDetailsView
from shop.payments import services as payments
from shop.payments.client import stripe_client
from shop.payments.intents import metadata
from shop.payments.models import PaymentAttempt
from shop.payments.money import from_minor_units
from shop.payments.signals import held_without_order

logger = logging.getLogger("shop.checkout")

CheckoutSessionData = get_class("checkout.utils", "CheckoutSessionData")
Dispatcher = get_class("communication.utils", "Dispatcher")
Basket = get_model("basket", "Basket")
Order = get_model("order", "Order")
Selector = get_class("partner.strategy", "Selector")

# Where an attempt may still become an order: at 3-D Secure, authorised, or lost in a reply.
OPEN = (
    PaymentAttempt.Status.STARTED,
    PaymentAttempt.Status.REQUIRES_ACTION,
    PaymentAttempt.Status.AUTHORISED,
    PaymentAttempt.Status.FAILED,
)
NOT_COMPLETED_EMAIL = "PAYMENT_NOT_COMPLETED"
# Seconds: longer than any "Place order" request can take (Stripe's budget is far shorter).
LOOK_AGAIN_AFTER = 120


class Completion(StrEnum):
    PLACED = "placed"  # the order now exists (placed here, by the browser, or by a twin run)
    RELEASED = "released"  # the hold is cancelled: no order for this payment
    WAITING = "waiting"  # not authorised yet (3-D Secure unfinished) or Stripe unreachable
    NOT_OURS = "not ours"  # no payment attempt of ours for this PaymentIntent


@receiver(held_without_order, dispatch_uid="shop.checkout.unattended")
def take_over(sender, intent, **kwargs) -> bool:
    """Queue the completion of a payment of ours (inside the webhook's transaction, so the task
    commits with the event). True when it is ours to complete or release, or already placed."""
    # Stripe's webhook has waited for a "Place order" still writing (webhooks.checkout_finished).
    key = _attempt_key(intent)
    orders = _orders_of_attempts(intent["id"], key)
    if orders:
        complete_held_payment.enqueue(intent["id"])
        return True
    if key:
        # Stripe can report the authorisation before "Place order" has committed its attempt
        # (a reply lost on the way back, say): look again once that request is surely over.
        later = timezone.now() + timedelta(seconds=LOOK_AGAIN_AFTER)
        complete_held_payment.using(run_after=later).enqueue(intent["id"])
    return False


@task()
def complete_held_payment(intent_id: str) -> str:
    """Place the order for an authorised payment, or release it; safe to run any number of times."""
    return complete(intent_id).value


def complete(intent_id: str) -> Completion:
    attempt = _find_attempt(intent_id)
    if attempt is None:
        return Completion.NOT_OURS
    if attempt.order_id:
        return Completion.PLACED
    if attempt.status in (PaymentAttempt.Status.CANCELLED, PaymentAttempt.Status.DECLINED):
        return Completion.RELEASED  # nothing is held
    if attempt.status in OPEN and attempt.basket_id and attempt.checkout:
        checkout = UnattendedCheckout(attempt)
        checkout.place()
        attempt.refresh_from_db()
        if attempt.order_id:
            return Completion.PLACED
        unsure = checkout.outcome is not None and checkout.outcome.transient
        if unsure or attempt.status == PaymentAttempt.Status.REQUIRES_ACTION:
            return Completion.WAITING  # Stripe unreachable, or 3-D Secure unfinished: later
    return release(attempt)


def release(attempt: PaymentAttempt) -> Completion:
    """Cancel the hold; tell the shopper, unless their basket became an order another way."""
    if attempt.status != PaymentAttempt.Status.CANCELLED and not payments.cancel(attempt):
        return Completion.WAITING  # Stripe unreachable: reconciliation hands it back later
    ordered = attempt.basket_id and Order._default_manager.filter(basket_id=attempt.basket_id)
    if not (ordered and ordered.exists()):
        _tell_not_completed(attempt)
    logger.info("Order %s: payment not completed, hold released", attempt.order_number)
    return Completion.RELEASED


class UnattendedCheckout(PaymentDetailsView):
    """The payment step without its browser: `place_once` for an attempt whose money is held."""

    preview = True

    def __init__(self, attempt: PaymentAttempt):
        super().__init__()
        self.attempt = attempt
        self.setup(unattended_request(attempt))
        self.checkout_session = CheckoutSessionData(self.request)
        self.outcome: payments.Outcome | None = None  # what Stripe said of the held money

    def place(self) -> http.HttpResponse:
        return self.place_once(hold_money=self.confirm_held)

    def confirm_held(self, submission: dict, review: fingerprint.Review):
        """Use the held money only for the basket it was authorised for (the PaymentIntent's
        digest), and only if neither the browser nor a twin run has used it meanwhile."""
        attempt = self.attempt
        attempt.refresh_from_db()
        if attempt.order_id or attempt.status not in OPEN:
            return http.HttpResponse(status=409)
        total = submission["order_total"]
        outcome = self.outcome = payments.resume(
            attempt, total.incl_tax, basket_digest=fingerprint.digest(review)
        )
        if not outcome.authorised:
            logger.info("Order %s: not completed (%s)", attempt.order_number, outcome.status)
            return http.HttpResponse(status=409)
        return attempt

    def render_preview(self, request, **kwargs):
        # Sold out or failed after authorisation: place_authorised has already cancelled the hold.
        return http.HttpResponse(status=409)

    def send_order_placed_email(self, order):
        # No browser: the link takes the Sites framework's domain.
        self.confirmation = {"order_number": str(order.number), "site_root": ""}


def unattended_request(attempt: PaymentAttempt) -> HttpRequest:
    """A request as the shopper's browser would have made it: their basket, user and checkout."""
    request = HttpRequest()
    request.method = "POST"
    request.session = import_module(settings.SESSION_ENGINE).SessionStore()  # never saved
    request.session[CheckoutSessionData.SESSION_KEY] = copy.deepcopy(attempt.checkout)
    basket = attempt.basket
    request.user = basket.owner or AnonymousUser()
    request.strategy = basket.strategy = Selector().strategy(request=request, user=request.user)
    request.basket = basket
    return request


# --- helpers ---------------------------------------------------------------------------------


def _orders_of_attempts(intent_id: str, key: str) -> list[int | None]:
    """The order (or None) of each of our attempts for the PaymentIntent, found by its id or, when
    Stripe's reply never reached "Place order", by the attempt `key` the intent carries. Plain
    SQL: the "money held" webhook of nearly every order asks it, twice when it waits, and the ORM
    spent more building and compiling its OR of two filters than the database spent answering."""
    attempts = PaymentAttempt._meta
    using = router.db_for_read(PaymentAttempt)
    quote = connections[using].ops.quote_name

    def column(field: str) -> str:
        return quote(attempts.get_field(field).column)

    sql = (
        f"SELECT {column('order')} FROM {quote(attempts.db_table)} "
        f"WHERE {column('payment_intent_id')} = %s"
    )
    params = [intent_id]
    if key:
        sql += f" OR {column('idempotency_key')} = %s"
        params.append(key)
    with connections[using].cursor() as cursor:
        cursor.execute(sql, params)
        return [order_id for (order_id,) in cursor.fetchall()]


def _find_attempt(intent_id: str) -> PaymentAttempt | None:
    """Our attempt for the PaymentIntent; when Stripe's reply to "authorise" was lost, the intent
    id was never stored, and the attempt is found by the key the intent carries."""
    attempt = (
        PaymentAttempt.objects.select_related("basket").filter(payment_intent_id=intent_id).first()
    )
    if attempt is not None:
        return attempt
    try:
        intent = stripe_client().v1.payment_intents.retrieve(intent_id)
    except Exception as error:
        logger.error("PaymentIntent %s: could not read it (%s)", intent_id, error)
        return None
    key = _attempt_key(intent)
    with transaction.atomic():
        attempt = (
            PaymentAttempt.objects.select_for_update()
            .filter(idempotency_key=key, payment_intent_id="")
            .first()
            if key
            else None
        )
        if attempt is not None:
            attempt.payment_intent_id = intent_id
            attempt.save(update_fields=["payment_intent_id", "updated"])
    return attempt


def _attempt_key(intent) -> str:
    return _metadata(intent).get("attempt", "")


def _metadata(intent) -> dict:
    try:
        return metadata(intent)
    except AttributeError:  # a webhook's plain dict
        return intent.get("metadata") or {}


def _shopper_email(attempt: PaymentAttempt) -> str:
    guest = (attempt.checkout or {}).get("guest", {}).get("email", "")
    owner = attempt.basket.owner if attempt.basket_id else None
    return (owner.email if owner is not None else "") or guest


def _tell_not_completed(attempt: PaymentAttempt) -> None:
    email = _shopper_email(attempt)
    if not email:
        return
    context = {
        "order_number": attempt.order_number,
        "amount": from_minor_units(attempt.amount, attempt.currency),
        "currency": attempt.currency,
        "basket_url": emails.absolute_url(reverse("basket:summary")),
    }
    try:
        messages = Dispatcher().get_messages(NOT_COMPLETED_EMAIL, context)
        Dispatcher(logger=logger).dispatch_direct_messages(email, messages)
    except Exception as error:  # the hold is released either way
        logger.error("Order %s: could not queue the e-mail (%s)", attempt.order_number, error)
