"""The payment step: Oscar's preview page takes the card and places the order exactly once.

The browser turns the card into a Stripe ConfirmationToken (the Payment Element, or the local
stand-in when the simulator plays Stripe) and posts only its id; the amount comes from the basket.
Placing an order runs under a row lock on the basket, so a double or triple "Place order" queues
behind the first: the first pays and places the order, the others find the basket submitted and
land on the same order. "Place order" and the return from 3-D Secure run that one sequence,
`PaymentDetailsView.place_once`, and differ only in how the money is held. See
shop/payments/services.py for the order of money and stock.

The review page signs what it showed into its form (shop/checkout/fingerprint.py). Under the
basket lock, before any card is touched, the basket is read afresh and compared with it: if a
price, voucher, shipping charge or line changed, the review page comes back naming the change and
no authorisation is made. The PaymentIntent carries the digest of the basket it was authorised
for, so the return from 3-D Secure places the order only for that same basket.
"""

import contextlib
import logging
from collections.abc import Callable

from django import http
from django.conf import settings
from django.contrib import messages
from django.core.signing import BadSignature, Signer
from django.db import DatabaseError, router, transaction
from django.db.models import prefetch_related_objects
from django.shortcuts import redirect
from django.urls import reverse, reverse_lazy
from django.utils.decorators import method_decorator
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from oscar.apps.checkout import signals as checkout_signals
from oscar.apps.checkout import views
from oscar.core.loading import get_class, get_classes, get_model

from catalogue.parsing import parse_id
from shop.checkout import fingerprint
from shop.checkout.emails import queue_order_confirmation
from shop.checkout.forms import EMAIL, METHOD, ShippingDetailsForm
from shop.order.utils import OutOfStock
from shop.outages import is_outage, one_line
from shop.payments import services as payments
from shop.payments.client import keys
from shop.payments.models import PaymentAttempt
from shop.payments.money import minor_units
from shop.statements import Statement

logger = logging.getLogger("shop.checkout")

Applicator, forget_offers = get_classes("offer.applicator", ["Applicator", "forget_offers"])
Basket = get_model("basket", "Basket")
Country = get_model("address", "Country")
Order = get_model("order", "Order")
OrderNumberGenerator = get_class("order.utils", "OrderNumberGenerator")
ShippingRepository = get_class("shipping.repository", "Repository")

PAYMENTS_OFF = gettext_lazy(
    "We can't take card payments at the moment, so we can't place your order. "
    "Your basket is saved; please try again later."
)


# The steps before payment keep their answers in the session and write no rows of their own (a
# sign-in writes its own): no request transaction, whose BEGIN and COMMIT cost two round trips
# on every step.
@method_decorator(transaction.non_atomic_requests, name="dispatch")
class IndexView(views.IndexView):
    def get_form_kwargs(self):
        # "I have an account" signs in through the login throttle (AxesBackend), which needs
        # the request; Oscar's gateway form is given none.
        return {**super().get_form_kwargs(), "request": self.request}


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class ShippingAddressView(views.ShippingAddressView):
    """Oscar's address page, which also asks a guest's e-mail and the delivery method
    (shop.checkout.forms): a guest comes here straight from the basket, and one post takes the
    shopper to the payment page. Oscar's gateway still serves those who sign in first."""

    form_class = ShippingDetailsForm

    def get_pre_conditions(self, request):
        conditions = super().get_pre_conditions(request)
        if request.user.is_authenticated or not settings.OSCAR_ALLOW_ANON_CHECKOUT:
            return conditions
        return [c for c in conditions if c != "check_user_email_is_captured"]

    def get_form_kwargs(self):
        kwargs = super().get_form_kwargs()
        guest = not self.request.user.is_authenticated
        methods = ShippingRepository().get_shipping_methods(
            basket=self.request.basket, user=self.request.user, request=self.request
        )
        initial = dict(kwargs.get("initial") or {})
        known = self.checkout_session.get_guest_email() if guest else None
        if known:
            initial[EMAIL] = known
        if methods:
            chosen = self.checkout_session.shipping_method_code(self.request.basket)
            codes = [method.code for method in methods]
            initial[METHOD] = chosen if chosen in codes else codes[0]
        return {
            **kwargs,
            "initial": initial,
            "guest": guest,
            "email_known": bool(known),
            "methods": methods,
        }

    def form_valid(self, form):
        email = form.cleaned_data.get(EMAIL)
        if email and email != self.checkout_session.get_guest_email():
            self.checkout_session.set_guest_email(email)
            # As Oscar's gateway does when a guest gives the e-mail.
            checkout_signals.start_checkout.send_robust(
                sender=self, request=self.request, email=email
            )
        response = super().form_valid(form)  # the address; then on to the method page
        method = form.cleaned_data.get(METHOD)
        if not method:
            return response
        self.checkout_session.use_shipping_method(method)
        return redirect("checkout:preview")


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class ShippingMethodView(views.ShippingMethodView):
    # Straight to the page that takes the card, not through Oscar's payment-method step, which
    # only redirects there (PaymentMethodView).
    success_url = reverse_lazy("checkout:preview")


