"""The dashboard's order page shows staff the article each line came from (Line.post), with no
query per line; the customer's own order pages do not show it."""

import pytest
from django.urls import reverse
from oscar.test.factories import UserFactory

from tests.blog.conftest import write_post
from tests.factories import merch, staff_member
from tests.orders import order_page, paid_order

pytestmark = pytest.mark.django_db


def lines_cell(page: str) -> str:
    """The order's lines table (the "Order contents" tab)."""
    return page.split('id="lines"')[1].split("</table>")[0]


@pytest.fixture
def staff(client):
    client.force_login(
        staff_member("orders", permissions=("order.view_order", "order.change_order"))
    )
    return client


def order_from_articles(*lines, user=None):
    """A paid order of (product, article or None) lines, one unit each."""
    placed = paid_order(*((product, 1) for product, _ in lines), user=user)
    for product, post in lines:
        placed.lines.filter(product=product).update(post=post)
    return placed


def test_staff_see_the_article_each_line_came_from(staff):
    pin, badge = merch("Sakura Pin", upc="PIN-S"), merch("Fox Badge")
    post = write_post("What does NTR mean?", body="[[product:PIN-S]]")
    placed = order_from_articles((pin, post), (badge, None))

    table = lines_cell(staff.get(order_page(placed)).content.decode())

    pin_row, badge_row = (
        row for row in table.split("<tr>")[2:] if "Sakura Pin" in row or "Fox Badge" in row
    )
    assert "Sakura Pin" in pin_row
    assert f'<a href="{post.get_absolute_url()}">What does NTR mean?</a>' in pin_row
    assert "Fox Badge" in badge_row
    assert "What does NTR mean?" not in badge_row


@pytest.mark.parametrize("size", [1, 5])
def test_the_order_page_runs_a_fixed_number_of_queries_whatever_its_lines(
    staff, size, django_assert_num_queries
):
    post = write_post("Pin care")
    placed = order_from_articles(*((merch(f"Pin {k}"), post) for k in range(size)))
    staff.get(order_page(placed))  # the session and permissions, as on any later request

    # The order with its lines, the lines again with their products, suppliers and articles,
    # and the rest of Oscar's page (events, notes, discounts, payments, shipments): none per line.
    with django_assert_num_queries(28):
        page = staff.get(order_page(placed)).content.decode()
    assert lines_cell(page).count(f'<a href="{post.get_absolute_url()}">Pin care</a>') == size


def test_the_customer_does_not_see_which_article_a_line_came_from(client):
    customer = UserFactory()
    pin = merch("Sakura Pin", upc="PIN-S")
    post = write_post("What does NTR mean?", body="[[product:PIN-S]]")
    placed = order_from_articles((pin, post), user=customer)
    client.force_login(customer)

    page = client.get(reverse("customer:order", kwargs={"order_number": placed.number}))

    assert page.status_code == 200
    assert "Sakura Pin" in page.content.decode()
    assert "What does NTR mean?" not in page.content.decode()


def test_the_guest_does_not_see_which_article_a_line_came_from(client):
    pin = merch("Sakura Pin", upc="PIN-S")
    post = write_post("What does NTR mean?", body="[[product:PIN-S]]")
    placed = order_from_articles((pin, post))
    session = client.session
    session["anon_order_email"] = "shopper@example.com"
    session.save()

    page = client.get(
        reverse(
            "customer:anon-order",
            kwargs={"order_number": placed.number, "hash": placed.verification_hash()},
        )
    )

    assert page.status_code == 200
    assert "Sakura Pin" in page.content.decode()
    assert "What does NTR mean?" not in page.content.decode()
