"""What the review page showed, signed into its form, so "Place order" pays for exactly that.

`Review` is the part of a checkout the shopper confirms: each line (product, quantity, unit price),
the vouchers and discounts, the shipping method and charge, and the total. The review page signs it
into a hidden field (`sign`); "Place order" reads it back (`unsign`) and compares it with the basket
as it is now (`changes`). Any difference — a price raised by staff, a voucher used up elsewhere, a
shipping method changed or a line added in another tab — means no card is touched: the review page
comes back naming each change. `digest` is the short form put on the PaymentIntent, so the return
from 3-D Secure can tell whether the basket is still the one that was authorised.
"""

import hashlib
import json
from dataclasses import asdict, dataclass
from decimal import Decimal

from django.core import signing
from django.utils.translation import gettext as _

from shop.money import currency as format_money

SALT = "shop.checkout.review"


@dataclass(frozen=True)
class Line:
    product_id: int
    title: str
    quantity: int
    unit_price: str  # incl. tax, as a decimal string


@dataclass(frozen=True)
class Review:
    basket_id: int
    currency: str
    lines: tuple[Line, ...]
    vouchers: tuple[str, ...]
    discount: str
    shipping_code: str
    shipping_name: str
    shipping_charge: str
    total: str


def review_of(basket, *, shipping_method, shipping_charge, order_total) -> Review:
    """The review of a basket whose offers are applied, with the checkout's shipping and total."""
    return Review(
        basket_id=basket.id,
        currency=order_total.currency,
        lines=tuple(
            Line(
                product_id=line.product_id,
                title=line.product.get_title(),
                quantity=line.quantity,
                unit_price=str(line.unit_price_incl_tax),
            )
            for line in basket.all_lines()
        ),
        vouchers=tuple(sorted(voucher.code for voucher in basket.vouchers.all())),
        discount=str(basket.total_discount),
        shipping_code=shipping_method.code,
        shipping_name=str(shipping_method.name),
        shipping_charge=str(shipping_charge.incl_tax),
        total=str(order_total.incl_tax),
    )


def sign(review: Review) -> str:
    return signing.dumps(asdict(review), salt=SALT, compress=True)


def unsign(value: str) -> Review | None:
    """The review a form carried, or None when it is missing or was not signed by us."""
    try:
        data = signing.loads(value, salt=SALT)
        lines = tuple(Line(**line) for line in data.pop("lines"))
        return Review(lines=lines, **{**data, "vouchers": tuple(data["vouchers"])})
    except (signing.BadSignature, TypeError, KeyError, ValueError, AttributeError):
        return None


def digest(review: Review) -> str:
    """A short, stable hash of the review (no secret needed: it is compared, never trusted)."""
    canonical = json.dumps(asdict(review), sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(canonical.encode()).hexdigest()


def changes(shown: Review, now: Review, *, voucher_reasons: dict[str, str]) -> list[str]:
    """What differs between the review the shopper confirmed and the basket now, in their words.

    `voucher_reasons` says why a voucher was taken out of the basket ({code: message}).
    """
    if shown == now:
        return []

    def money(amount: str) -> str:
        return format_money(Decimal(amount), now.currency)

    found = []
    before = {line.product_id: line for line in shown.lines}
    after = {line.product_id: line for line in now.lines}
    for product_id, line in after.items():
        old = before.get(product_id)
        if old is not None and old.unit_price != line.unit_price:
            found.append(
                _("The price of %(title)s changed from %(old)s to %(new)s.")
                % {
                    "title": line.title,
                    "old": money(old.unit_price),
                    "new": money(line.unit_price),
                }
            )
    quantities = {pid: line.quantity for pid, line in before.items()}
    if quantities != {pid: line.quantity for pid, line in after.items()}:
        found.append(
            _("Your basket changed in another tab: please check the items and quantities below.")
        )
    for code in sorted(set(shown.vouchers) - set(now.vouchers)):
        found.append(
            voucher_reasons.get(code)
            or _("Voucher %(code)s is no longer applied.") % {"code": code}
        )
    if set(now.vouchers) - set(shown.vouchers):
        found.append(_("A voucher was added to your basket."))
    if (shown.shipping_code, shown.shipping_charge) != (now.shipping_code, now.shipping_charge):
        found.append(
            _("Shipping changed from %(old)s (%(old_charge)s) to %(new)s (%(new_charge)s).")
            % {
                "old": shown.shipping_name,
                "old_charge": money(shown.shipping_charge),
                "new": now.shipping_name,
                "new_charge": money(now.shipping_charge),
            }
        )
    if shown.discount != now.discount and not found:
        found.append(
            _("Your discounts changed from %(old)s to %(new)s.")
            % {"old": money(shown.discount), "new": money(now.discount)}
        )
    if shown.total != now.total:
        found.append(
            _("The total changed from %(old)s to %(new)s.")
            % {"old": money(shown.total), "new": money(now.total)}
        )
    return found or [_("Your order changed since you reviewed it: please check it again.")]
