"""The basket's models are Oscar's; the fork exists for the 18+ rule in forms.py and views.py, and
for `Basket.all_lines`, which loads everything a line's price and stock need in a fixed number of
queries (Oscar's runs three more per line: two for stock records, one for the product class)."""

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


from oscar.apps.basket.models import *  # noqa: E402, F403 -- Oscar's documented fork pattern
