"""Hostile query parameters and URL arguments are ignored or answered 404, never 500: digits
from other scripts ("²", "①", "٣"), ids past the database's integer range, NUL bytes."""

import pytest
from django.urls import reverse
from oscar.core.loading import get_model

from shop.devtools.demo.catalogue import CHEEKY_PINK_PIN
from tests.blog.conftest import write_post
from tests.shopping import to_payment_step

Product = get_model("catalogue", "Product")
Category = get_model("catalogue", "Category")

pytestmark = pytest.mark.django_db

BEYOND_ANY_DATABASE = "9" * 20  # past SQLite's 64-bit INTEGER as well as PostgreSQL's integer
BEYOND_AN_ID = "2147483648"  # one past an AutoField on PostgreSQL


@pytest.fixture
def anyone(client):
    """A visitor whose requests answer what a browser would get: a 500 page, not an exception."""
    client.raise_request_exception = False
    return client


@pytest.fixture
def staff(demo_shop, staff_client):
    staff_client.raise_request_exception = False
    return staff_client


def cheeky_pin():
    return Product.objects.get(upc=CHEEKY_PINK_PIN)


def listings():
    return [
        "/catalogue/",
        Category.objects.get(name="Enamel pins").get_absolute_url(),
        "/catalogue/franchise/moonlit-ronin/",
        "/search/?q=pin",
    ]


@pytest.mark.parametrize("digit", ["²", "①", "٣", "\N{FULLWIDTH DIGIT ONE}"])
def test_a_character_in_digits_of_another_script_is_ignored_on_every_listing(
    anyone, demo_shop, digit
):
    for url in listings():
        separator = "&" if "?" in url else "?"
        response = anyone.get(f"{url}{separator}character={digit}")
        assert response.status_code == 200, url
        plain = anyone.get(url)
        assert response.context["paginator"].count == plain.context["paginator"].count


def test_a_page_number_in_digits_of_another_script_is_the_first_page_again(anyone, demo_shop):
    response = anyone.get("/catalogue/?page=٢", follow=True)
    assert response.status_code == 200
    assert response.redirect_chain == [("/catalogue/", 302)]
    assert response.context["page_obj"].number == 1


def test_blog_page_numbers_never_fail(anyone, demo_shop):
    for page in ["²", "٢", BEYOND_ANY_DATABASE, "-1", "1.5", ""]:
        assert anyone.get(f"/blog/?page={page}").status_code == 200, page


@pytest.mark.parametrize("number", [BEYOND_ANY_DATABASE, BEYOND_AN_ID, "٣"])
def test_product_urls_with_an_id_no_row_can_have_are_404(anyone, demo_shop, number):
    pin = cheeky_pin()
    for url in [
        f"/catalogue/x_{number}/",
        f"/catalogue/x_{number}/reviews/",
        f"/catalogue/x_{number}/reviews/add/",
        f"/catalogue/{pin.slug}_{pin.pk}/reviews/{number}/",
        f"/catalogue/category/x_{number}/",
    ]:
        assert anyone.get(url).status_code == 404, url


@pytest.mark.parametrize("number", [BEYOND_ANY_DATABASE, BEYOND_AN_ID])
def test_integer_url_arguments_beyond_an_id_are_404(anyone, demo_shop, number):
    assert anyone.post(f"/basket/add/{number}/", {"quantity": 1}).status_code == 404
    for url in [
        f"/accounts/alerts/create/{number}/",
        f"/accounts/alerts/cancel/{number}/",
        f"/accounts/wishlists/add/{number}/",
        f"/blog/preview/{number}/",
    ]:
        assert anyone.get(url).status_code == 404, url


def test_staff_url_ids_that_are_not_numbers_are_404(staff, demo_shop):
    # Oscar captures these integer keys with <str:…>, and its views then fail on int().
    for url in [
        "/dashboard/pages/update/abc/",
        "/dashboard/catalogue/option/abc/update/",
        "/dashboard/catalogue/attribute-option-group/abc/update/",
        "/admin/catalogue/category/children/abc/",
        f"/dashboard/users/-{BEYOND_ANY_DATABASE}/",
        f"/dashboard/catalogue/products/{BEYOND_ANY_DATABASE}/",
    ]:
        assert staff.get(url).status_code == 404, url


def test_a_nul_in_a_url_argument_is_404(anyone, staff, demo_shop):
    # PostgreSQL refuses NUL in text: a lookup with one would be a 500 there.
    for url in [
        "/accounts/alerts/confirm/%00/",
        "/accounts/alerts/cancel/key/%00/",
        "/wishlists/a%00b/",
    ]:
        assert anyone.get(url).status_code == 404, url
    assert staff.get("/dashboard/orders/%00/").status_code == 404


def test_a_query_parameter_with_a_nul_is_ignored(anyone, staff, demo_shop):
    plain = anyone.get("/catalogue/").context["paginator"].count
    for query in ["q=%00", "q=pin%00", "%00=1", "type=enamel-pin%00&page=%00"]:
        response = anyone.get(f"/catalogue/?{query}")
        assert response.status_code == 200, query
        assert response.context["paginator"].count == plain
    assert anyone.get("/blog/?page=1&from=%00").status_code == 200
    # Oscar's dashboard forms would hand the NUL to PostgreSQL, which refuses it.
    response = staff.get("/dashboard/orders/?order_number=%00")
    assert response.status_code == 200


def test_a_resubmitted_order_form_with_a_basket_id_in_other_digits_is_not_an_error(
    anyone, stripe_sim, demo_shop
):
    to_payment_step(anyone, cheeky_pin())
    for basket_id in ["²", BEYOND_ANY_DATABASE]:
        response = anyone.post(
            reverse("checkout:preview"),
            {"action": "place_order", "confirmation_token": "", "basket_id": basket_id},
        )
        assert response.status_code < 500, basket_id


def test_a_post_linking_a_product_id_no_row_can_have_saves(demo_shop):
    post = write_post(
        "Pins nobody stocks",
        body=f"[A pin](/catalogue/x_{BEYOND_ANY_DATABASE}/) and [one](/catalogue/x_٣/)",
    )
    post.refresh_from_db()
    assert post.body_html
    assert not post.featured.exists()


def test_a_basket_form_posted_without_its_optional_counts_is_not_an_error(anyone, demo_shop):
    # A browser sends every management field; a script need not.
    response = anyone.post(
        "/basket/", {"form-TOTAL_FORMS": "1", "form-0-id": "²", "form-0-quantity": "1"}
    )
    assert response.status_code < 500
