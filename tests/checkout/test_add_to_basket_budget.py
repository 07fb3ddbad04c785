"""Adding to the basket runs a fixed number of queries, whatever the basket already holds: the
product with its class and stock records, and, for a basket this add makes, no look for the lines
or vouchers it cannot have yet."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_model

from tests.factories import merch
from tests.shopping import add_to_basket

Basket = get_model("basket", "Basket")

pytestmark = pytest.mark.django_db

# As the test client counts them (savepoints for the request's transaction).
# The first add: the product with its class and whether it has options, its stock records, the
# new basket, its line (written, not looked for, and with no savepoint: the basket is new), the
# offers and the lines they apply to. No session: a guest's basket is in a cookie, and an add on
# its way to the basket leaves no note for a page to confirm it (catalogue.buying.remember_added);
# 11 while every add noted itself in a new session (its INSERT and savepoint pair). 13 while the
# new line was written under a savepoint (SAVEPOINT and RELEASE). The
# basket addition is counted after the commit and written in batches (catalogue.sales_counts): 15
# while it was Oscar's UPDATE of the product's record (and its INSERT when it had none). 23 before the
# product came with its class and stock records and before a new basket stopped asking for the
# lines and vouchers it cannot have; 19 before the new session's key went unchecked, 18 before
# the new line went unlooked for, 17 before whether the product has options came with it (Oscar
# asked, then read the options it does not have: two queries).
FIRST_ADD = 8
# A later add: the basket, its lines, how many of the product it holds, its row lock, the line
# (looked for, then written), the lines again for the offers. 19 while each add noted itself in
# the session (read, then written under a savepoint); 25, then 23 until the options came with the
# product, 21 until the basket addition left the request.
NEXT_ADD = 15


def pins(count: int) -> list:
    return [merch(f"Budget Add Pin {n}", price="10.00", stock=5) for n in range(count)]


def add_counted(client, product) -> int:
    with CaptureQueriesContext(connection) as queries:
        add_to_basket(client, product)
    return len(queries)


def test_the_first_add_makes_the_basket_without_asking_for_its_lines_or_vouchers(client):
    (pin,) = pins(1)

    assert add_counted(client, pin) == FIRST_ADD
    basket = Basket.objects.get()
    assert [(line.product_id, line.quantity) for line in basket.lines.all()] == [(pin.pk, 1)]


@pytest.mark.parametrize("held", [1, 4])
def test_a_later_add_runs_the_same_queries_whatever_the_basket_holds(client, held):
    *before, pin = pins(held + 1)
    for product in before:
        add_to_basket(client, product)

    assert add_counted(client, pin) == NEXT_ADD
    assert Basket.objects.get().lines.count() == held + 1
