from django.apps import AppConfig


class PaymentsConfig(AppConfig):
    """Card payments through Stripe: client factory, payment service, webhooks, reconciliation."""

    name = "shop.payments"
    label = "payments"
    verbose_name = "Payments"
