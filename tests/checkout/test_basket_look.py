"""The basket page in the shop's look: each line a card whose Remove and Save-for-later are real
submit buttons (they work without JavaScript), one price per line (the shop charges no tax), the
voucher form folded away, and the first button of the form an "Update" so that Enter in a
quantity box never removes a line."""

import re

import pytest
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import UserFactory, create_product

from tests.factories import merch, product_image
from tests.shopping import add_to_basket

Product = get_model("catalogue", "Product")

pytestmark = pytest.mark.django_db


def management(page: str) -> dict:
    return dict(re.findall(r'<input type="hidden" name="(form-[A-Z_]+)" value="(\d+)"', page))


def line_fields(page: str) -> dict:
    fields = management(page)
    for name, value in re.findall(r'name="(form-\d+-id)" value="(\d+)"', page):
        fields[name] = value
    for name, value in re.findall(r'name="(form-\d+-quantity)" value="(\d+)"', page):
        fields[name] = value
    return fields


def test_remove_is_a_real_button_that_removes_only_its_line(client):
    keep = merch("Kept Pin", price="10.00", stock=9)
    drop = merch("Dropped Pin", price="12.00", stock=9)
    add_to_basket(client, keep)
    add_to_basket(client, drop)
    page = client.get(reverse("basket:summary")).content.decode()
    removes = re.findall(r'<button type="submit" name="(form-\d+-DELETE)" value="on"', page)
    assert len(removes) == 2
    second = removes[1]

    client.post(reverse("basket:summary"), {**line_fields(page), second: "on"})

    basket = client.get(reverse("basket:summary")).context["basket"]
    assert [line.product for line in basket.all_lines()] == [keep]


def test_save_for_later_is_a_real_button_for_signed_in_shoppers(client):
    client.force_login(UserFactory())
    pin = merch("Later Pin", price="10.00", stock=9)
    add_to_basket(client, pin)
    page = client.get(reverse("basket:summary")).content.decode()
    later = re.search(r'<button type="submit" name="(form-0-save_for_later)" value="on"', page)

    client.post(reverse("basket:summary"), {**line_fields(page), later.group(1): "on"})

    page = client.get(reverse("basket:summary")).content.decode()
    assert "Saved for later" in page and "Move to basket" in page
    assert "Your basket is empty." in page


def test_the_form_starts_with_an_update_button_so_enter_never_removes_a_line(client):
    add_to_basket(client, merch("Enter Pin", price="10.00", stock=9))
    page = client.get(reverse("basket:summary")).content.decode()

    form = page.split('id="basket_formset"')[1]
    first_button = re.search(r"<button[^>]*>", form).group(0)
    assert 'type="submit"' in first_button and "name=" not in first_button


def test_lines_show_one_price_with_the_stock_and_no_grey_table(client):
    add_to_basket(client, merch("Card Pin", price="10.00", stock=40), quantity=2)

    page = client.get(reverse("basket:summary")).content.decode()

    line = page.split('class="basket-line"')[1].split("</li>")[0]
    assert "$10.00 each" in line and "$20.00" in line and "In stock" in line
    assert "tax" not in page.lower()
    assert "basket-items" not in page and 'data-behaviours="remove"' not in page


def test_the_voucher_form_is_folded_into_a_disclosure(client):
    add_to_basket(client, merch("Voucher Pin", price="10.00", stock=9))

    page = client.get(reverse("basket:summary")).content.decode()

    details = page.split('<details class="basket-voucher"')[1].split("</details>")[0]
    assert "<summary>Have a voucher code?</summary>" in details
    assert f'action="{reverse("basket:vouchers-add")}"' in details


def test_each_line_shows_its_picture_or_else_its_parents(client):
    own = merch("Own Picture Pin", price="10.00", stock=9)
    product_image(own)
    hoodie = create_product(title="Hoodie", structure=Product.PARENT)
    product_image(hoodie)
    size_m = create_product(
        title="Hoodie M", structure=Product.CHILD, parent=hoodie, price=30, num_in_stock=5
    )
    for product in (own, size_m, merch("Bare Pin", price="10.00", stock=9)):
        add_to_basket(client, product)

    page = client.get(reverse("basket:summary")).content.decode()

    cards = {
        re.search(r'class="basket-line__title"><a [^>]*>([^<]+)<', card).group(1): card
        for card in page.split('<li class="basket-line')[1:]
    }
    assert "is-missing" not in cards["Own Picture Pin"]
    assert "is-missing" not in cards["Hoodie M"]
    assert "is-missing" in cards["Bare Pin"]
