"""The basket's models are Oscar's; the fork exists for the 18+ rule in forms.py and views.py, for
`Basket.all_lines`, which loads everything a line's price and stock need in a fixed number of
queries (Oscar's runs three more per line: two for stock records, one for the product class), and
for `Basket.lock_for_edit`, which keeps an edit from landing in a basket being ordered."""

from django.db import transaction
from oscar.apps.basket.abstract_models import AbstractBasket


class Basket(AbstractBasket):
    def all_lines(self):
        if self.id is None:
            return self.lines.model.objects.none()
        if self._lines is None:
            self._lines = (
                self.lines.select_related(
                    "product__product_class",
                    "product__parent__product_class",
                    "stockrecord__partner",
                )
                .prefetch_related("attributes", "product__images", "product__stockrecords")
                .order_by(self._meta.pk.name)
            )
        return self._lines

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


from oscar.apps.basket.models import *  # noqa: E402, F403 -- Oscar's documented fork pattern
