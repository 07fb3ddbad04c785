"""The basket's models are Oscar's; the fork exists for the 18+ rule in forms.py and views.py, for
`Basket.all_lines`, which loads everything a line's price, stock, picture and offers need in one
query (Oscar's runs three more per line: two for stock records, one for the product class; and one
per line and offer to ask a range whether it holds the product), for `Basket.lock_for_edit`,
which keeps an edit from landing in a basket being ordered, and for the article a line came from
(`Line.post`), which a merge at sign-in keeps."""

from collections.abc import Iterator
from contextlib import contextmanager
from functools import cache

from django.db import models, router, transaction
from django.db.models import Count, Exists, OuterRef, Subquery
from django.db.models.functions import Coalesce
from django.utils.encoding import smart_str
from oscar.apps.basket.abstract_models import AbstractBasket, AbstractLine
from oscar.core.loading import get_model

from shop.statements import Statement


class BasketLines(models.QuerySet):
    """Lines loaded by `lines_with_everything` fill in, without a query, what Oscar reads from each
    line's product: its stock records (the partner strategy prices a line from the product's first
    stock record, not the line's), and the line's options. Only a line whose product has several
    stock records, or that carries options (neither happens in this shop), has them read."""

    def _fetch_all(self):
        fresh = self._result_cache is None
        super()._fetch_all()
        if fresh and self._result_cache and hasattr(self._result_cache[0], "has_options"):
            _fill_in(self._result_cache)


