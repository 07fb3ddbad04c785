"""Oscar's basket middleware, plus a basket badge that costs no queries on most pages, and a basket
that is read, never written, by a page that only shows it.

Oscar loads the basket, its lines and the offers (seven queries) whenever a page touches
`request.basket`, and the header's item count touched it on every page. The count is now kept in
a signed cookie, refreshed by every request that did load the basket (adding, the basket page,
checkout), so browsing pages never load it. The cookie names its user, so a login recounts. It is
signed again only when the count changed or it is past half its age, not on every basket or
checkout page.

Oscar creates a basket row for a signed-in shopper the first time any page looks at the basket,
and counts the lines before it loads them. Here a shopper without a basket gets an unsaved one
(the first add saves it, as it does for guests), the open and saved baskets come in one query, and
the offers load before the lines, so the lines query can say which offers' ranges hold them
(shop/offer/applicator.py).
"""

import time

from django.core import signing
from django.utils.functional import LazyObject, cached_property, empty
from oscar.apps.basket import middleware
from oscar.core.loading import get_class, get_model

Applicator = get_class("offer.applicator", "Applicator")
Basket = get_model("basket", "Basket")

COOKIE_NAME = "basket_items"
COOKIE_MAX_AGE = 10 * 60  # another device may change a signed-in shopper's basket: recount soon
SALT = "shop.basket.badge"


class BasketBadge:
    """`request.basket_badge.num_items`: the header's count, from the cookie when it can be."""

    def __init__(self, request, cookie_key: str):
        self.request = request
        self.cookie_key = cookie_key

    @cached_property
    def num_items(self) -> int:
        request = self.request
        if not request.user.is_authenticated and self.cookie_key not in request.COOKIES:
            return 0  # no basket yet: nothing to count, nothing to load
        if self.kept is None:
            return request.basket.num_items
        return self.kept[1]

    @cached_property
    def kept(self) -> tuple[int | None, int, float] | None:
        """The cookie's owner, count and signing time, while it is this user's and not too old."""
        try:
            owner, count, signed_at = signing.Signer(salt=SALT).unsign_object(
                self.request.COOKIES.get(COOKIE_NAME, "")
            )
            age = time.time() - signed_at
        except (signing.BadSignature, ValueError, TypeError):
            return None
        if owner != self.request.user.pk or age >= COOKIE_MAX_AGE:
            return None
        return owner, count, signed_at

    def needs_signing(self, count: int) -> bool:
        kept = self.kept
        return (
            kept is None
            or kept[:2] != (self.request.user.pk, count)
            or time.time() - kept[2] >= COOKIE_MAX_AGE / 2
        )


class BasketMiddleware(middleware.BasketMiddleware):
    def __call__(self, request):
        request.basket_badge = BasketBadge(request, self.get_cookie_key(request))
        return super().__call__(request)

    def process_response(self, request, response):
        response = super().process_response(request, response)
        basket = getattr(request, "basket", None)
        # Oscar's basket views may replace the lazy basket with a plain one (a quantity change).
        loaded = basket is not None and (
            not isinstance(basket, LazyObject) or basket._wrapped is not empty
        )
        if loaded:
            count = basket.num_items if basket.status == basket.OPEN else 0  # an order was placed
            if not request.basket_badge.needs_signing(count):
                return response
            response.set_cookie(
                COOKIE_NAME,
                # The signing time is in the payload, so a kept cookie's age can be read.
                signing.Signer(salt=SALT).sign_object([request.user.pk, count, int(time.time())]),
                max_age=COOKIE_MAX_AGE,
                secure=request.is_secure(),
                httponly=True,
                samesite="Lax",
            )
        return response

    def get_basket(self, request):
        cookie_key = self.get_cookie_key(request)
        if (
            request._basket_cache is not None
            or not request.user.is_authenticated
            or cookie_key in request.COOKIES  # a basket from before signing in: Oscar merges it
        ):
            return super().get_basket(request)
        baskets = Basket.knowing_vouchers(
            Basket._default_manager.filter(
                owner=request.user, status__in=[Basket.OPEN, Basket.SAVED]
            ).order_by("pk")
        )
        open_baskets = [basket for basket in baskets if basket.status == Basket.OPEN]
        if len(open_baskets) > 1:
            return super().get_basket(request)  # Oscar merges them
        request.saved_basket = next((b for b in baskets if b.status == Basket.SAVED), None)
        basket = open_baskets[0] if open_baskets else Basket(owner=request.user)
        basket.owner = request.user
        request._basket_cache = basket
        return basket

    def get_cookie_basket(self, cookie_key, request, manager):
        """Oscar's, with the basket knowing whether it holds a voucher (Basket.open_guest_basket)."""
        if cookie_key not in request.COOKIES:
            return None
        try:
            basket_id = signing.Signer().unsign(request.COOKIES[cookie_key])
        except signing.BadSignature:
            basket_id = None
        basket = basket_id and Basket.open_guest_basket(basket_id)
        if not basket:
            request.cookies_to_delete.append(cookie_key)
            return None
        return basket

    def apply_offers_to_basket(self, request, basket):
        if basket.id:  # offers first: the lines query then answers for their ranges
            Applicator().apply(basket, request.user, request)
