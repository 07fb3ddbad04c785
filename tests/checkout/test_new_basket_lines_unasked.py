"""A basket not saved yet has no lines, and says so without building SQL: a new visitor's first
"Add to basket", and every add a drop's sold-out product turns away, asked it three times (how
many items the basket holds, its currency), and Django compiled a query each time before finding
there was nothing to run."""

from unittest import mock

import pytest
from django.db import connection
from django.db.models.sql.compiler import SQLCompiler
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from oscar.core.loading import get_model

from tests.factories import merch

Basket = get_model("basket", "Basket")

pytestmark = pytest.mark.django_db


@pytest.fixture
def compiled():
    """How many statements Django's compiler ran or tried to run (an empty queryset's included)."""
    counted = []
    run = SQLCompiler.execute_sql

    def counting(compiler, *args, **kwargs):
        counted.append(compiler.query.model)
        return run(compiler, *args, **kwargs)

    with mock.patch.object(SQLCompiler, "execute_sql", counting):
        yield counted


def test_an_unsaved_basket_has_no_lines_and_compiles_nothing_to_say_so(compiled):
    basket = Basket()

    assert list(basket.all_lines()) == []
    assert basket.num_items == 0
    assert basket.currency is None
    assert basket.is_empty
    assert compiled == []


def test_a_sold_out_add_compiles_only_the_statements_it_runs(compiled):
    pin = merch("Sold Out Pin", stock=0)
    shopper = Client()
    shopper.get(pin.get_absolute_url())
    compiled.clear()

    with CaptureQueriesContext(connection) as queries:
        response = shopper.post(reverse("basket:add", kwargs={"pk": pin.pk}), {"quantity": 1})

    assert response.status_code == 302
    statements = [q["sql"] for q in queries if q["sql"].startswith("SELECT")]
    assert len(statements) == 2  # the product and its stock records
    assert len(compiled) == len(statements)


def test_the_first_add_still_finds_the_line_it_made():
    pin = merch("First Add Pin", price="9.00", stock=3)
    shopper = Client()

    shopper.post(reverse("basket:add", kwargs={"pk": pin.pk}), {"quantity": 2})

    basket = Basket.objects.get()
    assert [(line.product_id, line.quantity) for line in basket.all_lines()] == [(pin.pk, 2)]
    assert basket.num_items == 2
