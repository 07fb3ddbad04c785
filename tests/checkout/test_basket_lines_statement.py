"""The basket's lines are read by one SQL statement compiled once per process (shop.basket.models
.LinesStatement) and run for every basket with its own id: each shopper sees their own lines, with
the same pictures, stock and offers as the ORM's own query gives, and a change shows at once."""

from datetime import datetime
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import QuerySet
from django.db.models.sql.compiler import SQLCompiler
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model

from shop.basket.models import LinesStatement, lines_with_everything, nothing
from tests.checkout.test_offers_on_the_basket import percent_off
from tests.factories import merch, product_image
from tests.shopping import add_to_basket

Basket = get_model("basket", "Basket")

pytestmark = pytest.mark.django_db


def titles_on_basket_page(client) -> list[str]:
    response = client.get(reverse("basket:summary"))
    assert response.status_code == 200
    return [line.product.title for line in response.context["basket"].all_lines()]


def test_each_shopper_sees_their_own_lines_from_the_one_statement():
    moon, naruto, totoro = (merch(t, price="10.00") for t in ("Moon Pin", "Naruto Pin", "Totoro"))
    first, second = Client(), Client()
    add_to_basket(first, moon)
    add_to_basket(first, totoro)
    add_to_basket(second, naruto)

    assert titles_on_basket_page(first) == ["Moon Pin", "Totoro"]
    assert titles_on_basket_page(second) == ["Naruto Pin"]
    # (placing an order reads the lines with a statement of its own, which locks them)
    assert len({key for key in LinesStatement._compiled if key[1:] == ((), False)}) == 1


def test_a_line_added_shows_on_the_next_view(client):
    moon, naruto = merch("Moon Pin", price="10.00"), merch("Naruto Pin", price="10.00")
    add_to_basket(client, moon)
    assert titles_on_basket_page(client) == ["Moon Pin"]

    add_to_basket(client, naruto)

    assert titles_on_basket_page(client) == ["Moon Pin", "Naruto Pin"]


def test_the_statement_reads_what_the_orms_query_reads(client):
    moon, naruto = merch("Moon Pin", price="10.00"), merch("Naruto Pin", price="20.00")
    product_image(moon)
    percent_off("Moon week", [moon], 10)
    add_to_basket(client, moon)
    add_to_basket(client, naruto)
    response = client.get(reverse("basket:summary"))
    basket = response.context["basket"]
    read = list(basket.all_lines())
    (check_key,) = basket.range_checks
    orm = list(
        lines_with_everything(
            basket.lines.all(), range_checks={check_key[0]: basket.range_checks[check_key]()}
        ).order_by("pk")
    )

    columns = ("pk", "product_id", "quantity", "picture_name", "has_options", "stockrecord_count")
    assert [[getattr(line, c) for c in columns] for line in read] == [
        [getattr(line, c) for c in columns] for line in orm
    ]
    name = f"in_range_{check_key[0]}"
    assert [getattr(line, name) for line in read] == [True, False]
    assert read[0].basket is basket._wrapped and read[0].stockrecord.price == Decimal("10.00")
    assert basket.total_incl_tax == Decimal("29.00")


@pytest.mark.skipif(
    "connection.vendor != 'postgresql'", reason="prepared statements are PostgreSQL's"
)
def test_postgresql_parses_and_plans_the_lines_statement_once_per_connection(client):
    moon = merch("Moon Pin", price="10.00")
    add_to_basket(client, moon)
    for _ in range(7):  # PostgreSQL settles on one generic plan after five custom ones
        assert titles_on_basket_page(client) == ["Moon Pin"]

    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT generic_plans FROM pg_prepared_statements WHERE statement LIKE %s",
            ['SELECT "basket_line"."id"%'],
        )
        (generic_plans,) = cursor.fetchone()
    assert generic_plans >= 2


def test_how_to_convert_the_columns_is_worked_out_once_per_connection(client, monkeypatch):
    """Django works out each column's converters on every run of a query; for the compiled
    statement they are the same every time on a connection, so they are kept, and still applied
    (the prices come back as Decimals on SQLite, which stores them as text)."""
    moon, naruto = merch("Moon Pin", price="10.00"), merch("Naruto Pin", price="12.50")
    add_to_basket(client, moon)
    assert titles_on_basket_page(client) == ["Moon Pin"]  # compiled and run once
    asked = []
    real = SQLCompiler.get_converters
    monkeypatch.setattr(
        SQLCompiler,
        "get_converters",
        lambda compiler, expressions: (
            asked.append(list(expressions)) or real(compiler, expressions)
        ),
    )

    add_to_basket(client, naruto)
    response = client.get(reverse("basket:summary"))

    lines = list(response.context["basket"].all_lines())
    assert [line.product.title for line in lines] == ["Moon Pin", "Naruto Pin"]
    assert [line.stockrecord.price for line in lines] == [Decimal("10.00"), Decimal("12.50")]
    assert isinstance(lines[0].date_created, datetime)
    compilers = [lines.statement.compiler for lines in LinesStatement._compiled.values()]
    assert asked  # by the other queries, not the lines statement's:
    assert not [columns for columns in asked for c in compilers if _are_columns_of(c, columns)]


def _are_columns_of(compiler, columns) -> bool:
    own = [column for column, *_ in compiler.select[: compiler.col_count]]
    return len(columns) == len(own) and all(a is b for a, b in zip(columns, own, strict=True))


def test_the_lines_come_filled_without_building_a_query_for_them(client, monkeypatch):
    """The lines' queryset is filled from the statement; its filter on the basket is built only
    when a filtered copy asks the database, which it still does, in the lines' own order."""
    moon, naruto = merch("Moon Pin", price="10.00"), merch("Naruto Pin", price="12.50")
    add_to_basket(client, moon)
    add_to_basket(client, naruto)
    basket = Basket.objects.get()
    built = []
    real = QuerySet._filter_or_exclude_inplace
    monkeypatch.setattr(
        QuerySet,
        "_filter_or_exclude_inplace",
        lambda queryset, *args: built.append(queryset.model) or real(queryset, *args),
    )

    lines = basket.all_lines()
    assert [line.product.title for line in lines] == ["Moon Pin", "Naruto Pin"]
    assert len(lines) == basket.num_lines == 2
    assert built == []

    (naruto_line,) = lines.filter(product=naruto)
    assert naruto_line.product.title == "Naruto Pin"
    assert [line.product.title for line in lines.exclude(product=None)] == [
        "Moon Pin",
        "Naruto Pin",
    ]
    assert basket.lines.model in built


def test_lines_read_for_a_basket_known_to_hold_none_leave_the_shared_empty_queryset_empty(client):
    """A relation known empty is one queryset shared by every basket (shop.basket.models
    .nothing): reading a basket's lines while it is in place fills a copy, never the shared one."""
    moon = merch("Moon Pin", price="10.00")
    add_to_basket(client, moon)
    basket = Basket.objects.get()
    shared = nothing(basket.lines.model)
    basket._prefetched_objects_cache = {"lines": shared}

    lines = basket.all_lines()

    assert [line.product.title for line in lines] == ["Moon Pin"]
    assert lines is not shared
    assert list(shared) == []
    assert list(Basket.objects.create().all_lines()) == []
