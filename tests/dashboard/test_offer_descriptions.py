"""The dashboard's offer pages describe each condition and benefit with a link to its range: the
range's name is text there, as everywhere."""

import pytest
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import BenefitFactory, ConditionalOfferFactory, ConditionFactory

Range = get_model("offer", "Range")

NAME = "Pins <img src=x onerror=alert(1)>"


@pytest.fixture
def offer(db):
    named = Range.objects.create(name=NAME, slug="pins", includes_all_products=True)
    return ConditionalOfferFactory(
        name="Pin week",
        condition=ConditionFactory(range=named),
        benefit=BenefitFactory(range=named),
    )


@pytest.mark.parametrize("view", ["dashboard:offer-list", "dashboard:offer-detail"])
def test_a_range_named_like_markup_is_shown_escaped_on_the_offer_pages(staff_client, offer, view):
    url = reverse(view, kwargs={"pk": offer.pk} if view.endswith("detail") else {})

    response = staff_client.get(url)

    assert response.status_code == 200
    html = response.content.decode()
    assert "<img src=x onerror" not in html
    assert "Pins &lt;img src=x onerror=alert(1)&gt;" in html
