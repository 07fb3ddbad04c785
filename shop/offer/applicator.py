"""Oscar's offer applicator, loading a basket's offers once per request in one query.

Oscar reads the site offers, then each voucher's offers, every time a basket is priced, and the
basket page asks twice (the discounts, then the "spend more" messages). Here the site offers and
the offers of the basket's vouchers come in one query, with their conditions, benefits and ranges,
and stay on the basket for the rest of the request. The offers' ranges are handed to the basket,
whose lines query then says which lines each range holds (offer.models.Range.contains), so
applying them runs no query per line.
"""

import copy
from itertools import chain

from django.db.models import Case, F, FilteredRelation, Q, When, prefetch_related_objects
from django.utils import timezone
from oscar.apps.offer import applicator
from oscar.core.loading import get_model

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
        if not basket.id or not user:
            return []
        prefetch_related_objects([basket], "vouchers")  # kept for the page and the review
        return [
            voucher
            for voucher in basket.vouchers.all()
            if voucher.is_active() and voucher.is_available_to_user(user=user)[0]
        ]

    def load_offers(self, vouchers) -> list:
        """The vouchers' offers (each told its voucher), then the active site offers, highest
        priority first, ties in that order, as Oscar sorts them."""
        cutoff = timezone.now()
        site = (
            Q(offer_type=ConditionalOffer.SITE, status=ConditionalOffer.OPEN)
            & (Q(end_datetime__gte=cutoff) | Q(end_datetime=None))
            & (Q(start_datetime__lte=cutoff) | Q(start_datetime=None))
        )
        offers = ConditionalOffer._default_manager.select_related(
            "condition__range", "benefit__range"
        )
        if vouchers:
            ids = [voucher.pk for voucher in vouchers]
            offers = (
                offers.annotate(
                    basket_voucher=FilteredRelation("vouchers", condition=Q(vouchers__in=ids))
                )
                .filter(site | Q(basket_voucher__isnull=False))
                .annotate(
                    voucher_id=F("basket_voucher__id"),
                    is_site=Case(When(site, then=True), default=False),
                )
            )
        else:
            offers = offers.filter(site)
        by_voucher = {voucher.pk: [] for voucher in vouchers}
        site_offers = {}
        for offer in offers:
            voucher_id = getattr(offer, "voucher_id", None)
            is_site = getattr(offer, "is_site", True)
            if voucher_id is not None:
                by_voucher[voucher_id].append(offer)
                offer = copy.copy(offer)  # as a site offer too, it must not carry the voucher
            if is_site:
                site_offers.setdefault(offer.pk, offer)
        for voucher in vouchers:
            for offer in by_voucher[voucher.pk]:
                offer.set_voucher(voucher)
        from_vouchers = chain.from_iterable(by_voucher[voucher.pk] for voucher in vouchers)
        return sorted(
            chain(from_vouchers, site_offers.values()),
            key=lambda offer: offer.priority,
            reverse=True,
        )


def forget_offers(basket) -> None:
    """Have the next `apply` read the basket's vouchers and the offers again (placing an order
    re-reads them under its lock)."""
    basket.loaded_offers = None
    getattr(basket, "_prefetched_objects_cache", {}).pop("vouchers", None)


def range_checks(offers) -> dict:
    """{range id: an expression saying whether a line's product is in it} for the offers' ranges."""
    checks = {}
    for offer in offers:
        for rule in (offer.condition, offer.benefit):
            product_range = rule.range if rule.range_id else None
            if product_range is not None and product_range.pk not in checks:
                check = product_range.contains()
                if check is not None:
                    checks[product_range.pk] = check
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
