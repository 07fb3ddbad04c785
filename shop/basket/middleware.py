"""Oscar's basket middleware, plus a basket badge that costs no queries on most pages.

Oscar loads the basket, its lines and the offers (seven queries) whenever a page touches
`request.basket`, and the header's item count touched it on every page. The count is now kept in
a signed cookie, refreshed by every request that did load the basket (adding, the basket page,
checkout), so browsing pages never load it. The cookie names its user, so a login recounts.
"""

from django.core import signing
from django.utils.functional import LazyObject, cached_property, empty
from oscar.apps.basket import middleware

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
        try:
            owner, count = signing.loads(
                request.COOKIES.get(COOKIE_NAME, ""), salt=SALT, max_age=COOKIE_MAX_AGE
            )
        except (signing.BadSignature, ValueError, TypeError):
            return request.basket.num_items
        if owner != request.user.pk:
            return request.basket.num_items
        return count


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
            response.set_cookie(
                COOKIE_NAME,
                signing.dumps([request.user.pk, count], salt=SALT),
                max_age=COOKIE_MAX_AGE,
                secure=request.is_secure(),
                httponly=True,
                samesite="Lax",
            )
        return response
