"""Listings filter by type, franchise, character, price band, stock and warnings; every facet count
equals an independent count of the same filter, and every state lives in the URL."""

import pickle
import re
from decimal import Decimal
from itertools import combinations

import pytest
from oscar.core.loading import get_model
from oscar.test.factories import create_product

from tests.commits import commits
from tests.factories import FranchiseFactory, merch

Product = get_model("catalogue", "Product")
Character = get_model("catalogue", "Character")
Category = get_model("catalogue", "Category")

BANDS = {
    "under-10": (None, Decimal(10)),
    "10-20": (Decimal(10), Decimal(20)),
    "20-30": (Decimal(20), Decimal(30)),
    "30-plus": (Decimal(30), None),
}


def catalogue_facts():
    """What an oracle needs to know of each listed demo product, read straight from the ORM."""
    facts = []
    for product in Product.objects.browsable().prefetch_related("stockrecords", "characters"):
        record = product.stockrecords.all()[0]
        facts.append(
            {
                "type": product.product_class.slug,
                "franchise": product.franchise.slug,
                "character": {str(c.pk) for c in product.characters.all()},
                "price": next(
                    key
                    for key, (low, high) in BANDS.items()
                    if (low is None or record.price >= low)
                    and (high is None or record.price < high)
                ),
                "in_stock": "1" if record.num_in_stock > (record.num_allocated or 0) else None,
                "hide_warnings": "1" if product.warning_level == 0 else None,
            }
        )
    return facts


def matches(fact, selection, *, ignoring=""):
    for param, values in selection.items():
        if param == ignoring or not values:
            continue
        if param == "character":
            if not fact["character"] & set(values):
                return False
        elif fact[param] not in values:
            return False
    return True


def expected_count(facts, selection, param, value):
    """Products with `value` for `param` once every other filter applies."""
    count = 0
    for fact in facts:
        if not matches(fact, selection, ignoring=param):
            continue
        has_value = value in fact[param] if param == "character" else fact[param] == value
        count += has_value
    return count


def selections(demo):
    momo = Character.objects.get(slug="momo").pk
    jin = Character.objects.get(slug="kageyama-jin").pk
    return [
        {},
        {"type": ["enamel-pin"]},
        {"type": ["enamel-pin", "sticker"], "in_stock": ["1"]},
        {"franchise": ["moonlit-ronin"], "hide_warnings": ["1"]},
        {"price": ["10-20", "20-30"], "franchise": ["pin-senpai-originals", "moonlit-ronin"]},
        {"character": [str(momo), str(jin)], "type": ["enamel-pin"]},
        {"in_stock": ["1"], "hide_warnings": ["1"], "price": ["under-10"]},
    ]


@pytest.mark.django_db
def test_every_facet_count_equals_an_independent_count_of_the_same_filter(client, demo_shop):
    facts = catalogue_facts()
    for selection in selections(demo_shop):
        response = client.get("/catalogue/", selection)
        assert response.status_code == 200, selection
        listed = sum(matches(fact, selection) for fact in facts)
        assert response.context["paginator"].count == listed, selection
        for facet in response.context["facets"]:
            for value in facet.values:
                assert value.count == expected_count(facts, selection, facet.param, value.value), (
                    selection,
                    facet.param,
                    value.label,
                )


@pytest.mark.django_db
def test_filtered_listing_shows_only_matching_products_and_links_to_remove_each_filter(
    client, demo_shop
):
    response = client.get("/catalogue/", {"franchise": "moonlit-ronin", "type": "enamel-pin"})
    titles = [p.title for p in response.context["products"]]
    assert titles and all("Pin" in t for t in titles)
    assert set(titles) == set(
        Product.objects.filter(
            franchise__slug="moonlit-ronin", product_class__slug="enamel-pin"
        ).values_list("title", flat=True)
    )
    html = response.content.decode()
    assert "Franchise: Moonlit Ronin" in html  # an active-filter chip
    assert 'href="?type=enamel-pin"' in html  # removing the franchise keeps the type
    assert 'name="franchise" value="moonlit-ronin" checked' in html


@pytest.mark.django_db
def test_sorting_and_paging_keep_the_filters_in_the_url(client, demo_shop, settings):
    settings.OSCAR_PRODUCTS_PER_PAGE = 4
    response = client.get("/catalogue/", {"type": "enamel-pin", "sort_by": "price-asc"})
    html = response.content.decode()
    assert 'href="?type=enamel-pin&amp;sort_by=price-asc&amp;page=2"' in html
    prices = [p.stockrecords.all()[0].price for p in response.context["products"]]
    assert prices == sorted(prices)
    # The sort form carries the filters as hidden fields, so changing the order keeps them.
    assert '<input type="hidden" name="type" value="enamel-pin">' in html


@pytest.mark.django_db
def test_best_selling_sort_puts_the_most_purchased_first(client, demo_shop):
    ProductRecord = get_model("analytics", "ProductRecord")
    pin = Product.objects.get(upc="PIN-TSUBAKI")
    ProductRecord.objects.update_or_create(product=pin, defaults={"num_purchases": 999})
    response = client.get("/catalogue/", {"sort_by": "best-selling"})
    assert response.context["products"][0] == pin


@pytest.mark.django_db
def test_franchise_page_lists_its_products_with_facets(client, demo_shop):
    response = client.get("/catalogue/franchise/cafe-kitsune/")
    assert response.status_code == 200
    products = response.context["products"]
    assert {p.franchise.slug for p in products} == {"cafe-kitsune"}
    assert len(products) == Product.objects.filter(franchise__slug="cafe-kitsune").count()
    params = [facet.param for facet in response.context["facets"]]
    assert "character" in params and "franchise" not in params
    assert "Café Kitsune" in response.content.decode()
    assert client.get("/catalogue/franchise/no-such-series/").status_code == 404


