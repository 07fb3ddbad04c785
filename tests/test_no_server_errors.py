"""No request a stranger (or a careless staff member) can make answers 5xx: hypothesis throws
digits of other scripts, huge and negative numbers, floats, empty, repeated and mixed parameters,
NULs, long strings and broken percent-encodings at the query string, the URL arguments and the
posted fields of every kind of page, on whichever database the run uses (SQLite, or PostgreSQL
with DATABASE_URL).

Bounded: a fixed number of examples per page kind, the same on every run (the "shop" profile in
tests/conftest.py: derandomized, no deadline, no example database). The page cache is on and
emptied before each example, so every request renders its page instead of replaying one.
"""

from dataclasses import dataclass
from urllib.parse import quote, urlencode

import pytest
from django.core.cache import cache
from django.test import Client
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st
from oscar.core.loading import get_model

from blog.models import BlogCategory, Post, Tag
from shop.devtools.demo.catalogue import CHEEKY_PINK_PIN

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")
Franchise = get_model("catalogue", "Franchise")
Character = get_model("catalogue", "Character")
User = get_model("auth", "User")

pytestmark = [pytest.mark.django_db, pytest.mark.page_cache]

NUMBERS = st.one_of(
    st.sampled_from(
        [
            # Digits and numbers of other scripts: str.isdigit() takes some, int() others.
            *("²", "①", "٣", "߁", "Ⅻ", "½"),
            *("\N{FULLWIDTH DIGIT ONE}", "\N{MATHEMATICAL BOLD DIGIT NINE}"),
            *("-1", "0", "+1", " 1", "1 ", "01", "1.5", "1e9", "NaN", "inf", "0x1f", "", "last"),
            *("2147483648", "9223372036854775808", "9" * 20, "-" + "9" * 20, "9" * 5000),
        ]
    ),
    st.integers(min_value=-(2**70), max_value=2**70).map(str),
    st.floats().map(str),
    st.text(st.characters(categories=["Nd", "No", "Nl"]), min_size=1, max_size=12),
)
TEXT = st.one_of(
    NUMBERS,
    st.text(max_size=40),  # any code point but surrogates: NUL, controls, right-to-left marks
    st.sampled_from(["a" * 3000, "pin " * 800, "' OR 1=1--", '"><script>', "pin & | ! :*"]),
)
NAMES = st.one_of(
    st.sampled_from(
        [
            *("page", "q", "sort_by", "type", "franchise", "character", "price"),
            *("in_stock", "hide_warnings", "p", "from", "next", "utm_source", "tag", "category"),
        ]
    ),
    st.text(max_size=8),
)
ENCODED = st.lists(  # what urlencode never writes: broken UTF-8, stray %, empty pairs
    st.sampled_from(
        [
            *("%FF", "%C0%80", "%ED%A0%80", "%E2%82", "%", "%%", "%2", "&&", "==", ";", "+"),
            *("character=%C2%B2", "page=%D9%A3", "q=%F0%9F%8E%8C", "price=10-20&price=10-20"),
        ]
    ),
    max_size=4,
).map("&".join)
QUERIES = st.tuples(st.lists(st.tuples(NAMES, TEXT), max_size=8).map(urlencode), ENCODED).map(
    lambda parts: "&".join(p for p in parts if p)
)
REAL = "<real>"  # stands for a value the demo shop has, so hostile queries reach real pages
ARGUMENTS = st.one_of(st.just(REAL), st.one_of(NUMBERS, TEXT)).map(
    lambda value: value if value == REAL else quote(value, safe="")
)


@dataclass(frozen=True)
class PageKind:
    url: str  # with {fields} filled from ARGUMENTS
    real: object = dict  # () → the demo shop's value for each field
    method: str = "get"
    form: tuple[str, ...] = ()  # fields posted, each with a hostile value
    staff: bool = False

    def __str__(self):
        return self.url


def pin():
    product = Product.objects.get(upc=CHEEKY_PINK_PIN)
    return {"slug": product.slug, "pk": product.pk}


def pins_category():
    category = Category.objects.get(name="Enamel pins")
    return {"slug": category.slug, "pk": category.pk}


def article():
    return {"slug": Post.objects.published().first().slug}


PAGE_KINDS = [
    PageKind("/"),
    PageKind("/catalogue/"),
    PageKind("/catalogue/category/{slug}_{pk}/", pins_category),
    PageKind("/catalogue/franchise/{slug}/", lambda: {"slug": Franchise.objects.first().slug}),
    PageKind("/search/"),
    PageKind("/catalogue/{slug}_{pk}/", pin),
    PageKind("/catalogue/{slug}_{pk}/reviews/", pin),
    PageKind("/catalogue/{slug}_{pk}/reviews/{review}/", lambda: {**pin(), "review": 1}),
    PageKind("/blog/"),
    PageKind("/blog/tag/{slug}/", lambda: {"slug": Tag.objects.first().slug}),
    PageKind("/blog/category/{slug}/", lambda: {"slug": BlogCategory.objects.first().slug}),
    PageKind("/blog/{slug}/", article),
    PageKind("/blog/feed/"),
    PageKind("/blog/feed/atom/"),
    PageKind("/sitemap.xml"),
    PageKind("/sitemap-{section}.xml", lambda: {"section": "products"}),
    PageKind("/basket/"),
    PageKind("/basket/add/{pk}/", pin, method="post", form=("quantity",)),
    PageKind("/basket/", method="post", form=("form-TOTAL_FORMS", "form-0-id", "form-0-quantity")),
    PageKind("/catalogue/content/", method="post", form=("shows_mature", "next")),
    PageKind("/accounts/alerts/confirm/{key}/", lambda: {"key": "abc"}),
    PageKind("/accounts/alerts/cancel/{pk}/", lambda: {"pk": 1}),
    PageKind("/wishlists/{key}/", lambda: {"key": "abc"}),
    PageKind("/blog/preview/{pk}/", lambda: {"pk": Post.objects.first().pk}, staff=True),
    PageKind("/dashboard/catalogue/products/{pk}/", pin, staff=True),
    PageKind("/dashboard/catalogue/", staff=True),
    PageKind("/dashboard/orders/", staff=True),
    PageKind("/dashboard/users/{pk}/", lambda: {"pk": User.objects.first().pk}, staff=True),
    PageKind("/dashboard/orders/{number}/", lambda: {"number": "100001"}, staff=True),
    PageKind("/dashboard/catalogue/option/{pk}/update/", lambda: {"pk": 1}, staff=True),
    PageKind("/admin/catalogue/product/{pk}/change/", pin, staff=True),
]


@pytest.mark.parametrize("kind", PAGE_KINDS, ids=str)
@hypothesis_settings(
    max_examples=12,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(data=st.data())
def test_no_query_string_or_url_argument_answers_a_server_error(demo_shop, kind, data):
    real = kind.real()
    fields = {name: data.draw(ARGUMENTS, label=name) for name in real}
    path = kind.url.format(**{k: real[k] if v == REAL else v for k, v in fields.items()})
    query = data.draw(QUERIES, label="query")
    client = Client(raise_request_exception=False)
    if kind.staff:
        client.force_login(User.objects.get(username="staff"))
    cache.clear()
    url = f"{path}?{query}" if query else path
    form = {name: data.draw(TEXT, label=name) for name in kind.form}
    response = getattr(client, kind.method)(url, form)
    assert response.status_code < 500, url
