"""The account, guest-order and sign-in pages in the shop's look: the account's sections as tabs
(no Oscar sidebar), orders as cards with one price each (the shop charges no tax), an order's
progress as a timeline from its status changes, and pages that do not grow with the data."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.apps.partner import strategy
from oscar.test.factories import UserFactory, create_basket, create_order

from catalogue import buying
from shop.order import pipeline
from tests.factories import merch
from tests.shopping import add_to_basket

pytestmark = pytest.mark.django_db


@pytest.fixture
def shopper(client):
    user = UserFactory()
    client.force_login(user)
    return user


def paid_order(user):
    merch("Timeline Pin", price="10.00", stock=50)
    order = create_order(user=user)
    order.set_status(pipeline.PAID)
    return order


def text(response) -> str:
    assert response.status_code == 200
    return response.content.decode()


@pytest.mark.parametrize(
    "name",
    [
        "customer:profile-view",
        "customer:order-list",
        "customer:address-list",
        "customer:wishlists-list",
    ],
)
def test_account_pages_have_the_shops_tabs_instead_of_oscars_sidebar(client, shopper, name):
    page = text(client.get(reverse(name)))

    assert 'class="account-nav"' in page
    assert 'aria-current="page"' in page.split('class="account-nav"')[1].split("</nav>")[0]
    assert 'class="sidebar' not in page and "nav-pills" not in page


def test_order_history_shows_cards_with_one_price_and_the_status(client, shopper):
    order = paid_order(shopper)

    page = text(client.get(reverse("customer:order-list")))

    card = page.split('class="order-card"')[1].split("</li>")[0]
    assert f"Order {order.number}" in card
    assert "Paid" in card and "$" in card
    assert "tax" not in page.lower()


def test_the_order_page_shows_its_progress_as_a_timeline(client, shopper):
    order = paid_order(shopper)

    page = text(client.get(reverse("customer:order", kwargs={"order_number": order.number})))

    timeline = page.split('class="order-timeline"')[1].split("</ol>")[0]
    steps = [part.split("</span>")[0] for part in timeline.split('order-timeline__label">')[1:]]
    assert steps == ["Order placed", "Paid", "Dispatched"]
    assert timeline.count("<time") == 2 and "Still to come" in timeline
    assert "excl. tax" not in page and "incl. tax" not in page and "tax" not in page.lower()


def test_a_cancelled_order_has_nothing_still_to_come(client, shopper):
    order = paid_order(shopper)
    order.set_status(pipeline.CANCELLED)

    page = text(client.get(reverse("customer:order", kwargs={"order_number": order.number})))

    assert "Still to come" not in page
    assert "Cancelled" in page.split('class="order-timeline"')[1].split("</ol>")[0]


def test_a_shop_that_charges_tax_shows_it(client, shopper, monkeypatch):
    order = paid_order(shopper)
    monkeypatch.setattr(buying, "charges_tax", lambda strategy: True)

    page = text(client.get(reverse("customer:order", kwargs={"order_number": order.number})))

    assert "Of which tax" in page and "with tax" in page


def test_tax_follows_oscars_pricing_strategy():
    assert buying.charges_tax(strategy.Default()) is False
    assert buying.charges_tax(strategy.UK()) is True


def test_the_guest_order_page_has_the_timeline_and_no_account_buttons(client):
    merch("Guest Pin", price="10.00", stock=50)
    order = create_order(guest_email="guest@example.com")
    order.set_status(pipeline.PAID)
    keys = {"order_number": order.number, "hash": order.verification_hash()}
    form_url = reverse("customer:anon-order-form", kwargs=keys)
    assert 'class="auth-card auth-card--single"' in text(client.get(form_url))

    client.post(form_url, {"email": "guest@example.com"})
    page = text(client.get(reverse("customer:anon-order", kwargs=keys)))

    assert 'class="order-timeline"' in page and "Paid" in page
    assert "Buy again" not in page and "account-nav" not in page
    assert 'name="robots" content="noindex"' in page


def test_sign_in_and_registration_are_cards_side_by_side(client):
    page = text(client.get(reverse("customer:login")))

    assert page.count('class="auth-card"') == 2
    assert 'name="login_submit"' in page and 'name="registration_submit"' in page


@pytest.mark.parametrize("name", ["password-reset", "customer:register"])
def test_password_reset_and_registration_are_in_the_shops_look(client, name):
    page = text(client.get(reverse(name)))

    assert 'class="auth-card auth-card--single"' in page and "<form" in page


def history_queries(client, user, orders: int) -> int:
    for _n in range(orders):
        paid_order(user)
    client.force_login(user)
    url = reverse("customer:order-list")
    client.get(url)  # warm: session, caches
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.content.decode().count('class="order-card"') == orders
    return len(queries)


def test_order_history_runs_the_same_queries_for_one_order_as_for_five(client):
    from django.test import Client

    one = history_queries(client, UserFactory(), 1)
    five = history_queries(Client(), UserFactory(), 5)

    assert one == five
    assert one <= 6, one


def basket_queries(client, user, lines: int) -> int:
    client.force_login(user)
    for n in range(lines):
        add_to_basket(client, merch(f"Budget Line {user.pk}-{n}", price="10.00", stock=9))
    url = reverse("basket:summary")
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.content.decode().count('class="basket-line"') == lines
    return len(queries)


def test_the_basket_runs_the_same_queries_for_one_line_as_for_five(client):
    from django.test import Client

    one = basket_queries(client, UserFactory(), 1)
    five = basket_queries(Client(), UserFactory(), 5)

    assert one == five
    assert one <= 16, one


def order_page_queries(client, lines: int) -> int:
    user = UserFactory()
    basket = create_basket(empty=True)
    for n in range(lines):
        basket.add_product(merch(f"Order Line {user.pk}-{n}", price="10.00", stock=9))
    order = create_order(user=user, basket=basket)
    client.force_login(user)
    url = reverse("customer:order", kwargs={"order_number": order.number})
    client.get(url)
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url)
    assert response.content.decode().count('class="order-line"') == lines
    return len(queries)


def test_the_order_page_loads_its_lines_together(client):
    from django.test import Client

    one = order_page_queries(client, 1)
    five = order_page_queries(Client(), 5)

    # Products, pictures, options, reviews already written and parcels: one query each.
    assert five == one
    assert one <= 14, one


def test_write_a_review_is_offered_only_for_items_not_reviewed_yet(client):
    user = UserFactory()
    basket = create_basket(empty=True)
    reviewed, fresh = (merch(f"{name} Review Pin", price="10.00", stock=9) for name in "AB")
    basket.add_product(reviewed)
    basket.add_product(fresh)
    order = create_order(user=user, basket=basket)
    reviewed.reviews.create(user=user, title="Lovely", score=5, body="Shiny.")
    client.force_login(user)

    page = text(client.get(reverse("customer:order", kwargs={"order_number": order.number})))

    assert f"/catalogue/{fresh.slug}_{fresh.pk}/reviews/add/" in page
    assert f"/catalogue/{reviewed.slug}_{reviewed.pk}/reviews/add/" not in page


def test_buy_all_again_puts_the_orders_items_back_in_the_basket(client, shopper):
    order = paid_order(shopper)
    page = text(client.get(reverse("customer:order", kwargs={"order_number": order.number})))
    assert "Buy all again" in page

    response = client.post(
        reverse("customer:order", kwargs={"order_number": order.number}),
        {"order_id": order.id, "action": "reorder"},
    )

    assert response.status_code == 302
    basket = client.get(reverse("basket:summary")).context["basket"]
    assert [line.product for line in basket.all_lines()] == [
        line.product for line in order.lines.all()
    ]
