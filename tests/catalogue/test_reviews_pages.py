"""Writing a review, and the review pages: each in the shop's look with the product it is about."""

import pytest
from django.contrib.auth import get_user_model
from oscar.test.factories import UserFactory

from tests.catalogue.reviewing import ProductReview, add_url, detail_url, list_url, write_review
from tests.factories import merch

pytestmark = pytest.mark.django_db

VALID = {"title": "Shiny and sturdy", "score": "5", "body": "The clasp holds well."}


@pytest.fixture
def pin():
    return merch("Sakura Fox Enamel Pin", price="12.00")


@pytest.fixture
def shopper(client):
    user = UserFactory()
    client.force_login(user)
    return user


def test_write_review_page_shows_the_product_and_an_accessible_star_form(client, shopper, pin):
    response = client.get(add_url(pin))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Sakura Fox Enamel Pin" in html
    assert "$12.00" in html
    assert f'href="{pin.get_absolute_url()}"' in html
    assert "Not available" not in html and "Notify me" not in html
    assert '<legend class="star-rating__legend">Your rating</legend>' in html
    for n in range(1, 6):
        assert f'type="radio" name="score" value="{n}"' in html
    assert '<span class="sr-only">1 star</span>' in html
    assert '<span class="sr-only">5 stars</span>' in html
    assert 'name="title"' in html and 'name="body"' in html
    assert 'name="email"' not in html and 'name="name"' not in html  # signed in: not asked


def test_posted_review_waits_for_moderation_with_a_clear_thank_you(client, shopper, pin):
    response = client.post(add_url(pin), VALID, follow=True)
    review = ProductReview.objects.get()
    assert (review.user, review.score, review.status) == (shopper, 5, ProductReview.FOR_MODERATION)
    assert response.redirect_chain[-1][0] == pin.get_absolute_url()
    html = response.content.decode()
    assert "once we have checked it" in html
    assert "Shiny and sturdy" not in html  # not shown before approval


def test_missing_rating_and_title_are_named_and_the_words_are_kept(client, shopper, pin):
    response = client.post(add_url(pin), {"title": "", "body": "Keep these words."})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Your review was not sent" in html
    assert "Choose a rating from 1 to 5 stars." in html
    assert "Give your review a title." in html
    assert "Keep these words." in html
    assert ProductReview.objects.count() == 0


def test_a_rating_outside_one_to_five_is_refused(client, shopper, pin):
    response = client.post(add_url(pin), {**VALID, "score": "0"})
    assert response.status_code == 200
    assert "Select a valid choice" in response.content.decode()
    assert ProductReview.objects.count() == 0


def test_a_second_review_of_the_same_product_gets_a_clear_message(client, shopper, pin):
    write_review(pin, user=shopper)
    response = client.get(add_url(pin), follow=True)
    assert response.redirect_chain[-1][0] == pin.get_absolute_url()
    assert "You have already reviewed this product." in response.content.decode()
    response = client.post(add_url(pin), VALID, follow=True)
    assert "You have already reviewed this product." in response.content.decode()
    assert ProductReview.objects.count() == 1


def test_a_review_saved_meanwhile_in_another_tab_is_a_message_not_an_error(
    client, shopper, pin, monkeypatch
):
    # The check on arrival passed; the other tab's review lands before this one is saved.
    monkeypatch.setattr(type(pin), "has_review_by", lambda self, user: False)
    write_review(pin, user=shopper)
    response = client.post(add_url(pin), VALID)
    assert response.status_code == 200
    html = response.content.decode()
    assert "You have already reviewed this product." in html
    assert "The clasp holds well." in html  # nothing typed is lost
    assert ProductReview.objects.count() == 1


def test_signed_out_shoppers_are_sent_to_sign_in_when_anonymous_reviews_are_off(client, pin):
    response = client.get(add_url(pin))
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/?next=")
    response = client.post(add_url(pin), {**VALID, "name": "A", "email": "a@example.com"})
    assert response.status_code == 302
    assert ProductReview.objects.count() == 0
    product_page = client.get(pin.get_absolute_url()).content.decode()
    assert "Sign in to write a review" in product_page


def test_with_anonymous_reviews_on_a_signed_out_shopper_gives_name_and_email(client, pin, settings):
    settings.OSCAR_ALLOW_ANON_REVIEWS = True
    html = client.get(add_url(pin)).content.decode()
    assert 'name="name"' in html and 'name="email"' in html
    assert "Write a review" in client.get(pin.get_absolute_url()).content.decode()
    response = client.post(add_url(pin), {**VALID, "email": "not-an-address"})
    assert response.status_code == 200
    html = response.content.decode()
    assert "Name: This field is required." in html
    assert "Email: Enter a valid email address." in html
    assert "must include a name and an email" not in html  # said once, by the fields
    response = client.post(add_url(pin), {**VALID, "name": "Aiko", "email": "aiko@example.com"})
    assert response.status_code == 302
    review = ProductReview.objects.get()
    assert (review.user, review.name, review.status) == (None, "Aiko", ProductReview.FOR_MODERATION)


def test_review_text_is_plain_text_and_a_script_stays_escaped(client, shopper, pin):
    payload = '<script>alert("x")</script><b>bold</b>'
    client.post(add_url(pin), {**VALID, "title": payload, "body": f"Line one\n{payload}"})
    review = ProductReview.objects.get()
    review.status = ProductReview.APPROVED
    review.save()
    for url in (pin.get_absolute_url(), list_url(pin), detail_url(review)):
        html = client.get(url).content.decode()
        assert '<script>alert("x")' not in html and "<b>bold</b>" not in html, url
        assert "&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&lt;b&gt;bold&lt;/b&gt;" in html, (
            url
        )
    assert "Line one<br>&lt;script&gt;" in client.get(detail_url(review)).content.decode()


def test_review_list_shows_approved_reviews_with_the_product_and_sorts(client, pin):
    write_review(pin, score=3, title="Good enough")
    write_review(pin, score=5, title="Perfect pin")
    write_review(pin, score=1, title="Still waiting", approved=False)
    response = client.get(list_url(pin))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Reviews of Sakura Fox Enamel Pin" in html and "$12.00" in html
    assert html.index("Perfect pin") < html.index("Good enough")
    assert "Still waiting" not in html
    html = client.get(list_url(pin), {"sort_by": "recency"}).content.decode()
    assert html.index("Perfect pin") < html.index("Good enough")  # the newer one first too
    assert 'option value="recency" selected' in html


def test_a_review_page_shows_only_approved_reviews_of_that_product(client, pin):
    shown = write_review(pin, title="Adorable")
    pending = write_review(pin, title="Pending", approved=False)
    elsewhere = write_review(merch("Another pin"), title="Elsewhere")
    response = client.get(detail_url(shown))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Adorable" in html and "Sakura Fox Enamel Pin" in html
    assert client.get(detail_url(pending)).status_code == 404
    wrong_product = detail_url(elsewhere).replace(f"_{elsewhere.product_id}/", f"_{pin.pk}/")
    assert client.get(wrong_product).status_code == 404


def test_review_pages_of_a_hidden_product_are_404(client, pin):
    review = write_review(pin)
    pin.is_public = False
    pin.save()
    client.force_login(get_user_model().objects.create_user("fan", "fan@example.com", "x"))
    for url in (add_url(pin), list_url(pin), detail_url(review)):
        assert client.get(url).status_code == 404, url
