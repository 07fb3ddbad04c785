"""The rules the blog's models own: when a post is live or scheduled (and so when the next one
goes live), the order posts are listed in, and which fields a revision keeps."""

import datetime as dt

import pytest
from django.db import models
from django.utils import timezone

from blog.models import Post, PostRevision
from blog.selectors import next_scheduled_at

BOOKKEEPING = {"id", "post", "created_at", "saved_by"}
HOUR = dt.timedelta(hours=1)


def post(slug, status, published_at) -> Post:
    return Post.objects.create(title=slug, slug=slug, status=status, published_at=published_at)


@pytest.mark.django_db
def test_a_post_is_live_once_published_and_its_time_has_come_and_scheduled_before():
    now = timezone.now()
    posts = {
        (status, label): post(f"{status}-{label}", status, when)
        for status in Post.Status.values
        for label, when in (("past", now - HOUR), ("future", now + HOUR), ("no-time", None))
    }
    live = {p.slug for p in Post.objects.published()}
    scheduled = {p.slug for p in Post.objects.scheduled()}

    assert live == {"published-past"}
    assert scheduled == {"published-future", "published-no-time"}
    for p in posts.values():  # the same answer for one post in memory
        assert p.is_public == (p.slug in live), p.slug
        assert p.is_scheduled == (p.slug in scheduled), p.slug
    assert {p.slug for p in Post.objects.published(now=now + 2 * HOUR)} == {
        "published-past",
        "published-future",
    }


@pytest.mark.django_db
def test_next_scheduled_at_is_when_the_first_scheduled_post_goes_live(
    django_assert_num_queries,
):
    now = timezone.now()
    assert next_scheduled_at() is None
    post("live", Post.Status.PUBLISHED, now - HOUR)
    post("draft", Post.Status.DRAFT, now + HOUR)
    post("published-without-a-time", Post.Status.PUBLISHED, None)
    assert next_scheduled_at() is None

    post("tomorrow", Post.Status.PUBLISHED, now + 24 * HOUR)
    post("in-two-hours", Post.Status.PUBLISHED, now + 2 * HOUR)

    with django_assert_num_queries(1):
        assert next_scheduled_at() == now + 2 * HOUR
    assert next_scheduled_at(now=now + 3 * HOUR) == now + 24 * HOUR
    assert next_scheduled_at(now=now + 25 * HOUR) is None


@pytest.mark.django_db
def test_posts_list_newest_first_and_posts_of_the_same_moment_by_id_newest_first():
    now = timezone.now()
    older = post("older", Post.Status.PUBLISHED, now - 2 * HOUR)
    first_at_now = post("first-at-now", Post.Status.PUBLISHED, now - HOUR)
    second_at_now = post("second-at-now", Post.Status.PUBLISHED, now - HOUR)

    expected = [second_at_now, first_at_now, older]
    assert list(Post.objects.newest_first()) == expected
    assert list(Post.objects.all()) == expected  # the default order is the same


def test_a_revision_lists_every_text_field_it_stores_and_each_is_a_post_field_of_the_same_size():
    stored = {f.name for f in PostRevision._meta.concrete_fields} - BOOKKEEPING
    assert set(PostRevision.TEXT_FIELDS) == stored
    for name in PostRevision.TEXT_FIELDS:
        kept, original = PostRevision._meta.get_field(name), Post._meta.get_field(name)
        assert type(kept) is type(original), name
        if isinstance(original, models.CharField):
            assert kept.max_length == original.max_length, name
