"""The article page and the blog index run a fixed number of SQL queries, whatever the number of
product cards or posts they show."""

import datetime as dt
import io

import pytest
from django.core.files.base import ContentFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from oscar.core.loading import get_model
from PIL import Image

from blog.models import Post
from tests.blog.conftest import category, html, write_post
from tests.factories import ContentWarningFactory, merch

ProductImage = get_model("catalogue", "ProductImage")

pytestmark = pytest.mark.django_db

QUERY_BUDGET = 12
# count, page, warnings, the stand-in pictures of posts without a hero (+ the tag), inside the
# request's savepoint
INDEX_BUDGET = 6


def queries(client, url) -> list[str]:
    with CaptureQueriesContext(connection) as captured:
        html(client, url)
    return [q["sql"] for q in captured.captured_queries]


def add_image(product):
    buffer = io.BytesIO()
    Image.new("RGB", (64, 64), (200, 80, 150)).save(buffer, "PNG")
    image = ProductImage(product=product, display_order=0)
    image.original.save(f"p-{product.pk}.png", ContentFile(buffer.getvalue()), save=False)
    image.save()


def article_with_cards(n: int, *, author, tags):
    upcs = []
    for i in range(n):
        product = merch(f"Card Pin {n}-{i}", upc=f"PIN-{n}-{i}", stock=0 if i % 3 == 2 else 5)
        add_image(product)
        upcs.append(product.upc)
    body = f"# Intro\n\n[[product:{upcs[0]}]]\n"
    for start in range(1, n, 6):
        body += f"\n## More\n\n[[products:{', '.join(upcs[start : start + 6])}]]\n"
    return write_post(
        f"Article with {n} cards",
        body=body,
        author=author,
        tags=tags,
        category=category(),
        faq=[("Question?", "Answer.")],
        warnings=[ContentWarningFactory(slug="spoilers", level=1)],
    )


@pytest.mark.parametrize("with_basket", [False, True], ids=["anonymous", "with-basket"])
def test_article_runs_the_same_few_queries_for_1_or_12_cards(client, staff, with_basket):
    write_post(
        "Related older post", tags=["pins"], published_at=timezone.now() - dt.timedelta(days=30)
    )
    one = article_with_cards(1, author=staff, tags=["pins"])
    twelve = article_with_cards(12, author=staff, tags=["pins"])
    if with_basket:
        client.post(reverse("basket:add", kwargs={"pk": one.products.first().pk}), {"quantity": 1})
    counts = {}
    for post, cards in ((one, 1), (twelve, 12)):
        page = html(client, post.get_absolute_url())
        assert page.count('class="product-card article-card') == cards
        found = queries(client, post.get_absolute_url())
        assert len(found) <= QUERY_BUDGET, "\n".join(found)
        counts[cards] = len(found)
    assert counts[1] == counts[12], counts


def test_warned_article_runs_the_same_queries_before_and_after_continuing(client, staff):
    post = article_with_cards(6, author=staff, tags=["pins"])
    post.content_warnings.add(ContentWarningFactory(slug="ntr", level=2))
    before = queries(client, post.get_absolute_url())
    assert "Continue to the article" in html(client, post.get_absolute_url())
    client.post(reverse("catalogue:content-consent"), {"shows_mature": "1"})
    assert "Continue to the article" not in html(client, post.get_absolute_url())
    after = queries(client, post.get_absolute_url())
    assert len(after) <= QUERY_BUDGET, "\n".join(after)
    assert len(before) + 1 >= len(after)  # + reading the session, now that there is one


def test_blog_index_runs_the_same_few_queries_for_2_or_20_posts(client, staff):
    mature = ContentWarningFactory(slug="ntr", level=2)
    counts = {}
    for total in (2, 20):
        while post_count() < total:
            n = post_count()
            write_post(
                f"Post {n}",
                author=staff,
                category=category(),
                tags=["pins"],
                warnings=[mature] if n % 2 else [],
                published_at=timezone.now() - dt.timedelta(hours=n + 1),
            )
        found = queries(client, reverse("blog:index"))
        counts[total] = len(found)
        assert len(found) <= INDEX_BUDGET, "\n".join(found)
        tag_page = queries(client, reverse("blog:tag", kwargs={"slug": "pins"}))
        assert len(tag_page) <= INDEX_BUDGET, "\n".join(tag_page)
    assert counts[2] == counts[20], counts


def post_count():

    return Post.objects.count()
