"""The data migration that cleans staff-written HTML stored before the policy ran on save."""

import importlib

import pytest
from django.apps import apps
from django.contrib.flatpages.models import FlatPage
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model

from catalogue.staff_html import STAFF_HTML_FIELDS
from tests.catalogue.test_staff_html_on_save import DIRTY, HARMLESS, assert_clean, page
from tests.commits import commits
from tests.factories import FranchiseFactory, merch

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")
Franchise = get_model("catalogue", "Franchise")
Range = get_model("offer", "Range")

migration = importlib.import_module("catalogue.migrations.0038_sanitise_staff_html")


def store_raw(instance, **fields):
    """Write a row as it was stored before the policy: no save, no signal."""
    type(instance).objects.filter(pk=instance.pk).update(**fields)


def test_the_migration_covers_every_field_the_policy_guards():
    assert migration.FIELDS == STAFF_HTML_FIELDS


@pytest.mark.django_db
def test_dirty_stored_rows_are_cleaned_and_clean_ones_left_as_they_are():
    product = merch("Dirty Pin")
    tidy = merch("Tidy Pin")
    category = create_from_breadcrumbs("Pins")
    franchise = FranchiseFactory()
    offer_range = Range.objects.create(name="Pins", slug="pins")
    flat = FlatPage.objects.create(url="/care/", title="Care")
    store_raw(product, description=DIRTY)
    store_raw(tidy, description=HARMLESS)
    store_raw(category, description=DIRTY, long_description=DIRTY)
    store_raw(franchise, description=DIRTY)
    store_raw(offer_range, description=DIRTY)
    store_raw(flat, content=DIRTY)

    migration.sanitise_stored_html(apps, schema_editor=None)

    for row, fields in [
        (product, ["description"]),
        (category, ["description", "long_description"]),
        (franchise, ["description"]),
        (offer_range, ["description"]),
        (flat, ["content"]),
    ]:
        row.refresh_from_db()
        for name in fields:
            assert "pwn-mark" not in getattr(row, name)
            assert "<strong>enamel</strong>" in getattr(row, name)
    assert Product.objects.get(pk=tidy.pk).description == HARMLESS


@pytest.mark.page_cache
@pytest.mark.django_db
@commits
def test_a_page_cached_with_a_dirty_description_is_not_served_after_the_migration(client):
    product = merch("Dirty Pin")
    store_raw(product, description=DIRTY)
    assert "pwn-mark" in page(client, product.get_absolute_url())  # cached as it was
    assert client.get(product.get_absolute_url())["X-Page-Cache"] == "hit"

    migration.sanitise_stored_html(apps, schema_editor=None)

    response = client.get(product.get_absolute_url())
    assert "X-Page-Cache" not in response
    assert_clean(response.content.decode())
