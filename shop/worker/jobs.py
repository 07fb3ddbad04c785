"""The periodic jobs every task worker keeps going (shop.worker.periodic), and their intervals.

Not here, because something else triggers them: the facet counts' compaction (queued by the change
that needs it, catalogue.facet_counts) and scheduled blog posts (a post is live once its
`published_at` has come, read at request time; the page cache sees the moment, shop.pagecache).
"""

import logging
from datetime import timedelta

from django.conf import settings
from django.utils import timezone
from django_tasks import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from blog import attribution
from catalogue import sales_counts, search_words, view_counts
from shop.mail import forget_sent_emails
from shop.payments.tasks import reconcile_payments
from shop.worker.periodic import periodic

logger = logging.getLogger("shop.worker")


@periodic(
    name="Keeping frequent search words",
    every=lambda: timedelta(hours=settings.SHOP_KEEP_FREQUENT_WORDS_EVERY),
)
def keep_frequent_words() -> list[str]:
    """Keep counts for the words that have grown frequent since the last run (PostgreSQL)."""
    words = search_words.keep_frequent_words()
    if words:
        logger.info("Search now keeps counts for %d more words", len(words))
    return words


@periodic(
    name="Writing product views",
    every=lambda: timedelta(seconds=settings.SHOP_PRODUCT_VIEWS_FLUSH_SECONDS),
)
def write_product_views() -> int:
    """Add the product views the app servers counted in Redis to their records."""
    return view_counts.write_shared_views()


@periodic(
    name="Writing basket additions and purchases",
    every=lambda: timedelta(seconds=settings.SHOP_PRODUCT_VIEWS_FLUSH_SECONDS),
)
def write_sales_counts() -> int:
    """Add the basket additions and purchases the app servers counted in Redis to their records."""
    return sales_counts.write_shared_sales()


@periodic(
    name="Writing article figures",
    every=lambda: timedelta(seconds=settings.SHOP_PRODUCT_VIEWS_FLUSH_SECONDS),
)
def write_article_figures() -> int:
    """Add the article views, clicks and adds the app servers counted in Redis to their days."""
    return attribution.figures.write_shared()


@periodic(name="Forgetting old article links", every=lambda: timedelta(days=1))
def forget_article_links() -> int:
    """Delete the customers' article links past their 7 days (blog.attribution)."""
    return attribution.forget_old_links()


# Rows deleted per statement: each DELETE holds its locks for a moment, whatever the backlog.
FORGET_BATCH = 1000
FINISHED = (TaskResultStatus.SUCCESSFUL, TaskResultStatus.FAILED)


@periodic(name="Forgetting old finished jobs", every=lambda: timedelta(days=1))
def forget_finished_jobs() -> int:
    """Delete the queue's rows of jobs that succeeded or failed more than TASK_RESULTS_KEPT_DAYS
    ago; waiting and running jobs (the periodic chains among them) are never touched."""
    before = timezone.now() - timedelta(days=settings.TASK_RESULTS_KEPT_DAYS)
    old = DBTaskResult.objects.filter(status__in=FINISHED, finished_at__lt=before).order_by()
    forgotten = 0
    while batch := list(old.values_list("pk", flat=True)[:FORGET_BATCH]):
        deleted, _ = old.filter(pk__in=batch).delete()
        forgotten += deleted
    if forgotten:
        logger.info("Forgot %d finished jobs", forgotten)
    return forgotten


PERIODIC_JOBS = (
    reconcile_payments,
    keep_frequent_words,
    forget_sent_emails,
    forget_finished_jobs,
    forget_article_links,
)
if settings.REDIS_URL:
    # Without Redis each app server writes what it counted itself (catalogue.view_counts).
    PERIODIC_JOBS += (write_product_views, write_sales_counts, write_article_figures)
