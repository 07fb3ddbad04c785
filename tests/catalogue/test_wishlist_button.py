"""The product page offers "Add to wish list" to signed-in shoppers, as a plain form (no script
needed), and a sign-in link to everyone else."""

import pytest
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory

from tests.factories import merch

WishList = get_model("wishlists", "WishList")

pytestmark = pytest.mark.django_db


def test_a_signed_in_shopper_adds_the_product_to_a_wish_list_and_sees_it_saved(client):
    pin = merch("Wishful Pin", price="10.00", stock=3)
    shopper = UserFactory()
    client.force_login(shopper)
    page = client.get(pin.get_absolute_url()).content.decode()
    add_url = reverse("customer:wishlists-add-product", kwargs={"product_pk": pin.pk})
    assert f'action="{add_url}" method="post"' in page

    response = client.post(add_url, HTTP_REFERER=pin.get_absolute_url())

    assert response.status_code == 302
    assert response["Location"] == pin.get_absolute_url()
    wishlist = WishList.objects.get(owner=shopper)
    assert [line.product for line in wishlist.lines.all()] == [pin]
    page = client.get(pin.get_absolute_url()).content.decode()
    assert "Saved in your wish list" in page
    assert wishlist.get_absolute_url() in page
    assert "Add to wish list" not in page


def test_removing_it_from_the_product_page_empties_the_list(client):
    pin = merch("Fickle Pin", price="10.00", stock=3)
    shopper = UserFactory()
    client.force_login(shopper)
    client.post(reverse("customer:wishlists-add-product", kwargs={"product_pk": pin.pk}))
    wishlist = WishList.objects.get(owner=shopper)

    client.post(
        reverse(
            "customer:wishlists-remove-product", kwargs={"key": wishlist.key, "product_pk": pin.pk}
        ),
        HTTP_REFERER=pin.get_absolute_url(),
    )

    assert wishlist.lines.count() == 0
    assert "Add to wish list" in client.get(pin.get_absolute_url()).content.decode()


def test_a_signed_out_shopper_gets_a_sign_in_link_back_to_the_product(client):
    pin = merch("Anonymous Pin", price="10.00", stock=3)

    page = client.get(pin.get_absolute_url()).content.decode()

    assert "Sign in to save this to a wish list" in page
    assert f"{reverse('customer:login')}?next={pin.get_absolute_url()}" in page
    assert "add_to_wishlist_form" not in page


def test_a_sold_out_product_can_still_be_wished_for(client):
    pin = merch("Gone Pin", price="10.00", stock=0)
    client.force_login(UserFactory())

    page = client.get(pin.get_absolute_url()).content.decode()

    assert "Sold out" in page and "Add to wish list" in page


def test_the_wish_list_pages_are_cards_with_labelled_quantities_and_no_dropdowns(client):
    pin = merch("Listed Pin", price="10.00", stock=30)
    shopper = UserFactory()
    client.force_login(shopper)
    client.post(reverse("customer:wishlists-add-product", kwargs={"product_pk": pin.pk}))
    wishlist = WishList.objects.get(owner=shopper)

    lists = client.get(reverse("customer:wishlists-list")).content.decode()
    detail = client.get(wishlist.get_absolute_url()).content.decode()

    assert 'class="account-card wishlist-card"' in lists and "1 item" in lists
    assert "Listed Pin" in detail and "$10.00" in detail and "In stock" in detail
    assert '<label class="wishlist-line__field">Quantity <input' in detail
    assert "dropdown-toggle" not in lists + detail
