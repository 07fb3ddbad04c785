"""Which article sent a reader to a product: the article's links go through a first-party URL
that counts the click and remembers the article (the session; 7 days for a customer); the basket
line, then the order line, keeps the last article (blog.attribution)."""

from datetime import timedelta

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model

from blog import attribution
from blog.models import ArticleDay, ArticleLink, ArticleProductDay, Post
from catalogue import view_counts
from shop.worker import jobs
from tests.blog.conftest import write_post
from tests.factories import merch
from tests.shopping import card, place_order, to_payment_step

Basket = get_model("basket", "Basket")
BasketLine = get_model("basket", "Line")
OrderLine = get_model("order", "Line")

pytestmark = pytest.mark.django_db


@pytest.fixture
def pin(db):
    return merch("Sakura Pin", price="12.50", upc="PIN-SAKURA", stock=20)


@pytest.fixture
def care(pin):
    return write_post("Pin care", body="[[product:PIN-SAKURA]]")


@pytest.fixture
def ntr(pin):
    return write_post("What does NTR mean?", body=f"See [the pin]({pin.get_absolute_url()}).")


def link(post, product) -> str:
    return reverse("blog:to-product", kwargs={"slug": post.slug, "pk": product.pk})


def add(client, product, **extra):
    response = client.post(
        reverse("basket:add", kwargs={"pk": product.pk}), {"quantity": 1, **extra}
    )
    assert response.status_code == 302
    return response


def line_article(product):
    return BasketLine.objects.get(product=product).post_id


def clicks(post, product) -> int:
    view_counts.flush(force=True)
    row = ArticleProductDay.objects.filter(post=post, product=product).first()
    return row.clicks if row else 0


def test_following_an_article_link_counts_a_click_and_goes_to_the_product(client, care, pin):
    response = client.get(link(care, pin))

    assert response.status_code == 302
    assert response["Location"] == pin.get_absolute_url()
    assert "no-cache" in response["Cache-Control"]
    assert clicks(care, pin) == 1


def test_an_article_link_refuses_what_the_live_article_does_not_show(client, care, pin):
    other = merch("Not in the article")
    draft = write_post("Draft", body="[[product:PIN-SAKURA]]", status=Post.Status.DRAFT)
    hidden = merch("Withdrawn", upc="PIN-GONE")
    shown_then_hidden = write_post("Withdrawn pin", body="[[product:PIN-GONE]]")
    type(hidden).objects.filter(pk=hidden.pk).update(is_public=False)

    for url in (
        link(care, other),
        link(draft, pin),
        link(shown_then_hidden, hidden),
        "/blog/no-such-article/to/1/",
        f"/blog/{care.slug}/to/99999/",
        f"/blog/{care.slug}/to/https:%2F%2Fevil.example/",
    ):
        assert client.get(url).status_code == 404, url
    assert clicks(care, other) == 0


def test_the_article_page_links_cards_and_text_through_it_with_no_tracking_parameter(
    client, care, ntr, pin
):
    page = client.get(care.get_absolute_url()).content.decode()
    assert f'href="{link(care, pin)}"' in page
    assert f'name="article" value="{care.pk}"' in page
    assert "?from=" not in page and "from=" not in page
    assert f'href="{link(ntr, pin)}"' in client.get(ntr.get_absolute_url()).content.decode()


def test_an_add_from_the_product_page_names_the_article_that_sent_the_reader(client, care, pin):
    client.get(link(care, pin))
    add(client, pin)

    assert line_article(pin) == care.pk


def test_the_last_article_wins(client, care, ntr, pin):
    client.get(link(care, pin))
    client.get(link(ntr, pin))
    add(client, pin)
    assert line_article(pin) == ntr.pk

    add(client, pin, article=care.pk)  # then its card on the first article
    assert line_article(pin) == care.pk


def test_an_add_without_an_article_leaves_the_line_unattributed(client, pin):
    add(client, pin)
    assert line_article(pin) is None


def test_an_add_from_a_card_counts_without_a_click_and_a_forged_article_is_ignored(
    client, care, pin
):
    elsewhere = write_post("Unrelated", body="No products here.")
    add(client, pin, article=elsewhere.pk)
    assert line_article(pin) is None
    add(client, pin, article="not-a-number")
    assert line_article(pin) is None

    add(client, pin, article=care.pk)

    assert line_article(pin) == care.pk
    view_counts.flush(force=True)
    row = ArticleProductDay.objects.get(post=care, product=pin)
    assert (row.clicks, row.adds) == (0, 1)


