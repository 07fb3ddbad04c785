"""Oscar's offer applicator, loading a basket's offers once per request, the site offers from the
cache.

Oscar reads the site offers, then each voucher's offers, every time a basket is priced, and the
basket page asks twice (the discounts, then the "spend more" messages). Here the site offers, with
their conditions, benefits and ranges, come from the cache (`site_offers`), the offers of the
basket's vouchers in one query, and both stay on the basket for the rest of the request. The
offers' ranges are handed to the basket, whose lines query then says which lines each range holds
(offer.models.Range.contains), so applying them runs no query per line.
"""

from itertools import chain

from django.db.models import Exists, F, OuterRef, prefetch_related_objects
from django.utils import timezone
from oscar.apps.offer import applicator
from oscar.core.loading import get_model

from catalogue import generations
from shop.pagecache.listings import remember

ConditionalOffer = get_model("offer", "ConditionalOffer")


class Applicator(applicator.Applicator):
    def apply(self, basket, user=None, request=None):
        offers = self.get_offers(basket, user, request)
        remember_range_members(basket, offers)
        self.apply_offers(basket, offers)

    def get_offers(self, basket, user=None, request=None):
        vouchers = self.usable_vouchers(basket, user)
        key = (basket.id, getattr(user, "pk", None), tuple(voucher.pk for voucher in vouchers))
        # An attribute, not the instance's __dict__: views see the basket through a lazy object.
        loaded = getattr(basket, "loaded_offers", None)
        if loaded is None or loaded[0] != key:
            loaded = basket.loaded_offers = (key, self.load_offers(vouchers))
            basket.range_checks = range_checks(loaded[1])
        offers = loaded[1]
        extra = list(chain(self.get_session_offers(request), self.get_user_offers(user)))
        if extra:
            return sorted(chain(extra, offers), key=lambda offer: offer.priority, reverse=True)
        return offers

    def usable_vouchers(self, basket, user) -> list:
        """The basket's vouchers that can be used now, as Oscar's `get_basket_offers` decides."""
        if not basket.id or not user or holds_no_vouchers(basket):
            return []
        prefetch_related_objects([basket], "vouchers")  # kept for the page and the review
        return [
            voucher
            for voucher in basket.vouchers.all()
            if voucher.is_active() and voucher.is_available_to_user(user=user)[0]
        ]

    def load_offers(self, vouchers) -> list:
        """The vouchers' offers (each told its voucher), then the site offers running now, highest
        priority first, ties in that order, as Oscar sorts them."""
        cutoff = timezone.now()
        running = [offer for offer in site_offers() if _runs_at(offer, cutoff)]
        return sorted(
            chain(self.voucher_offers(vouchers), running),
            key=lambda offer: offer.priority,
            reverse=True,
        )

    def voucher_offers(self, vouchers) -> list:
        """The vouchers' offers in the vouchers' order, each told its voucher: one query."""
        if not vouchers:
            return []
        by_voucher = {voucher.pk: [] for voucher in vouchers}
        offers = offers_with_rules().annotate(basket_voucher_id=F("vouchers__id"))
        for offer in knowing_combinations(offers.filter(basket_voucher_id__in=list(by_voucher))):
            by_voucher[offer.basket_voucher_id].append(offer)
        for voucher in vouchers:
            for offer in by_voucher[voucher.pk]:
                offer.set_voucher(voucher)
        return list(chain.from_iterable(by_voucher.values()))


def site_offers() -> list:
    """The open site offers with their conditions, benefits and ranges, whatever their dates:
    read from the database once, then kept in the cache until an offer, a condition, a benefit or
    a range changes (tag `offers`, catalogue.generations). Each call returns its own copies."""
    return remember("site-offers", [generations.OFFERS], _open_site_offers)


def _open_site_offers() -> list:
    return knowing_combinations(
        offers_with_rules().filter(offer_type=ConditionalOffer.SITE, status=ConditionalOffer.OPEN)
    )


def offers_with_rules():
    return ConditionalOffer._default_manager.select_related("condition__range", "benefit__range")


def knowing_combinations(offers) -> list:
    """`offers`, each knowing whether it restricts the offers it combines with: Oscar asks each
    applied offer for that once per line and offer (`combinations.count()`), so an offer with no
    restrictions (most) answers from here."""
    Through = ConditionalOffer.combinations.through
    found = list(
        offers.annotate(
            has_combinations=Exists(Through.objects.filter(from_conditionaloffer_id=OuterRef("pk")))
        )
    )
    for offer in found:
        if not offer.has_combinations:
            cache = offer._prefetched_objects_cache = getattr(
                offer, "_prefetched_objects_cache", {}
            )
            cache["combinations"] = offer.combinations.none()
    return found


def _runs_at(offer, cutoff) -> bool:
    """Oscar's `ConditionalOffer.active` dates, for an offer read earlier."""
    return (offer.start_datetime is None or offer.start_datetime <= cutoff) and (
        offer.end_datetime is None or offer.end_datetime >= cutoff
    )


def holds_no_vouchers(basket) -> bool:
    """Whether the basket is known to hold no voucher (Basket.knowing_vouchers), which Django
    forgets when one is added. Answered without building the basket's vouchers manager, which
    costs more than the rest of pricing a basket without vouchers."""
    known = getattr(basket, "_prefetched_objects_cache", {}).get("vouchers")
    return known is not None and known.query.is_empty()


def forget_offers(basket) -> None:
    """Have the next `apply` read the basket's vouchers and the offers again (placing an order
    re-reads them under its lock)."""
    basket.loaded_offers = None
    getattr(basket, "_prefetched_objects_cache", {}).pop("vouchers", None)


def range_checks(offers) -> dict:
    """{(range id, whether it holds every product): a function returning the expression that says
    whether a line's product is in it} for the offers' ranges whose rule SQL can say. The key says
    all that shapes the expression's SQL, so the expression is only built when the lines query is
    compiled for a new key (basket.models.LinesStatement), not on every request."""
    checks = {}
    for offer in offers:
        for rule in (offer.condition, offer.benefit):
            product_range = rule.range if rule.range_id else None
            if product_range is None or not product_range.decided_in_sql:
                continue
            key = (product_range.pk, product_range.includes_all_products)
            checks.setdefault(key, product_range.contains)
    return checks


def remember_range_members(basket, offers) -> None:
    """Tell each of the offers' ranges which of the basket's products it holds, from the lines
    query's answers; a range the lines were loaded without asks the database, as Oscar does."""
    lines = list(basket.all_lines())
    for offer in offers:
        for rule in (offer.condition, offer.benefit):
            product_range = rule.range if rule.range_id else None
            if product_range is None:
                continue
            name = f"in_range_{product_range.pk}"
            if lines and all(hasattr(line, name) for line in lines):
                product_range.remember_members(
                    {line.product_id: getattr(line, name) for line in lines}
                )
