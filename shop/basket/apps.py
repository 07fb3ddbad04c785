"""The shop's fork of Oscar's basket (app label "basket"): adult items need an 18+ confirmation."""

import oscar.apps.basket.apps as apps


class BasketConfig(apps.BasketConfig):
    name = "shop.basket"
