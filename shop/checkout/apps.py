"""The shop's fork of Oscar's checkout (label "checkout"): card payments through Stripe."""

import oscar.apps.checkout.apps as apps
from django.urls import path
from oscar.core.loading import get_class


class CheckoutConfig(apps.CheckoutConfig):
    name = "shop.checkout"

    def ready(self):
        super().ready()
        from shop.checkout import unattended  # noqa: F401  (connects its receiver)

        self.payment_return_view = get_class("checkout.views", "PaymentReturnView")

    def get_urls(self):
        return super().get_urls() + self.post_process_urls(
            [
                path(
                    "payment/return/",
                    self.payment_return_view.as_view(),
                    name="payment-return",
                )
            ]
        )
