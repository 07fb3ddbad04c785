"""Approved reviews on the product page: stars by the title, the latest reviews with "Verified
purchase" for reviewers who bought the item, in the JSON-LD only when there are any, and the page
still runs the same queries with no review or with many."""

import json
import re
from datetime import timedelta

import pytest
from django.conf import settings
from django.core.cache import cache
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone
from oscar.test.factories import UserFactory, create_product

from tests.catalogue.reviewing import ProductReview, add_url, buy, list_url, write_review
from tests.factories import merch

pytestmark = pytest.mark.django_db


def page(client, product) -> str:
    response = client.get(product.get_absolute_url())
    assert response.status_code == 200
    return response.content.decode()


def product_node(html: str) -> dict:
    (script,) = re.findall(r'<script type="application/ld\+json">(.*?)</script>', html, re.S)
    return next(n for n in json.loads(script)["@graph"] if n["@type"] == "Product")


def reviews_section(html: str) -> str:
    return html.split('id="reviews"')[1].split("</section>")[0]


def test_average_and_count_sit_by_the_title_and_the_latest_reviews_are_listed(client):
    pin = merch("Moon Rabbit Pin")
    for n, score in enumerate([5, 4, 4, 3]):
        write_review(pin, score=score, title=f"Review number {n}")
    write_review(pin, score=1, title="Not yet approved", approved=False)
    html = page(client, pin)
    summary = html.split('class="product-summary__title"')[1].split("product-summary__price")[0]
    assert "4.0 out of 5 (4 reviews)" in summary
    assert "stars--4" in summary
    section = reviews_section(html)
    assert "Review number 3" in section and "Review number 1" in section
    assert "Review number 0" not in section  # the latest three only
    assert "Not yet approved" not in html
    assert f'href="{list_url(pin)}"' in section and "Read all 4 reviews" in section
    assert 'class="sr-only">Rated 3 out of 5' in section


def test_verified_purchase_marks_reviewers_who_had_bought_the_item(client):
    pin = merch("Moon Rabbit Pin")
    buyer, browser, later_buyer = UserFactory(), UserFactory(), UserFactory()
    buy(buyer, pin)
    buy(browser, merch("Some other pin"))
    write_review(pin, user=buyer, title="From a buyer")
    write_review(pin, user=browser, title="From a browser")
    late = write_review(pin, user=later_buyer, title="Bought it afterwards")
    order = buy(later_buyer, pin)
    order.date_placed = late.date_created + timedelta(minutes=5)
    order.save()
    section = reviews_section(page(client, pin))
    cards = {
        title: card
        for card in section.split('<article class="review-card">')[1:]
        for title in ("From a buyer", "From a browser", "Bought it afterwards")
        if title in card
    }
    assert "Verified purchase" in cards["From a buyer"]
    assert "Verified purchase" not in cards["From a browser"]
    assert "Verified purchase" not in cards["Bought it afterwards"]


def test_buying_a_variant_verifies_a_review_of_its_parent(client):
    parent = create_product(title="Star Compact Pin", structure="parent", product_class="Pin")
    child = create_product(title="Gold", parent=parent, price="9.00", num_in_stock=5)
    fan = UserFactory()
    buy(fan, child)
    write_review(parent, user=fan, title="Gold is best")
    assert "Verified purchase" in reviews_section(page(client, parent))


def test_write_a_review_link_for_shoppers_who_have_not_reviewed_it(client):
    pin = merch("Moon Rabbit Pin")
    fan = UserFactory()
    client.force_login(fan)
    assert f'href="{add_url(pin)}#addreview"' in reviews_section(page(client, pin))
    write_review(pin, user=fan, approved=False)
    section = reviews_section(page(client, pin))
    assert "Write a review" not in section
    assert "Thank you for your review" in section


def test_json_ld_carries_rating_and_reviews_only_when_approved_reviews_exist(client):
    pin = merch("Moon Rabbit Pin")
    write_review(pin, score=2, approved=False)
    node = product_node(page(client, pin))
    assert "aggregateRating" not in node and "review" not in node
    write_review(pin, score=5, title="Adorable </script><script>alert(1)</script>", body="Yes.")
    write_review(pin, score=4, title="Nice")
    html = page(client, pin)
    assert "<script>alert(1)" not in html
    node = product_node(html)
    assert node["aggregateRating"]["ratingValue"] == 4.5
    assert node["aggregateRating"]["reviewCount"] == 2
    reviews = node["review"]
    assert [r["name"] for r in reviews] == ["Nice", "Adorable </script><script>alert(1)</script>"]
    assert reviews[1]["reviewRating"] == {
        "@type": "Rating",
        "ratingValue": 5,
        "bestRating": 5,
        "worstRating": 1,
    }
    assert reviews[1]["author"] == {"@type": "Person", "name": "Aiko"}
    assert reviews[1]["reviewBody"] == "Yes."
    assert reviews[1]["datePublished"] == timezone.now().date().isoformat()


def queries(client, url) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured.captured_queries)


@pytest.mark.parametrize("signed_in", [False, True], ids=["anonymous", "signed-in"])
def test_product_page_queries_are_the_same_with_no_review_or_many(client, signed_in):
    if signed_in:
        client.force_login(UserFactory())
    quiet, popular = merch("Quiet pin"), merch("Popular pin")
    for n in range(8):
        reviewer = UserFactory()
        if n % 2:
            buy(reviewer, popular)
        write_review(popular, user=reviewer, score=1 + n % 5, title=f"Review {n}")
    assert client.get(merch("Warm-up pin").get_absolute_url()).status_code == 200  # the site row...
    counts = {}
    for product in (quiet, popular):
        cache.clear()
        cold = queries(client, product.get_absolute_url())
        counts[product.title] = (cold, queries(client, product.get_absolute_url()))
    (quiet_cold, quiet_warm), (popular_cold, popular_warm) = counts.values()
    assert quiet_warm == popular_warm, counts
    # Cold, a product with reviews reads them once (with "verified purchase"): one query more.
    assert popular_cold == quiet_cold + 1, counts
    assert ProductReview.objects.approved().count() == 8


def test_an_order_cancelled_before_it_reached_the_reviewer_does_not_verify(client):
    pin = merch("Moon Rabbit Pin")
    fan = UserFactory()
    order = buy(fan, pin)
    order.lines.update(status=settings.SHOP_LINE_STATUSES_NOT_BOUGHT[0])
    write_review(pin, user=fan, title="Never got it")
    assert "Verified purchase" not in reviews_section(page(client, pin))