class Basket(AbstractBasket):
    # {(range id, includes all): function returning the range's expression}: set by the offer
    # applicator before the lines load
    range_checks: dict = {}
    # Set by `locked_for_order`: the lines are read with their rows locked.
    locking_lines = False

    def all_lines(self):
        """The lines with everything (`lines_with_everything`), read by SQL compiled once per
        process (`LinesStatement`): the basket and checkout pages would otherwise spend more on
        building and compiling this query than on the rest of their data. The queryset returned
        is the basket's lines, already filled; a filtered copy of it asks the database as usual,
        in the lines' own order (Oscar's Line.Meta: when added). Its filter on the basket is
        left to Django to build when such a copy needs it: building it, for a queryset never
        sent, was a fifth of applying the offers, which every basket and checkout view does."""
        if self.id is None:
            # Nothing to ask, and answered without asking: Django builds an empty queryset's SQL
            # before it finds there is nothing to run, a third of a millisecond each time, and a
            # new visitor's first add asks three times (how many items, the currency), as does a
            # drop's crowd turned away from a sold-out product.
            nothing = self.lines.model.objects.none()
            nothing._result_cache = []
            return nothing
        if self._lines is None:
            lines = self.lines.all()  # the related manager defers its filter (QuerySet.query)
            if lines is getattr(self, "_prefetched_objects_cache", {}).get("lines"):
                # Prefetched, and maybe shared by every basket (`nothing`): fill a copy.
                lines = lines._chain()
            statement = LinesStatement.for_checks(
                self.range_checks, self._state.db or "default", locked=self.locking_lines
            )
            lines._result_cache = statement.lines_of(self)
            lines._prefetch_done = True
            self._lines = lines
        return self._lines

    @classmethod
    def knowing_vouchers(cls, baskets) -> list:
        """`baskets`, each knowing whether it holds a voucher: one with none lists its vouchers
        without a query (adding or removing one forgets that, so the next look asks). Most
        baskets hold none, and the basket and checkout pages would ask on every view."""
        return cls._noting_vouchers(list(cls._with_voucher_flag(baskets)))

    @classmethod
    def open_guest_basket(cls, basket_id) -> "Basket | None":
        """The open basket without an owner that `basket_id` names, knowing whether it holds a
        voucher (`knowing_vouchers`), by SQL compiled once per process (`Statement`): building
        and compiling that query was a tenth of a guest's basket page. None if there is none."""
        try:
            basket_id = int(basket_id)
        except (TypeError, ValueError):
            return None
        using = router.db_for_read(cls)
        statement = Statement.compiled(
            ("open guest basket", using),
            lambda: cls._with_voucher_flag(
                cls._default_manager.filter(
                    pk=Statement.PLACEHOLDER, owner=None, status=cls.OPEN
                ).using(using)
            ),
        )
        found = cls._noting_vouchers(statement.run(basket_id))
        return found[0] if found else None

    @classmethod
    def _with_voucher_flag(cls, baskets):
        held = cls.vouchers.through.objects.filter(basket_id=OuterRef("pk"))
        return baskets.annotate(has_vouchers=Exists(held))

    @staticmethod
    def _noting_vouchers(found: list) -> list:
        vouchers = Basket.vouchers.field.related_model
        for basket in found:
            if not basket.has_vouchers:
                basket._prefetched_objects_cache = {"vouchers": nothing(vouchers)}
        return found

    def add_product(self, product, quantity=1, options=None):
        if self.id is not None:
            return super().add_product(product, quantity, options)
        # A basket this add makes holds no lines and no vouchers: Oscar would ask for both, and
        # for the line it adds before writing it (get_or_create), which the empty lines answer.
        self.save()
        self._lines = self.lines.none()
        self._prefetched_objects_cache = {
            "vouchers": nothing(Basket.vouchers.field.related_model),
            "lines": no_lines_yet(),
        }
        try:
            return super().add_product(product, quantity, options)
        finally:
            self._prefetched_objects_cache.pop("lines", None)  # it holds one now

    def merge_line(self, line, add_quantities=True):
        """Oscar's, and the line merged in (the basket used before signing in, the latest) brings
        its article: the last article wins."""
        super().merge_line(line, add_quantities=add_quantities)
        if line.post_id is not None:
            self.lines.filter(line_reference=line.line_reference).update(post_id=line.post_id)

    merge_line.alters_data = True

    @classmethod
    @contextmanager
    def locked_for_order(cls, basket) -> Iterator["Basket"]:
        """The basket's row, locked until the transaction ends and knowing whether it holds a
        voucher; inside, `basket` (the request's) reads its lines with their rows locked too.
        While the lock is held no voucher or line can join the basket (their rows' foreign key
        waits for it), and an edit of a line waits for the line's lock."""
        using = router.db_for_write(cls)
        statement = Statement.compiled(  # compiled once per process, as open_guest_basket's
            ("basket locked for order", using),
            lambda: cls._with_voucher_flag(
                cls._default_manager.using(using)
                .select_for_update()
                .filter(pk=Statement.PLACEHOLDER)
            ),
        )
        found = cls._noting_vouchers(statement.run(basket.pk))
        if not found:
            raise cls.DoesNotExist(f"No basket {basket.pk} to lock")
        basket.locking_lines = True
        try:
            yield found[0]
        finally:
            basket.locking_lines = False

    def holds_no_vouchers(self) -> None:
        """Note that the basket holds no voucher (it lists none without a query)."""
        cache = self.__dict__.setdefault("_prefetched_objects_cache", {})
        cache["vouchers"] = nothing(Basket.vouchers.field.related_model)

    def lock_for_edit(self) -> bool:
        """Lock the basket's row until the request's transaction ends; False if it was ordered
        since it was loaded. "Place order" holds the same lock while it pays and writes the order,
        so an edit from another tab waits for it, then finds the basket submitted instead of
        adding lines the order never saw."""
        if self.id is None:
            return True
        with transaction.atomic():
            return (
                type(self)
                ._default_manager.select_for_update()
                .filter(pk=self.pk, status__in=self.editable_statuses)
                .exists()
            )


class Line(AbstractLine):
    # The article the shopper came from for this product (blog.attribution): copied to the order
    # line when the order is placed (shop.order.utils).
    post = models.ForeignKey(
        "blog.Post", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )

    objects = BasketLines.as_manager()

    @property
    def description(self) -> str:
        """Oscar's, without asking a line the lines query found no options on for its options."""
        if getattr(self, "has_options", True) is False:
            return smart_str(self.product)
        return super().description

    @property
    def picture(self) -> str | None:
        """The stored name of the product's first image (or its parent's), None when it has none:
        what `{% product_picture %}` draws, read with the line."""
        return getattr(self, "picture_name", None)


