"""Keep what the catalogue derives in step with its sources: the listing columns
(catalogue.indexing), and the shopper's content choice at login (catalogue.consent). Cached pages
follow their sources through catalogue.generations: when a product's listing columns change, the
listings it is in are stale (`_refresh`)."""

from django.contrib.auth.signals import user_logged_in
from django.db.models.signals import m2m_changed, post_delete, post_save, pre_delete
from django.dispatch import receiver
from oscar.core.loading import get_model

from . import facet_counts
from .consent import restore_consent
from .generations import bump_listings
from .indexing import hold_leaves_listing, refresh_listing_fields

Product = get_model("catalogue", "Product")
ProductAttributeValue = get_model("catalogue", "ProductAttributeValue")
Franchise = get_model("catalogue", "Franchise")
Character = get_model("catalogue", "Character")
ContentWarning = get_model("catalogue", "ContentWarning")
StockRecord = get_model("partner", "StockRecord")
ProductCategory = get_model("catalogue", "ProductCategory")


@receiver(m2m_changed, sender=Product.characters.through)
@receiver(m2m_changed, sender=Product.content_warnings.through)
def product_tags_changed(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        _refresh([instance.pk])
    elif pk_set:  # warning.products.add(...) / character.products.add(...)
        _refresh(pk_set)
    elif action == "post_clear":
        _refresh(instance.products.values_list("pk", flat=True))


@receiver(post_save, sender=StockRecord)
def stock_changed(sender, instance, raw=False, **kwargs):
    # Most of an order's holds leave a unit free and so every listing column as it was: checking
    # that costs nothing, recomputing them seven queries per order line.
    if not (raw or hold_leaves_listing(instance)):
        _refresh([instance.product_id])


@receiver(post_delete, sender=StockRecord)
@receiver(post_save, sender=ProductAttributeValue)
@receiver(post_delete, sender=ProductAttributeValue)
def attribute_value_or_stock_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        _refresh([instance.product_id])


@receiver(post_save, sender=Franchise)
@receiver(post_save, sender=Character)
@receiver(post_save, sender=ContentWarning)
def name_or_level_changed(sender, instance, raw=False, created=False, **kwargs):
    if not (raw or created):
        _refresh(instance.products.values_list("pk", flat=True))


@receiver(pre_delete, sender=Character)
@receiver(pre_delete, sender=ContentWarning)
def remember_products_before_delete(sender, instance, **kwargs):
    # The join rows go with the instance and send no m2m_changed: note whom to refresh.
    instance._product_ids = list(instance.products.values_list("pk", flat=True))


@receiver(post_delete, sender=Character)
@receiver(post_delete, sender=ContentWarning)
def refresh_after_delete(sender, instance, **kwargs):
    _refresh(getattr(instance, "_product_ids", []))


@receiver(user_logged_in)
def restore_content_consent(sender, request, user, **kwargs):
    # The choice saved on the account follows the shopper to a new browser (catalogue.consent).
    if request is not None:
        restore_consent(request, user)


def _refresh(product_ids) -> None:
    bump_listings(refresh_listing_fields(product_ids))


# Facet counts (catalogue.facet_counts) follow what listing columns do not show: a product's
# categories and characters, and its deletion. Price, stock and warnings reach them through
# refresh_listing_fields.
@receiver(post_save, sender=ProductCategory)
@receiver(post_delete, sender=ProductCategory)
def product_category_changed(sender, instance, raw=False, **kwargs):
    if not raw:
        facet_counts.recount([instance.product_id])


@receiver(m2m_changed, sender=Product.characters.through)
def product_characters_recounted(sender, instance, action, reverse, pk_set, **kwargs):
    if action not in ("post_add", "post_remove", "post_clear"):
        return
    if not reverse:
        facet_counts.recount([instance.pk])
    elif pk_set:
        facet_counts.recount(pk_set)
    elif action == "post_clear":
        facet_counts.recount(instance.products.values_list("pk", flat=True))


@receiver(post_delete, sender=Product)
def product_deleted_from_facets(sender, instance, **kwargs):
    facet_counts.recount([instance.pk])


@receiver(pre_delete, sender=Franchise)
def remember_franchise_products(sender, instance, **kwargs):
    # Its products lose it by an UPDATE that sends no signal (SET_NULL): note them first.
    instance._product_ids = list(instance.products.values_list("pk", flat=True))


@receiver(post_delete, sender=Franchise)
def franchise_deleted(sender, instance, **kwargs):
    ids = getattr(instance, "_product_ids", [])
    _refresh(ids)  # its name leaves their search text
    facet_counts.recount(ids)
