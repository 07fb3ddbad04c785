"""When a product image is saved: its thumbnails are queued for the task worker, after commit.
(Cached pages showing the image are dropped by catalogue.generations.)"""

from django.db.models.signals import post_save
from django.dispatch import receiver
from oscar.core.loading import get_model

from .images import make_thumbnails_after_commit

ProductImage = get_model("catalogue", "ProductImage")


@receiver(post_save, sender=ProductImage, dispatch_uid="catalogue.product_image_saved")
def product_image_saved(sender, instance, raw=False, **kwargs):
    if raw or not instance.original:
        return
    make_thumbnails_after_commit(instance.original.name)
