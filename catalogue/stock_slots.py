"""Stock words cut out of cached pages and put back on every response: a sale that only moves
"Only 3 left" to "Only 2 left" (or sells out) renders no page again.

While a page is rendered for the whole-page cache (`punching()`), each stock badge and what
depends on availability (a tile's button, the product page's basket form or stock alert, the
structured data's availability) is rendered twice, once as if available, with markers for the
words, and once as sold out, and a marker takes its place in the page (`Punch.cut`). Every
response fills the markers (`fill`) from each product's stock state: the one the render saw, or on
a cache hit the one kept in the shared cache under the product's `stock:<id>` tag
(catalogue.generations), read in the same round trip as the page's tag versions; a state whose
tag was bumped since is read again for all such products of the page in one query
(`current_states`). Pages rendered for no cache are not cut: they show the real words directly.
"""

from __future__ import annotations

import re
import secrets
from collections.abc import Callable, Iterable, Iterator
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from functools import lru_cache

from django.db.models import Q
from django.utils.html import escape
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import get_language
from oscar.core.loading import get_model

from . import cache_batches, generations
from .buying import LOW_STOCK, PurchaseAction, StockState, stock_state, stock_words

Product = get_model("catalogue", "Product")
StockRecord = get_model("partner", "StockRecord")

# (is available, units left capped at LOW_STOCK + 1, or None when the product tracks no count)
State = tuple[bool, int | None]
TIMEOUT = 60 * 60


def state_of(availability) -> State:
    left = getattr(availability, "num_available", None)
    return (
        bool(availability.is_available_to_buy),
        None if left is None else min(left, LOW_STOCK + 1),
    )


def words_of(state: State) -> StockState:
    return stock_words(is_available=state[0], left=state[1])


@dataclass(frozen=True)
class Slot:
    product_id: int
    is_parent: bool
    available: str  # with the punch's code and label markers
    sold_out: str


@dataclass
class Punch:
    """What one render cut out: its slots, and the state of each product as the render saw it."""

    token: str = field(default_factory=lambda: secrets.token_hex(6))
    slots: list[Slot] = field(default_factory=list)
    states: dict[int, State] = field(default_factory=dict)

    @property
    def code(self) -> str:
        return f"@@stock-{self.token}-code@@"

    @property
    def label(self) -> str:
        return f"@@stock-{self.token}-label@@"

    def cut(self, product, state: State, *, available: str, sold_out: str) -> str:
        self.slots.append(Slot(product.pk, product.is_parent, str(available), str(sold_out)))
        self.states[product.pk] = state
        return f"@@stock-{self.token}-{len(self.slots) - 1}@@"


_punch: ContextVar[Punch | None] = ContextVar("stock_slots_punch", default=None)


@contextmanager
def punching() -> Iterator[Punch]:
    punch = Punch()
    token = _punch.set(punch)
    try:
        yield punch
    finally:
        _punch.reset(token)


def active() -> Punch | None:
    return _punch.get()


def cut_words(product, availability, *, available: str, sold_out: str) -> str:
    """`available` or `sold_out` for this product: now, or a marker when a page is being cut."""
    punch = active()
    if punch is None:
        return available if availability.is_available_to_buy else sold_out
    return punch.cut(product, state_of(availability), available=available, sold_out=sold_out)


def slot(product, info, action: str, render: Callable[[StockState | None, str], str]) -> SafeString:
    """A stock slot (the `{% stock_slot %}` tag, a listing's tiles): `render(stock, action)` with
    the stock words for Oscar's purchase `info` and the purchase action, once; or, while a page
    is cut, as if available (with the punch's markers for the words) and as sold out, for the
    page cache to fill on each response. `stock` is None for `info` without an availability."""
    punch = active()
    if not hasattr(info, "availability"):
        # A page rendered without purchase info (Oscar's stock alert form, when invalid,
        # renders the product page with its own context): no stock words, as before.
        return render(None, action)
    if punch is None:
        return render(stock_state(info), action)
    # Only these two actions follow the stock; the others come first (catalogue.buying).
    if action in (PurchaseAction.ADD_TO_BASKET, PurchaseAction.NOTIFY_ME):
        if_available, if_sold_out = PurchaseAction.ADD_TO_BASKET, PurchaseAction.NOTIFY_ME
    else:
        if_available = if_sold_out = action
    available = render(StockState(punch.code, punch.label, True), if_available)
    sold_out = render(stock_words(is_available=False, left=None), if_sold_out)
    return mark_safe(
        punch.cut(product, state_of(info.availability), available=available, sold_out=sold_out)
    )


# Every render's slot markers (`Punch.cut`): one pattern, not one compiled per render's token.
_MARKER = re.compile(r"@@stock-([0-9a-f]+)-(\d+)@@")


