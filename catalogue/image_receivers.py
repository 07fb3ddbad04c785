"""When a product image is saved: make its thumbnails, after commit. (Cached pages showing the image
are dropped by catalogue.generations.)"""

from django.db import transaction
from django.db.models.signals import post_save
from django.dispatch import receiver
from oscar.core.loading import get_model

from .images import make_thumbnails

ProductImage = get_model("catalogue", "ProductImage")


@receiver(post_save, sender=ProductImage, dispatch_uid="catalogue.product_image_saved")
def product_image_saved(sender, instance, raw=False, **kwargs):
    if raw or not instance.original:
        return
    name = instance.original.name
    # After commit: a rolled-back upload makes no thumbnails, and the saving request (the
    # dashboard, seed_demo) pays for them once, never a shopper's page view.
    transaction.on_commit(lambda: make_thumbnails(name))
