"""Every listing runs the same few queries whatever the catalogue size and page size, for an
anonymous shopper, a shopper with a basket and a signed-in shopper with a basket."""

import pytest
from django.contrib.auth import get_user_model
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model

from tests.factories import CharacterFactory, ContentWarningFactory, FranchiseFactory, merch

ProductCategory = get_model("catalogue", "ProductCategory")
ProductImage = get_model("catalogue", "ProductImage")
ContentWarning = get_model("catalogue", "ContentWarning")

QUERY_BUDGET = 13  # 12, and the search page's look-up of a glossary term its query names


def build_catalogue(size: int) -> dict:
    """`size` pins with a franchise, characters, a picture; every fifth has a mature warning."""
    franchise = FranchiseFactory(name="Budget Academy", slug="budget-academy")
    characters = [CharacterFactory(franchise=franchise) for _ in range(3)]
    mature = ContentWarningFactory(level=ContentWarning.Level.MATURE)
    category = create_from_breadcrumbs("Enamel pins")
    products = []
    for n in range(size):
        product = merch(
            f"Budget Academy Pin No. {n}",
            price=f"{5 + n % 30}.00",
            stock=n % 4,
            franchise=franchise,
            characters=characters[: 1 + n % 3],
            warnings=[mature] if n % 5 == 0 else [],
        )
        ProductCategory.objects.create(product=product, category=category)
        ProductImage.objects.create(product=product, original=f"images/products/pin-{n}.png")
        products.append(product)
    return {
        "first": products[1],
        "character": characters[0].pk,
        "urls": [
            reverse("catalogue:index"),
            category.get_absolute_url(),
            franchise.get_absolute_url(),
            reverse("search:search") + "?q=academy+pin",
            reverse("catalogue:index")
            + f"?type=enamel-pin&in_stock=1&price=10-20&character={characters[0].pk}"
            "&hide_warnings=1&sort_by=price-asc",
            reverse("search:search") + "?q=pin&sort_by=best-selling",
        ],
    }


def shopper(client, kind: str, product) -> None:
    if kind in ("basket", "signed-in"):
        client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 2})
    if kind == "signed-in":
        user = get_user_model().objects.create_user("fan", "fan@example.com", "pw-1234567")
        client.force_login(user)
        client.post(reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1})
        client.post(reverse("catalogue:content-consent"), {"shows_mature": "1"})


def count_queries(client, url: str) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        response = client.get(url)
    assert response.status_code == 200, url
    assert b"product-card" in response.content, url
    return [q["sql"] for q in captured.captured_queries]


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["anonymous", "basket", "signed-in"])
def test_listings_run_a_fixed_number_of_queries_at_10_and_200_products(client, settings, kind):
    counts = {}
    catalogue = build_catalogue(10)
    shopper(client, kind, catalogue["first"])
    for label, extra, per_page in [("10", 0, 24), ("200", 190, 24), ("200, 100 a page", 0, 100)]:
        settings.OSCAR_PRODUCTS_PER_PAGE = per_page
        if extra:
            catalogue = build_catalogue(extra) | {"first": catalogue["first"]}
            # The second build reuses the franchise but adds characters: same page, new id.
        for url in catalogue["urls"]:
            cache.clear()
            cold = count_queries(client, url)
            assert len(cold) <= QUERY_BUDGET, (url, "\n".join(cold))
            warm = count_queries(client, url)
            page = url.replace(f"character={catalogue['character']}", "character=")
            counts.setdefault(page, {})[label] = len(warm)
    for page, per_size in counts.items():
        assert len(set(per_size.values())) == 1, (kind, page, per_size)
        assert max(per_size.values()) <= QUERY_BUDGET, (kind, page, per_size)