class LinesStatement:
    """The SQL of `lines_with_everything` for one basket, compiled once per process for each set
    of range checks (a `Statement`), and run for any basket with its id in place of the one it
    was compiled for."""

    _compiled: dict = {}

    def __init__(self, statement: "Statement"):
        self.statement = statement

    @classmethod
    def for_checks(cls, range_checks: dict, using: str, *, locked=False) -> "LinesStatement":
        """`locked`: the lines' rows are locked until the transaction ends (FOR UPDATE)."""
        key = (using, tuple(sorted(range_checks)), locked)
        statement = cls._compiled.get(key)
        if statement is None:
            Line = get_model("basket", "Line")
            lines = lines_with_everything(
                Line.objects.using(using).filter(basket_id=Statement.PLACEHOLDER),
                range_checks={pk: check() for (pk, _), check in range_checks.items()},
            ).order_by("pk")
            if locked:
                lines = lines.select_for_update(of=("self",))
            statement = cls._compiled[key] = cls(Statement(lines))
        return statement

    def lines_of(self, basket) -> list:
        model = self.statement.compiler.query.model
        known = {model._meta.get_field("basket"): {basket.pk: basket}}
        lines = self.statement.run(basket.pk, known_related_objects=known)
        if lines:
            _fill_in(lines)
        return lines


_NOTHING: dict = {}


def nothing(model) -> models.QuerySet:
    """An empty queryset of `model`, made once per process and shared, for a relation known to
    hold nothing: asking the relation for `.none()` builds its manager and filter first, and a
    basket view asked one per line and one for the vouchers. Filtering it or taking `.all()`
    copies it, still empty, with no query."""
    empty = _NOTHING.get(model)
    if empty is None:
        empty = _NOTHING[model] = model._default_manager.none()
        empty._result_cache, empty._prefetch_done = [], True
    return empty


class LinesOfANewBasket(BasketLines):
    """The lines of a basket made by this request: none, and none can join it from elsewhere
    before the request commits. So the line an add writes is not looked for first, nor written
    under a savepoint against a twin written meanwhile, as Oscar's `get_or_create` does:
    building and compiling that look, for a query never sent, was a fifth of a first add."""

    def get_or_create(self, defaults=None, **kwargs):
        # On a copy: this queryset is shared (`no_lines_yet`), and `create` marks it for writing.
        return self.all().create(**kwargs, **(defaults or {})), True


@cache
def no_lines_yet() -> LinesOfANewBasket:
    """The empty lines of a new basket (`LinesOfANewBasket`), made once per process and shared,
    as `nothing` is."""
    empty = LinesOfANewBasket(model=get_model("basket", "Line")).none()
    empty._result_cache, empty._prefetch_done = [], True
    return empty


def knowing_stockrecords(product, records: list) -> None:
    """Give `product` its stock records, read elsewhere: `product.stockrecords.all()` (Oscar's
    strategy asks it) answers from them without a query; a filtered copy still asks."""
    held = product.stockrecords.all()
    held._result_cache, held._prefetch_done = records, True
    product._prefetched_objects_cache = {"stockrecords": held}


def _fill_in(lines) -> None:
    LineAttribute = get_model("basket", "LineAttribute")
    several = []
    for line in lines:
        cache = line._prefetched_objects_cache = getattr(line, "_prefetched_objects_cache", {})
        if not line.has_options:
            cache["attributes"] = nothing(LineAttribute)
        product = line.product
        if line.stockrecord_id is not None and line.stockrecord_count == 1:
            knowing_stockrecords(product, [line.stockrecord])
        else:
            several.append(product)
    models.prefetch_related_objects([line for line in lines if line.has_options], "attributes")
    models.prefetch_related_objects(several, "stockrecords")


def lines_with_everything(lines, *, range_checks=None):
    """Lines with their product (and parent), product class, stock record and partner, the name
    of their picture, whether they carry options, and whether each of `range_checks` holds them."""
    ProductImage = get_model("catalogue", "ProductImage")
    LineAttribute = get_model("basket", "LineAttribute")
    StockRecord = get_model("partner", "StockRecord")

    def first_image(product_ref):
        images = ProductImage.objects.filter(product_id=OuterRef(product_ref))
        return Subquery(images.order_by("display_order", "pk").values("original")[:1])

    return lines.select_related(
        "product__product_class",
        "product__parent__product_class",
        "stockrecord__partner",
    ).annotate(
        picture_name=Coalesce(first_image("product_id"), first_image("product__parent_id")),
        has_options=Exists(LineAttribute.objects.filter(line_id=OuterRef("pk"))),
        stockrecord_count=Subquery(
            StockRecord.objects.filter(product_id=OuterRef("product_id"))
            .order_by()
            .values("product_id")
            .annotate(count=Count("pk"))
            .values("count")
        ),
        **{f"in_range_{pk}": check for pk, check in (range_checks or {}).items()},
    )


from oscar.apps.basket.models import *  # noqa: E402, F403 -- Oscar's documented fork pattern
