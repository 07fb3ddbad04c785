"""The offer models are Oscar's, with condition and benefit descriptions that are HTML, and ranges
whose membership is worked out once per request.

Oscar's dashboard renders `offer.condition.description` and `offer.benefit.description` with
`|safe`. A proxy's description links its range (offer.utils.range_anchor escapes the name), but
the base classes fall back on the name, which carries the range's name as it was typed.

Oscar asks a range whether it holds a product with one query per line and offer, after three or
four queries to build the range's product queryset, and a condition or benefit's `proxy()` drops
the range it was loaded with, so each check loads the range again. Here `Range.contains()` is the
same rule as one SQL expression, which the basket's lines query evaluates for the offers' ranges
(offer.applicator), and a proxy keeps the range its rule was loaded with.

Oscar's `proxy_map` looks up every proxy class with `get_class` on each call, which tries to import
this fork's (absent) `benefits` and `conditions` modules each time: a basket page asked for it
twenty times. Here each map is built once per process.
"""

from functools import cache

from django.db.models import Exists, OuterRef, Q
from django.utils.html import escape
from oscar.apps.catalogue.expressions import ExpandDownwardsCategoryQueryset
from oscar.apps.offer.abstract_models import AbstractBenefit, AbstractCondition, AbstractRange
from oscar.core.loading import get_model


class Benefit(AbstractBenefit):
    @property
    def description(self):
        return _escaped_name(self)

    @property
    def proxy_map(self):
        return _proxy_map(AbstractBenefit)

    def proxy(self):
        return _keeping_range(self, super().proxy())


class Condition(AbstractCondition):
    @property
    def description(self):
        return _escaped_name(self)

    @property
    def proxy_map(self):
        return _proxy_map(AbstractCondition)

    def proxy(self):
        return _keeping_range(self, super().proxy())


class Range(AbstractRange):
    def contains_product(self, product):
        known = self.__dict__.get("known_members")
        if known is not None and product.id in known:
            return known[product.id]
        return super().contains_product(product)

    def remember_members(self, members: dict[int, bool]) -> None:
        """Answers to `contains_product` already worked out: {product id: in the range}."""
        self.__dict__.setdefault("known_members", {}).update(members)

    def invalidate_cached_queryset(self):
        super().invalidate_cached_queryset()
        self.__dict__.pop("known_members", None)

    @property
    def decided_in_sql(self) -> bool:
        """Whether `contains()` can say, in SQL, which products the range holds."""
        return not self.proxy_class

    def contains(self, product_ref: str = "product_id") -> Exists | None:
        """Whether the product `product_ref` names is in the range, as an expression (no query
        runs to build it); None for a range whose proxy class decides in Python."""
        if not self.decided_in_sql:
            return None
        Product = self.included_products.model
        return Exists(Product.objects.filter(self._members(), pk=OuterRef(product_ref)))

    def _members(self) -> Q:
        """Oscar's `product_queryset` as one filter, without the queries it runs to leave out
        the joins a range does not need."""
        excluded = Q(pk__in=self.excluded_products.values("pk"))
        if self.includes_all_products:
            in_excluded_categories = _in_categories(self.excluded_categories)
            return ~(
                excluded
                | Q(pk__in=in_excluded_categories)
                | Q(parent_id__in=in_excluded_categories)
            )
        included = self.included_products.values("pk")
        classes = self.classes.values("pk")
        in_categories = _in_categories(self.included_categories)
        return (
            Q(pk__in=included)
            | Q(parent_id__in=included)
            | Q(product_class_id__in=classes)
            | Q(parent__product_class_id__in=classes)
            | Q(pk__in=in_categories)
            | Q(parent_id__in=in_categories)
        ) & ~(excluded | Q(parent_id__in=self.excluded_products.values("pk")))


def _in_categories(categories):
    """The ids of the products filed under any of `categories` or their subcategories."""
    ProductCategory = get_model("catalogue", "ProductCategory")
    return ProductCategory.objects.filter(
        category_id__in=ExpandDownwardsCategoryQueryset(categories.values("id"))
    ).values("product_id")


@cache
def _proxy_map(base) -> dict:
    """Oscar's `proxy_map` of `base` (its classes found by `get_class`), read once. Callers only
    read it."""
    return base.proxy_map.fget(base)


def _keeping_range(rule, proxy):
    # Oscar's proxy() copies the fields but not the cache of related objects.
    if proxy is not rule and "range" in rule._state.fields_cache:
        proxy._state.fields_cache["range"] = rule._state.fields_cache["range"]
    return proxy


def _escaped_name(rule) -> str | None:
    try:
        return escape(rule.name)
    except AttributeError:  # as Oscar's: a rule whose proxy has no name has no description
        return None


from oscar.apps.offer.models import *  # noqa: E402, F403