@lru_cache(maxsize=256)
def _shown(state: State, language: str) -> tuple[str, str]:
    # A page has dozens of slots in a few states: translate and escape each state once.
    words = words_of(state)
    return words.code, escape(words.label)


def fill(body: str, token: str, slots: tuple[Slot, ...], states: dict[int, State]) -> str:
    code, label = f"@@stock-{token}-code@@", f"@@stock-{token}-label@@"
    language = get_language()

    def filled(match) -> str:
        if match.group(1) != token:
            return match.group(0)
        slot = slots[int(match.group(2))]
        state = states[slot.product_id]
        if not state[0]:
            return slot.sold_out
        shown_code, shown_label = _shown(state, language)
        return slot.available.replace(code, shown_code).replace(label, shown_label)

    return _MARKER.sub(filled, body)


# --- States kept in the shared cache ------------------------------------------------------


def state_key(product_id: int) -> str:
    return f"shop:stock-state:{product_id}"


def tags_and_keys(slots: Iterable[Slot]) -> tuple[set[str], list[str]]:
    """The tags and cache keys a hit reads, with the page's own tag versions, to fill `slots`."""
    ids = {slot.product_id for slot in slots}
    return (
        {*(generations.stock(pk) for pk in ids), generations.TAXONOMY},
        [state_key(pk) for pk in ids],
    )


def _stamp(pk: int, now: dict) -> tuple:
    # A state depends on the product's stock and on its type (whether it tracks stock).
    return (
        now[generations.stock(pk)],
        now[generations.TAXONOMY],
        now[generations.EVERYTHING],
    )


def states_for(
    slots: tuple[Slot, ...], now: dict, found: dict, *, strategy, on_read=lambda: None
) -> dict[int, State]:
    """Each slot's product state: as kept, or (for products whose stock changed since) read
    again in one query (`on_read()` is told) and kept under the versions read before it."""
    states, stale = {}, {}
    for slot in slots:
        if slot.product_id in states or slot.product_id in stale:
            continue
        kept = found.get(state_key(slot.product_id))
        if kept is not None and kept[0] == _stamp(slot.product_id, now):
            states[slot.product_id] = kept[1]
        else:
            stale[slot.product_id] = slot.is_parent
    if stale:
        on_read()
        read = current_states(stale, strategy=strategy)
        states.update(read)
        cache_batches.set_many(
            {state_key(pk): (_stamp(pk, now), state) for pk, state in read.items()}, TIMEOUT
        )
    return states


def state_tags(states: dict[int, State]) -> set[str]:
    """The tags the kept states of these products are stamped with."""
    return {generations.TAXONOMY, *map(generations.stock, states)}


def remember(states: dict[int, State], *, started_ns: int, now: dict | None = None) -> None:
    """Keep the states a render saw, for the hits that follow, unless a product's stock changed
    after the render began (what it read may be older than the new version). `now`: the current
    versions of `state_tags(states)` (and maybe others), read already."""
    if not states:
        return
    if now is None:
        now, _ = generations.versions(state_tags(states))
    kept = {}
    for pk, state in states.items():
        stamp = _stamp(pk, now)
        if max(stamp) // 1000 < started_ns - generations.CLOCK_MARGIN_NS:
            kept[state_key(pk)] = (stamp, state)
    if kept:
        cache_batches.set_many(kept, TIMEOUT)


def stock_records_of(ids: Iterable[int]):
    """The stock records of these products and of their public variants. The products are found
    first, by their own indexes (id, parent): an OR across the join to the products would scan
    both tables, about 100 ms at 100,000 products, on a hit after every sale."""
    ids = list(ids)
    family = Product.objects.filter(Q(pk__in=ids) | Q(parent_id__in=ids, is_public=True))
    return (
        StockRecord.objects.filter(product_id__in=family.values("pk"))
        .select_related("product__product_class", "product__parent__product_class")
        .order_by("pk")
    )


def current_states(products: dict[int, bool], *, strategy) -> dict[int, State]:
    """The stock state of each product (id: whether it is a parent), as Oscar's `strategy` sees
    it, from one query: the products' stock records and their public variants'."""
    own, children = {}, {}
    for record in stock_records_of(products):
        product = record.product
        if product.pk in products:
            own.setdefault(product.pk, record)  # Oscar's UseFirstStockRecord
        if product.parent_id in products:
            children.setdefault(product.parent_id, {}).setdefault(product.pk, record)
    states = {}
    for pk, is_parent in products.items():
        if is_parent:
            stock = [(record.product, record) for record in children.get(pk, {}).values()]
            availability = strategy.parent_availability_policy(None, stock)
        else:
            record = own.get(pk)
            availability = strategy.availability_policy(record.product if record else None, record)
        states[pk] = state_of(availability)
    return states
