"""The site offers are read from the database once and then kept in the cache: a basket view asks
no offer table, and a staff change to an offer, its benefit, its condition or its range is on the
very next basket view (the `offers` cache tag), as is an offer whose start date has come."""

from datetime import timedelta
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from tests.checkout.test_offers_on_the_basket import percent_off
from tests.commits import commits
from tests.factories import merch
from tests.shopping import add_to_basket

ConditionalOffer = get_model("offer", "ConditionalOffer")

pytestmark = pytest.mark.django_db


@pytest.fixture
def pin(db):
    return merch("Sailor Moon Pin", price="10.00")


def basket_total(client) -> Decimal:
    response = client.get(reverse("basket:summary"))
    assert response.status_code == 200
    return response.context["basket"].total_incl_tax


def test_a_basket_view_reads_no_offer_once_the_offers_are_kept(client, pin):
    percent_off("Moon week", [pin], 10)
    add_to_basket(client, pin)
    basket_total(client)

    with CaptureQueriesContext(connection) as queries:
        assert basket_total(client) == Decimal("9.00")

    # Only the lines query names an offer table: it asks whether each line is in the offer's range.
    main_tables = [q["sql"].split(" FROM ", 1)[1].split()[0] for q in queries.captured_queries]
    assert not [table for table in main_tables if table.startswith('"offer_')], main_tables


@commits
def test_a_new_offer_applies_on_the_next_view(client, pin):
    add_to_basket(client, pin)
    assert basket_total(client) == Decimal("10.00")

    percent_off("Moon week", [pin], 10)

    assert basket_total(client) == Decimal("9.00")


@commits
def test_a_suspended_offer_stops_on_the_next_view(client, pin):
    offer = percent_off("Moon week", [pin], 10)
    add_to_basket(client, pin)
    assert basket_total(client) == Decimal("9.00")

    offer.suspend()

    assert basket_total(client) == Decimal("10.00")


@commits
def test_a_changed_benefit_applies_on_the_next_view(client, pin):
    offer = percent_off("Moon week", [pin], 10)
    add_to_basket(client, pin)
    assert basket_total(client) == Decimal("9.00")

    offer.benefit.value = 50
    offer.benefit.save()

    assert basket_total(client) == Decimal("5.00")


def test_a_product_added_to_the_range_is_discounted_on_the_next_view(client, pin):
    other = merch("Naruto Pin", price="20.00")
    offer = percent_off("Moon week", [pin], 10)
    add_to_basket(client, other)
    assert basket_total(client) == Decimal("20.00")

    offer.benefit.range.add_product(other)

    assert basket_total(client) == Decimal("18.00")


def test_an_offer_applies_once_its_start_has_come(client, pin):
    offer = percent_off("Moon week", [pin], 10)
    ConditionalOffer.objects.filter(pk=offer.pk).update(
        start_datetime=timezone.now() + timedelta(hours=1)
    )
    offer.benefit.save()  # any change to the offers: the cache now holds the dated offer
    add_to_basket(client, pin)
    assert basket_total(client) == Decimal("10.00")

    later = timezone.now() + timedelta(hours=2)
    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(timezone, "now", lambda: later)
        assert basket_total(client) == Decimal("9.00")
