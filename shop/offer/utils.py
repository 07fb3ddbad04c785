"""Oscar's offer utilities, with `range_anchor` escaping the range's name.

Oscar's conditions and benefits put `range_anchor()` into their descriptions, which the dashboard's
offer and voucher pages render with `|safe`; Oscar's own builds the link by string formatting, so
a range named like markup ran as markup there.
"""

from django.urls import reverse
from django.utils.html import format_html
from oscar.apps.offer.utils import *  # noqa: F403


def range_anchor(product_range):
    return format_html(
        '<a href="{}">{}</a>',
        reverse("dashboard:range-update", kwargs={"pk": product_range.pk}),
        product_range.name,
    )
