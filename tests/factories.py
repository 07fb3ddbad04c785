"""Factories for the shop's own models, and product helpers built on oscar.test.factories."""

import io
from decimal import Decimal

import factory
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group, Permission
from django.core.files.base import ContentFile
from oscar.core.loading import get_model
from oscar.test.factories import create_product
from PIL import Image

from catalogue.indexing import refreshed_once

Franchise = get_model("catalogue", "Franchise")
Character = get_model("catalogue", "Character")
ContentWarning = get_model("catalogue", "ContentWarning")
ProductImage = get_model("catalogue", "ProductImage")


class FranchiseFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Franchise
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Franchise {n}")
    slug = factory.Sequence(lambda n: f"franchise-{n}")
    description = "A series fans love."


class CharacterFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Character

    franchise = factory.SubFactory(FranchiseFactory)
    name = factory.Sequence(lambda n: f"Character {n}")
    slug = factory.Sequence(lambda n: f"character-{n}")


class ContentWarningFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ContentWarning
        django_get_or_create = ("slug",)

    name = factory.Sequence(lambda n: f"Warning {n}")
    slug = factory.Sequence(lambda n: f"warning-{n}")
    explanation = "Something some buyers want to know first."
    level = ContentWarning.Level.NOTICE


def merch(
    title: str = "Test Enamel Pin",
    *,
    price: str = "10.00",
    stock: int = 10,
    franchise=None,
    characters=(),
    warnings=(),
    product_class: str = "Enamel pin",
    **kwargs,
):
    """A public standalone product with one stock record, as a listing or product page shows it.
    Its listing columns and facet counts are computed once, when it is complete, as a product saved
    in one go would have them (catalogue.indexing.refreshed_once)."""
    with refreshed_once():
        product = create_product(
            title=title,
            price=Decimal(price),
            num_in_stock=stock,
            product_class=product_class,
            franchise=franchise,
            **kwargs,
        )
        if characters:
            product.characters.set(characters)
        if warnings:
            product.content_warnings.set(warnings)
    product.refresh_from_db()
    return product


def product_image(product, *, name="pin.png", caption="", display_order=0):
    """A picture of the product, stored as a staff upload would be. Its thumbnails are queued for
    the task worker after commit (catalogue.image_receivers): inside a test's transaction, none."""
    buffer = io.BytesIO()
    Image.new("RGB", (640, 480), (240, 120, 175)).save(buffer, "PNG")
    image = ProductImage(product=product, caption=caption, display_order=display_order)
    image.original.save(name, ContentFile(buffer.getvalue()), save=False)
    image.save()
    return image


def staff_member(username: str, *groups: str, permissions: tuple[str, ...] = ()):
    """A staff account in the named groups (made by the migrations), with extra permissions given
    as "app_label.codename"."""
    user = get_user_model().objects.create_user(
        username, f"{username}@pinsenpai.example", "pw-not-used-here", is_staff=True
    )
    user.groups.set(Group.objects.filter(name__in=groups))
    for permission in permissions:
        app_label, codename = permission.split(".")
        user.user_permissions.add(
            Permission.objects.get(content_type__app_label=app_label, codename=codename)
        )
    return user
