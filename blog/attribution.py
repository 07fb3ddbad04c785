"""Which article sent a reader to a product: first-party, and without splitting a cached page.

An article's product links and cards point to `blog:to-product` (/blog/<slug>/to/<product id>/),
the same URL for every reader, so the article stays one shared page in the page cache. Following
one counts a click and remembers {product: (article, time)} in the reader's session (the last
article wins) and, for a signed-in customer, in an ArticleLink row kept LINK_DAYS days; then it
redirects to the product. A card's add-to-basket form posts the article's id instead (`posted`).
The basket asks `article_for` when a product goes in (shop.basket.views) and keeps the answer on
the line; the order line takes it from there (shop.order.utils).

Views, clicks and adds are counted per article and day as product views are
(catalogue.view_counts: one HINCRBY in Redis or a per-process counter, written in batches, each
once), so an article served from the page cache counts its view too. Nothing here is about the
reader beyond the session and, for a customer, which article led to which product.
"""

from __future__ import annotations

import time
from collections import Counter
from datetime import date, timedelta

from django.db import transaction
from django.db.models import F
from django.utils import timezone
from oscar.core.loading import get_model

from catalogue import view_counts
from catalogue.parsing import parse_id

from .models import ArticleDay, ArticleLink, ArticleProductDay, Post, PostProduct

Product = get_model("catalogue", "Product")

SESSION_KEY = "article_links"
LINK_DAYS = 7
# Products a session remembers an article for (the latest kept): a session stays small.
REMEMBERED = 50

VIEW, CLICK, ADD = "view", "click", "add"


def count_view(post_id: int) -> None:
    """An article page was shown (rendered, or served from the page cache)."""
    figures.count(f"{VIEW}:{post_id}:0")


def record_click(request, *, post_id: int, product) -> None:
    """The reader followed the article to the product."""
    figures.count(f"{CLICK}:{post_id}:{product.pk}")
    remember(request, post_id=post_id, product_id=product.pk)


def record_add(request, *, post_id: int, product) -> None:
    """The product went into the basket on the article's account."""
    figures.count(f"{ADD}:{post_id}:{product.pk}")
    remember(request, post_id=post_id, product_id=product.pk)


def remember(request, *, post_id: int, product_id: int) -> None:
    now = time.time()
    links = dict(request.session.get(SESSION_KEY, {}))
    links.pop(str(product_id), None)
    links[str(product_id)] = [post_id, now]
    request.session[SESSION_KEY] = dict(list(links.items())[-REMEMBERED:])
    if request.user.is_authenticated:
        ArticleLink.objects.update_or_create(
            user=request.user,
            product_id=product_id,
            defaults={"post_id": post_id, "at": timezone.now()},
        )


def posted(product, value) -> int | None:
    """The article id a card's form posted, if it names a live article that shows this product
    (or its parent); else None, and the add goes on as any other."""
    post_id = parse_id(value)
    if post_id is None:
        return None
    shown = PostProduct.objects.filter(
        post__in=Post.objects.published(), post_id=post_id, product_id__in=_ids(product)
    )
    return post_id if shown.exists() else None


def article_for(request, product) -> int | None:
    """The article that last sent this reader to this product (or its parent): from the session,
    or for a signed-in customer from the last LINK_DAYS days; None when none did."""
    ids = _ids(product)
    remembered = request.session.get(SESSION_KEY, {})
    found = [tuple(remembered[str(pk)]) for pk in ids if str(pk) in remembered]
    candidates = [(at, post_id) for post_id, at in found]
    if request.user.is_authenticated:
        since = timezone.now() - timedelta(days=LINK_DAYS)
        for post_id, at in ArticleLink.objects.filter(
            user=request.user, product_id__in=ids, at__gte=since
        ).values_list("post_id", "at"):
            candidates.append((at.timestamp(), post_id))
    latest_first = [post_id for _at, post_id in sorted(candidates, reverse=True)]
    if not latest_first:
        return None
    # One query for all of them: an article deleted since no longer counts.
    existing = set(Post.objects.filter(pk__in=latest_first).values_list("pk", flat=True))
    return next((post_id for post_id in latest_first if post_id in existing), None)


def forget_old_links(*, now=None) -> int:
    """Delete the customers' links older than LINK_DAYS days (a daily job, shop.worker.jobs)."""
    before = (now or timezone.now()) - timedelta(days=LINK_DAYS)
    deleted, _ = ArticleLink.objects.filter(at__lt=before).delete()
    return deleted


def _ids(product) -> list[int]:
    return [product.pk, product.parent_id] if product.parent_id else [product.pk]


def _on_the_day(key: str) -> str:
    return f"{key}:{timezone.localdate().isoformat()}"


def write_figures(counts) -> None:
    """Add counted views, clicks and adds ("kind:post:product:day" → n) to the daily rows, all or
    nothing. Counts for an article or product deleted since are dropped."""
    views, products = Counter(), {}
    for field, n in counts.items():
        kind, post_id, product_id, day = field.split(":")
        post_id, product_id, day = int(post_id), int(product_id), date.fromisoformat(day)
        if kind == VIEW:
            views[post_id, day] += n
        else:
            row = products.setdefault((post_id, product_id, day), Counter())
            row[kind] += n
    post_ids = {post_id for post_id, _ in views} | {post_id for post_id, _, _ in products}
    live_posts = set(Post.objects.filter(pk__in=post_ids).values_list("pk", flat=True))
    live_products = set(
        Product.objects.filter(pk__in={pk for _, pk, _ in products}).values_list("pk", flat=True)
    )
    views = {key: n for key, n in views.items() if key[0] in live_posts}
    products = {
        key: n for key, n in products.items() if key[0] in live_posts and key[1] in live_products
    }
    with transaction.atomic():
        ArticleDay.objects.bulk_create(
            [ArticleDay(post_id=post_id, day=day) for post_id, day in views],
            ignore_conflicts=True,
        )
        ArticleProductDay.objects.bulk_create(
            [ArticleProductDay(post_id=p, product_id=q, day=d) for p, q, d in products],
            ignore_conflicts=True,
        )
        # In key order, so two writers of the same rows cannot deadlock (PostgreSQL).
        for (post_id, day), n in sorted(views.items()):
            ArticleDay.objects.filter(post_id=post_id, day=day).update(views=F("views") + n)
        for (post_id, product_id, day), n in sorted(products.items()):
            ArticleProductDay.objects.filter(
                post_id=post_id, product_id=product_id, day=day
            ).update(clicks=F("clicks") + n[CLICK], adds=F("adds") + n[ADD])


figures = view_counts.Tally(
    "article-figures",
    write=write_figures,
    label="Article figures",
    noun="counters",
    field=_on_the_day,
    parse=str,
)
