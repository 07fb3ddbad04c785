"""Moderation in Oscar's dashboard: a new review waits; staff see it, approve or reject it, and
only then does it show, with its stars, on the product page."""

import pytest
from django.urls import reverse
from oscar.test.factories import UserFactory

from tests.catalogue.reviewing import ProductReview, add_url
from tests.factories import merch

pytestmark = pytest.mark.django_db


@pytest.fixture
def pending(client):
    pin = merch("Moon Rabbit Pin")
    client.force_login(UserFactory())
    client.post(add_url(pin), {"title": "Glows in the dark!", "score": "4", "body": "Love it."})
    client.logout()
    return ProductReview.objects.get()


def test_new_reviews_wait_for_a_member_of_staff(pending, client):
    assert pending.status == ProductReview.FOR_MODERATION
    html = client.get(pending.product.get_absolute_url()).content.decode()
    assert "Glows in the dark!" not in html and "No reviews yet." in html


def test_staff_see_pending_reviews_in_the_dashboard(pending, staff_client):
    response = staff_client.get(reverse("dashboard:reviews-list"))
    assert response.status_code == 200
    assert "Glows in the dark!" in response.content.decode()
    response = staff_client.get(reverse("dashboard:reviews-update", kwargs={"pk": pending.pk}))
    assert response.status_code == 200
    assert "Love it." in response.content.decode()


def test_approved_in_bulk_the_review_shows_with_stars_on_the_product_page(
    pending, staff_client, client
):
    response = staff_client.post(
        reverse("dashboard:reviews-list"),
        {
            "action": "update_selected_review_status",
            "selected_review": [pending.pk],
            "status": ProductReview.APPROVED,
        },
    )
    assert response.status_code == 302
    pending.refresh_from_db()
    assert pending.status == ProductReview.APPROVED
    staff_client.logout()
    html = client.get(pending.product.get_absolute_url()).content.decode()
    assert "Glows in the dark!" in html
    assert "4.0 out of 5 (1 review)" in html


def test_a_rejected_review_stays_off_the_product_page(pending, staff_client, client):
    response = staff_client.post(
        reverse("dashboard:reviews-update", kwargs={"pk": pending.pk}),
        {
            "title": pending.title,
            "body": pending.body,
            "score": 4,
            "status": ProductReview.REJECTED,
        },
    )
    assert response.status_code == 302
    staff_client.logout()
    html = client.get(pending.product.get_absolute_url()).content.decode()
    assert "Glows in the dark!" not in html


@pytest.mark.parametrize("status", ["", "7", "x"])
def test_a_bulk_update_without_a_valid_status_changes_nothing_and_says_why(
    pending, staff_client, status
):
    data = {"action": "update_selected_review_status", "selected_review": [pending.pk]}
    if status != "":
        data["status"] = status
    response = staff_client.post(reverse("dashboard:reviews-list"), data, follow=True)
    assert response.status_code == 200
    assert "Choose the status to give the selected reviews." in response.content.decode()
    pending.refresh_from_db()
    assert pending.status == ProductReview.FOR_MODERATION
