"""Make the missing thumbnails of every product image (images uploaded before thumbnails were
made on save, or restored from a backup). Existing files are left alone, so it is safe to rerun."""

from django.core.management.base import BaseCommand
from oscar.core.loading import get_model

from catalogue.images import make_thumbnails

ProductImage = get_model("catalogue", "ProductImage")


class Command(BaseCommand):
    help = "Create the thumbnails product pages and listings link to, where they are missing."

    def handle(self, *args, **options):
        names = ProductImage.objects.order_by().values_list("original", flat=True).distinct()
        checked = made = 0
        for name in names.iterator():
            if name:
                checked += 1
                made += make_thumbnails(name)
        images = "image" if checked == 1 else "images"
        self.stdout.write(f"Made {made} thumbnails; checked {checked} product {images}.")