class PaymentMethodView(views.PaymentMethodView):
    """Cards are the only method: go straight on to the preview, which takes the card."""

    def get_success_response(self):
        return redirect("checkout:preview")


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class PaymentDetailsView(views.PaymentDetailsView):
    def dispatch(self, request, *args, **kwargs):
        placed = self.placed_order(request)
        if placed is not None:
            return self.land_on(placed)
        response = super().dispatch(request, *args, **kwargs)
        if response.status_code == 302 and response["Location"] == reverse("checkout:thank-you"):
            return response
        # A twin (Stripe's webhook and its completion, the form sent from another tab) may have
        # placed this order after the look above and before the basket was read: what this
        # request found then (a new empty basket, a line the order sold out, the payment no
        # longer awaiting 3-D Secure) is that order's doing. Land on it, without the warnings
        # given on the way.
        placed = self.placed_order(request)
        if placed is None:
            return response
        for _message in messages.get_messages(request):
            pass  # iterated: marked as shown
        return self.land_on(placed)

    def get(self, request, *args, **kwargs):
        if not self.preview:  # one page for review and card: payment-details is the preview
            return redirect("checkout:preview")
        dropped = self.drop_unusable_vouchers(request.basket)
        if dropped:
            self.apply_offers(request.basket)
        for message in dropped.values():
            messages.warning(request, message)
        return super().get(request, *args, **kwargs)

    def get_context_data(self, **kwargs):
        ctx = super().get_context_data(**kwargs)
        with_country(ctx.get("shipping_address"))
        ctx["payment"] = self.payment_context(ctx)
        return ctx

    def payment_context(self, ctx) -> dict:
        current = keys()
        order_total = ctx.get("order_total")
        if current is None or order_total is None:
            return {"off": True, "message": PAYMENTS_OFF}
        currency = order_total.currency
        return {
            "fingerprint": fingerprint.sign(self.review_of(ctx)),
            "off": False,
            "test_mode": settings.STRIPE_MODE == "simulator",
            "publishable_key": current.publishable,
            "api_base": current.api_base,
            "amount": minor_units(order_total.incl_tax, currency),
            "currency": currency.lower(),
            "basket_id": self.request.basket.id,
        }

    # --- placing the order --------------------------------------------------------------------

    def handle_place_order_submission(self, request):
        if keys() is None:
            logger.error("Basket %s: checkout refused, no Stripe keys", request.basket.id)
            return self.render_preview(request, error=PAYMENTS_OFF)
        token = request.POST.get("confirmation_token", "").strip()
        if not token or len(token) > 255:
            return self.render_preview(request, error=_("Enter your card details to pay."))
        shown = fingerprint.unsign(request.POST.get("fingerprint", ""))
        if shown is None or shown.basket_id != request.basket.id:
            return self.render_preview(
                request, error=_("Please check your order below and confirm it again.")
            )
        order_number = OrderNumberGenerator().order_number(request.basket)
        return self.place_once(
            shown=shown,
            hold_money=lambda submission, review: self.authorise_card(
                submission, review, token, order_number
            ),
        )

    def place_once(
        self,
        *,
        hold_money: Callable[[dict, fingerprint.Review], PaymentAttempt | http.HttpResponse],
        shown: fingerprint.Review | None = None,
    ) -> http.HttpResponse:
        """Lock the basket, land on its order if a twin placed it, else check it is what the
        shopper confirmed, hold the money, place the order, and capture once the order is saved.

        `hold_money(submission, review)` runs under the basket lock, with the basket as it is now,
        and returns the attempt whose money Stripe now holds, or the response to give instead
        (3-D Secure to do, a decline, a changed basket).
        """
        basket = self.request.basket
        with transaction.atomic(), Basket.locked_for_order(basket) as locked:
            if locked.status == Basket.SUBMITTED:  # a twin request placed it while we waited
                return self.land_on(Order._default_manager.get(basket_id=basket.pk))
            forget_offers(basket)  # vouchers and offers as they are now, not before the lock
            if not locked.has_vouchers:  # and none can join it while the lock is held
                basket.holds_no_vouchers()
            dropped = self.drop_unusable_vouchers(basket)
            submission = self.current_submission(basket)
            if submission["order_total"] is None:  # no shipping method for the basket as it is now
                return redirect("checkout:shipping-method")
            review = self.review_of(submission)
            if shown is None:  # a return from 3-D Secure, or the worker: the digest says the rest
                for message in dropped.values():
                    messages.warning(self.request, message, fail_silently=True)
            else:
                found = fingerprint.changes(shown, review, voucher_reasons=dropped)
                if found:
                    logger.info("Basket %s: changed since review; not authorising", basket.id)
                    return self.render_preview(self.request, changes=found)
            held = hold_money(submission, review)
            if not isinstance(held, PaymentAttempt):
                return held
            response = self.place_authorised(held, submission)
        # Outside the order's transaction: money is captured only for an order already saved,
        # and the confirmation is queued only once the money is taken (or left to reconcile).
        if held.status == PaymentAttempt.Status.PLACED:
            payments.capture(held)
            queue_order_confirmation(**self.confirmation)
        return response

    def current_submission(self, basket) -> dict:
        """The submission for the basket as the database has it now, offers applied afresh."""
        self.apply_offers(basket)
        return self.build_submission(basket=basket)

    def apply_offers(self, basket) -> None:
        basket.reset_offer_applications()
        Applicator().apply(basket, self.request.user, self.request)

    def review_of(self, submission: dict) -> fingerprint.Review:
        return fingerprint.review_of(
            submission["basket"],
            shipping_method=submission["shipping_method"],
            shipping_charge=submission["shipping_charge"],
            order_total=submission["order_total"],
        )

    def drop_unusable_vouchers(self, basket) -> dict[str, str]:
        """Take out of the basket each voucher that can no longer be used: {code: why}. The
        caller applies the offers again when any went."""
        dropped = {}
        prefetch_related_objects([basket], "vouchers")  # read once, for the review too
        for voucher in basket.vouchers.all():
            usable, reason = voucher.is_available_to_user(user=self.request.user)
            if voucher.is_active() and usable:
                continue
            basket.vouchers.remove(voucher)
            dropped[voucher.code] = _("Voucher %(code)s can no longer be used: %(reason)s") % {
                "code": voucher.code,
                "reason": reason or _("it has expired"),
            }
        return dropped

    def authorise_card(
        self, submission: dict, review: fingerprint.Review, token: str, order_number: str
    ) -> PaymentAttempt | http.HttpResponse:
        """Hold the money with the card the browser confirmed (the same attempt if posted again)."""
        total = submission["order_total"]
        attempt = payments.attempt_for(
            submission["basket"],
            token,
            total.incl_tax,
            total.currency,
            order_number,
            # Before Stripe hears of it: the webhook may need to place the order without us.
            checkout=self.request.session.get(self.checkout_session.SESSION_KEY, {}),
        )
        if not attempt.is_for_total(total.incl_tax, total.currency):
            return self.render_preview(self.request, error=payments.BASKET_CHANGED)
        email = submission["order_kwargs"].get("guest_email") or self.request.user.email
        outcome = payments.authorise(
            attempt,
            return_url=self.return_url(),
            email=email,
            basket_digest=fingerprint.digest(review),
        )
        if outcome.status == PaymentAttempt.Status.REQUIRES_ACTION:
            logger.info("Order %s: 3-D Secure", order_number)
            return http.HttpResponseRedirect(outcome.redirect_url)
        if not outcome.authorised:
            return self.render_preview(self.request, error=outcome.message)
        return attempt

    def place_authorised(self, attempt: PaymentAttempt, submission: dict):
        """Allocate stock and write the order for money already held; on failure, release it."""
        basket = submission["basket"]
        try:
            with transaction.atomic():
                order = self.place_order(
                    order_number=attempt.order_number,
                    user=submission["user"],
                    basket=basket,
                    shipping_address=submission["shipping_address"],
                    shipping_method=submission["shipping_method"],
                    shipping_charge=submission["shipping_charge"],
                    order_total=submission["order_total"],
                    billing_address=submission["billing_address"],
                    surcharges=submission["surcharges"],
                    **submission["order_kwargs"],
                )
                basket.submit()
                payments.record_authorisation(attempt, order)
        except OutOfStock as error:
            logger.warning(
                "Order %s (basket %s): %s after authorisation; cancelling it",
                attempt.order_number,
                basket.id,
                error,
            )
            return self.render_preview(
                self.request,
                error=payments.release_message(
                    _("Sorry, %(title)s sold out while you were paying.")
                    % {"title": error.product.get_title()},
                    released=payments.cancel(attempt),
                    then=_(
                        "Your basket is as you left it: please change the quantity or remove "
                        "it, then pay again."
                    ),
                ),
            )
        except Exception as error:
            if is_outage(error):
                self.release_in_outage(attempt, error)
                raise  # the shop's 503 page (shop.errors), as for any request meanwhile
            logger.exception(
                "Order %s (basket %s): placing the order failed; cancelling the authorisation",
                attempt.order_number,
                basket.id,
            )
            return self.render_preview(
                self.request,
                error=payments.release_message(
                    _("Something went wrong while placing your order."),
                    released=payments.cancel(attempt),
                    then=_("Please try again."),
                ),
            )
        return self.handle_successful_order(order)

    def release_in_outage(self, attempt: PaymentAttempt, error: Exception) -> None:
        """The database went away (a restart, a failover) while the order was written: nothing
        of it was kept, so the money held goes back. One line, not a traceback: the outage is
        logged as such."""
        logger.error(
            "Order %s (basket %s): the database stopped answering while the order was placed "
            "(%s); cancelling the authorisation",
            attempt.order_number,
            attempt.basket_id,
            one_line(error),
        )
        with contextlib.suppress(DatabaseError):  # reconciliation cancels a hold with no order
            payments.cancel(attempt)

    def send_order_placed_email(self, order):
        # Oscar asks while the order's transaction is open: note it, place_once queues it later;
        # the worker writes it, with links to the host the shopper used.
        root = f"{self.request.scheme}://{self.request.get_host()}"
        self.confirmation = {"order_number": str(order.number), "site_root": root}

    def return_url(self) -> str:
        return self.request.build_absolute_uri(reverse("checkout:payment-return"))

    # --- landing on an order already placed ---------------------------------------------------

    def placed_order(self, request):
        """The order a resubmitted form or a revisited return URL belongs to, if it is placed."""
        if request.method == "POST" and request.POST.get("action") == "place_order":
            basket_id = parse_id(request.POST.get("basket_id"))
            if basket_id is None:
                return None
            order = order_of_basket(basket_id)
        elif request.method == "GET" and request.GET.get("payment_intent"):
            attempt = (
                PaymentAttempt.objects.filter(payment_intent_id=request.GET["payment_intent"])
                .exclude(order=None)
                .first()
            )
            order = attempt.order if attempt else None
        else:
            return None
        if order is None:
            return None
        return order if _is_shoppers(request, order) else None

    def land_on(self, order):
        self.request.session["checkout_order_id"] = order.pk
        return redirect("checkout:thank-you")