@pytest.mark.django_db
def test_unknown_filter_values_are_dropped_with_a_redirect_to_the_clean_url(client, demo_shop):
    response = client.get("/catalogue/?franchise=no-such-series&type=enamel-pin&character=999999")
    assert response.status_code == 302
    assert response["Location"] == "/catalogue/?type=enamel-pin"


PARAMS = {
    "type": "enamel-pin",
    "franchise": "moonlit-ronin",
    "price": "10-20",
    "in_stock": "1",
    "hide_warnings": "1",
    "sort_by": "price-desc",
}


@pytest.mark.django_db
@pytest.mark.parametrize("listing", ["catalogue", "category", "franchise"])
def test_every_filter_combination_renders(client, demo_shop, listing):
    url = {
        "catalogue": "/catalogue/",
        "category": Category.objects.get(name="Enamel pins").get_absolute_url(),
        "franchise": "/catalogue/franchise/moonlit-ronin/",
    }[listing]
    momo = str(Character.objects.get(slug="momo").pk)
    for size in range(len(PARAMS) + 1):
        for keys in combinations([*PARAMS, "character"], size):
            query = {k: (momo if k == "character" else PARAMS[k]) for k in keys}
            response = client.get(url, query)
            assert response.status_code in (200, 302), (url, query)
            if response.status_code == 302:  # only a value this listing never has is dropped
                assert client.get(response["Location"]).status_code == 200


@pytest.mark.django_db
@pytest.mark.parametrize(
    "query",
    [
        "type=%27%20OR%201%3D1--&franchise=x%22%3E%3Cscript%3E",
        "price=999999999999999999999&price=-1&price=10-20",
        "character=99999999999999999999999&character=-3&character=abc",
        "in_stock=yes&hide_warnings=%00",
        "unknown=1&page=999999999999&sort_by=%27drop",
        "type=" + "a" * 5000,
        "&".join(f"type=t{i}" for i in range(200)),
        "q=" + "pin " * 2500,
        "q=%27%3B%20DROP%20TABLE%20catalogue_product%3B--",
        "q=%22%22%22&type=enamel-pin",
        "q=pin%20%26%20%7C%20%21%20%3A*",
    ],
)
def test_hostile_query_strings_never_fail(client, demo_shop, query):
    for url in ("/catalogue/", "/search/", "/catalogue/franchise/moonlit-ronin/"):
        response = client.get(f"{url}?{query}", follow=True)
        assert response.status_code == 200, (url, query)
    assert Product.objects.count() > 40


@pytest.mark.django_db
@commits
def test_a_parent_is_listed_once_from_its_cheapest_variant_and_in_stock_through_them(client):
    parent = create_product(
        title="Prism Compact Pin", structure="parent", product_class="Enamel pin"
    )
    create_product(title="Gold", parent=parent, price="18.00", num_in_stock=0)
    small = create_product(title="Silver", parent=parent, price="12.00", num_in_stock=0)
    parent.refresh_from_db()
    assert (parent.listing_price, parent.is_available) == (Decimal("12.00"), False)

    response = client.get("/catalogue/", {"price": "10-20"})
    assert [p.title for p in response.context["products"]] == ["Prism Compact Pin"]
    assert "From" in response.content.decode() and "$12.00" in response.content.decode()
    assert client.get("/catalogue/", {"in_stock": "1"}).context["paginator"].count == 0

    record = small.stockrecords.get()
    record.num_in_stock = 3
    record.save()  # a variant back in stock puts its parent back in the in-stock listing

    in_stock = client.get("/catalogue/", {"in_stock": "1"}).context["products"]
    assert [p.title for p in in_stock] == ["Prism Compact Pin"]


def test_cached_facet_counts_hold_plain_strings_not_lazy_translations(demo_shop):
    """The counts are cached; unpickling a lazy translation builds a new class (about 3 ms each)."""
    from shop.search import facets

    result = facets.count_facets(Product.objects.browsable(), facets.Filters())
    assert b"_lazy_proxy_unpickle" not in pickle.dumps(result)


@pytest.mark.django_db
def test_screen_readers_hear_each_facet_count_as_products(client):
    franchise = FranchiseFactory(name="Solo Series")
    merch("Solo Pin", franchise=franchise)
    for n in range(2):
        merch(f"Duo Sticker {n}", product_class="Sticker")

    html = client.get("/catalogue/").content.decode()

    assert '<span class="facet__count" aria-label="1 product">1</span>' in html
    assert '<span class="facet__count" aria-label="2 products">2</span>' in html


@pytest.mark.django_db
def test_facet_values_past_the_twelfth_fold_away_unless_ticked(client):
    for n in range(14):
        merch(f"Pin {n}", franchise=FranchiseFactory(name=f"Series <{n:02}>", slug=f"s-{n:02}"))

    html = client.get("/catalogue/", {"franchise": "s-13"}).content.decode()

    choices = re.findall(
        r'<li( class="facet__value--more")?>\s*<label>\s*<input type="checkbox" name="franchise"'
        r' value="([^"]+)"( checked)?>\s*<span class="facet__label">([^<]*)</span>',
        html,
    )
    # The ticked value comes first; the values past the twelfth wait behind "more".
    assert [(value, bool(folded), bool(ticked)) for folded, value, ticked, _ in choices] == [
        ("s-13", False, True),
        *((f"s-{n:02}", n >= 11, False) for n in range(13)),
    ]
    assert choices[1][3] == "Series &lt;00&gt;"
