from django.apps import AppConfig
from django.db.models.signals import post_delete, post_migrate


class PaymentsConfig(AppConfig):
    """Card payments through Stripe: client factory, payment service, webhooks, reconciliation."""

    name = "shop.payments"
    label = "payments"
    verbose_name = "Payments"

    def ready(self):
        from oscar.core.loading import get_model

        from shop.payments import kinds

        post_migrate.connect(kinds.make_kinds, sender=self, dispatch_uid="payments.make_kinds")
        for model in (get_model("payment", "SourceType"), get_model("order", "PaymentEventType")):
            post_delete.connect(kinds.forget_kinds, sender=model, dispatch_uid=f"forget {model}")