def _cookie_basket_id(request) -> int | None:
    """The guest's basket, from Oscar's signed basket cookie (sent even once it is submitted)."""
    try:
        return int(Signer().unsign(request.COOKIES.get(settings.OSCAR_BASKET_COOKIE_OPEN, "")))
    except (BadSignature, ValueError):
        return None


def order_of_basket(basket_id: int):
    """The order placed from the basket, if any, by SQL compiled once per process (Statement):
    "Place order" asks before and, when it did not land on the thank-you page, after."""
    using = router.db_for_read(Order)
    statement = Statement.compiled(
        ("order of basket", using),
        lambda: (
            Order._default_manager.using(using)
            .filter(basket_id=Statement.PLACEHOLDER)
            .order_by("pk")[:1]
        ),
    )
    found = statement.run(basket_id)
    return found[0] if found else None


def _is_shoppers(request, order) -> bool:
    """Whether the order is this browser's: its session placed it, its user owns it, or (a guest)
    Oscar's basket cookie names its basket."""
    return (
        request.session.get("checkout_order_id") == order.pk
        or (request.user.is_authenticated and order.user_id == request.user.pk)
        or (order.user_id is None and _cookie_basket_id(request) == order.basket_id)
    )


@method_decorator(transaction.non_atomic_requests, name="dispatch")
class PaymentReturnView(PaymentDetailsView):
    """Where 3-D Secure sends the shopper back: finish the order if Stripe says the card is OK."""

    preview = True

    def dispatch(self, request, *args, **kwargs):
        # Before Oscar's checks of the open basket: this payment's basket may be ordered already.
        second = self.second_payment(request)
        if second is not None:
            return self.cancel_second_payment(*second)
        return super().dispatch(request, *args, **kwargs)

    def get(self, request, *args, **kwargs):
        attempt = PaymentAttempt.objects.filter(
            payment_intent_id=request.GET.get("payment_intent", "")[:255],
            basket=request.basket.pk,
            status=PaymentAttempt.Status.REQUIRES_ACTION,
        ).first()
        if attempt is None:  # not this shopper's, or done with: say nothing of holds
            messages.error(request, _("We could not find that payment."))
            return redirect("checkout:preview")
        return self.place_once(
            hold_money=lambda submission, review: self.resume_after_3d_secure(
                attempt, submission, review
            )
        )

    def second_payment(self, request) -> tuple[PaymentAttempt, Order] | None:
        """(attempt, order) when this return is the shopper's, for a basket whose order another
        payment placed: 3-D Secure finished in a tab left open after paying in another."""
        intent_id = request.GET.get("payment_intent", "")[:255]
        if request.method != "GET" or not intent_id:
            return None
        attempt = PaymentAttempt.objects.filter(payment_intent_id=intent_id, order=None).first()
        if attempt is None:
            return None
        order = Order._default_manager.filter(basket_id=attempt.basket_id).first()
        if order is None or not _is_shoppers(request, order):
            return None
        return attempt, order

    def cancel_second_payment(self, attempt: PaymentAttempt, order) -> http.HttpResponse:
        """Release the second payment's money now, and show the order the shopper has."""
        logger.info(
            "Order %s placed by another payment; cancelling %s",
            order.number,
            attempt.payment_intent_id,
        )
        if payments.cancel(attempt):
            message = _(
                "Your order %(number)s is placed. This second payment was cancelled: you have "
                "not been charged for it."
            )
        else:
            message = _(
                "Your order %(number)s is placed. This second payment was not taken: any pending "
                "amount for it on your card is released automatically within %(minutes)s minutes."
            )
        minutes = payments.release_within_minutes()
        messages.warning(self.request, message % {"number": order.number, "minutes": minutes})
        return self.land_on(order)

    def resume_after_3d_secure(
        self, attempt: PaymentAttempt, submission: dict, review: fingerprint.Review
    ) -> PaymentAttempt | http.HttpResponse:
        """Hold the money the shopper confirmed at 3-D Secure, unless a twin return used it first."""
        attempt.refresh_from_db()
        if attempt.status != PaymentAttempt.Status.REQUIRES_ACTION:
            return redirect("checkout:preview")
        outcome = payments.resume(
            attempt, submission["order_total"].incl_tax, basket_digest=fingerprint.digest(review)
        )
        if not outcome.authorised:
            return self.render_preview(self.request, error=outcome.message)
        return attempt

    def post(self, request, *args, **kwargs):
        return http.HttpResponseNotAllowed(["GET"])


def with_country(address) -> None:
    """Give the review page's address its country, read by SQL compiled once per process
    (shop.basket.models.Statement) where the address would look it up through the ORM when the
    page shows it: building that query was about a tenth of the review page's Python."""
    if address is None or not address.country_id or type(address).country.is_cached(address):
        return
    using = router.db_for_read(Country)
    statement = Statement.compiled(
        ("country", using),
        lambda: Country._default_manager.using(using).filter(pk=Statement.PLACEHOLDER),
    )
    found = statement.run(address.country_id)
    if found:  # else the page's own lookup says the country is gone, as before
        address.country = found[0]