def test_a_customer_is_remembered_for_seven_days_on_another_device(
    client, care, pin, django_user_model
):
    customer = django_user_model.objects.create_user("rin", "rin@example.com", "pw")
    client.force_login(customer)
    client.get(link(care, pin))
    assert ArticleLink.objects.get(user=customer).post == care

    client.logout()
    client.force_login(customer)  # a new session: nothing in it
    add(client, pin)
    assert line_article(pin) == care.pk

    BasketLine.objects.all().delete()
    ArticleLink.objects.update(at=timezone.now() - timedelta(days=8))
    client.logout()
    client.force_login(customer)  # eight days later, another new session
    add(client, pin)
    assert line_article(pin) is None


def test_the_daily_job_forgets_links_older_than_seven_days(care, pin, django_user_model):
    old, recent = (django_user_model.objects.create_user(name) for name in ("old", "recent"))
    ArticleLink.objects.create(user=old, product=pin, post=care, at=timezone.now() - timedelta(8))
    ArticleLink.objects.create(user=recent, product=pin, post=care, at=timezone.now())

    assert jobs.forget_article_links.call() == 1
    assert list(ArticleLink.objects.values_list("user__username", flat=True)) == ["recent"]


def test_signing_in_keeps_the_article_on_the_merged_basket_line(
    client, care, ntr, pin, django_user_model
):
    customer = django_user_model.objects.create_user("kaede", "kaede@example.com", "pw")
    client.force_login(customer)
    add(client, pin, article=ntr.pk)  # the customer's own basket, from another article
    client.logout()

    add(client, pin, article=care.pk)  # as a guest, later
    client.force_login(customer)  # the guest basket's cookie goes with the request: Oscar merges
    client.get(reverse("basket:summary"))

    [line] = BasketLine.objects.filter(basket__owner=customer, basket__status=Basket.OPEN)
    assert line.post_id == care.pk


def test_an_article_view_counts_whether_rendered_or_served_from_the_page_cache(client, care):
    pages = [client.get(care.get_absolute_url()) for _ in range(3)]
    view_counts.flush(force=True)

    assert ArticleDay.objects.get(post=care, day=timezone.localdate()).views == 3
    assert all(page.status_code == 200 for page in pages)


@pytest.mark.page_cache
def test_cached_article_pages_stay_shared_and_still_count_views(client, care, pin):
    first = client.get(care.get_absolute_url())
    client.get(link(care, pin))  # a click writes the session: the page is still the shared one
    again = client.get(care.get_absolute_url())

    assert "X-Page-Cache" not in first
    assert again["X-Page-Cache"] == "hit"
    assert f'href="{link(care, pin)}"'.encode() in again.content
    view_counts.flush(force=True)
    assert ArticleDay.objects.get(post=care).views == 2


def test_from_article_to_order_line_to_report(
    client, care, pin, stripe_sim, sim_client, admin_client
):
    client.get(care.get_absolute_url())
    client.get(link(care, pin))
    client.get(pin.get_absolute_url())
    to_payment_step(client, pin, quantity=2)

    response = place_order(client, card(sim_client))

    assert response.status_code == 302
    [line] = OrderLine.objects.all()
    assert (line.post_id, line.quantity) == (care.pk, 2)
    view_counts.flush(force=True)
    page = admin_client.get(reverse("dashboard:articles")).content.decode()
    row = page.split("<tbody>")[1].split("</tr>")[0]
    for cell in ("Pin care", "<td>1</td>", "<td>2</td>", "$25.00", "100.00%"):
        assert cell in row, cell


def test_figures_of_a_deleted_article_are_dropped_not_retried(care, pin):
    attribution.count_view(care.pk)
    attribution.figures.count(f"click:{care.pk}:{pin.pk}")
    care.delete()

    view_counts.flush(force=True)

    assert not ArticleDay.objects.exists() and not ArticleProductDay.objects.exists()
    assert attribution.figures.counter.pending() == {}


def test_reading_and_following_an_article_set_no_cookie_but_the_session(client, care, pin):
    """The article's part in a sale lives in the session: its page, its link and its card's add
    leave no cookie of their own (the basket's cookies are the same as for any add)."""
    session_only = {settings.SESSION_COOKIE_NAME, settings.CSRF_COOKIE_NAME}
    client.get(care.get_absolute_url())
    client.get(link(care, pin))
    assert set(client.cookies) <= session_only

    add(client, pin, article=care.pk)
    plain = Client()
    add(plain, pin)

    assert set(client.cookies) - session_only == set(plain.cookies) - session_only


def test_crawlers_are_asked_not_to_follow_article_links(client):
    assert "Disallow: /blog/*/to/" in client.get("/robots.txt").content.decode()
