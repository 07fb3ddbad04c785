"""Saving a post renders it, records the products it features and keeps a revision; publishing
refuses posts that are not ready and says why."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from blog.models import Post
from blog.services import PublishError, RestoreError, publish, restore, save_post, unpublish
from tests.factories import merch
from tests.tasks import run_queued_tasks


@pytest.fixture
def pins(db):
    return merch("Cheeky Pin", upc="PIN-A"), merch("Sleepy Pin", upc="PIN-B")


def draft(body="", **fields) -> Post:
    post = Post(title="What does NTR mean?", slug="what-does-ntr-mean", body=body, **fields)
    save_post(post)
    return post


def featured(post):
    return list(post.featured.values_list("product__upc", "is_embedded"))


def test_save_records_embedded_and_linked_products_and_updates_them(pins):
    cheeky, sleepy = pins
    post = draft(f"[[product:PIN-A]]\n\nSee [the other]({sleepy.get_absolute_url()}).")
    assert featured(post) == [("PIN-A", True), ("PIN-B", False)]
    assert '<div data-product-embed="PIN-A"></div>' in post.body_html

    post.body = "No products any more."
    save_post(post)
    assert featured(post) == []
    assert list(cheeky.blog_posts.all()) == []


def test_every_save_keeps_a_revision_and_restore_puts_the_text_back(pins):
    post = draft("First version")
    post.body = "Second version"
    save_post(post)
    assert post.revisions.count() == 2
    first = post.revisions.order_by("created_at", "pk").first()

    restore(first)

    post.refresh_from_db()
    assert post.body == "First version" and "First version" in post.body_html
    assert post.revisions.count() == 3


@pytest.mark.parametrize(
    "when", [timedelta(hours=-1), timedelta(days=1)], ids=["live", "scheduled"]
)
def test_a_published_post_does_not_take_back_a_text_that_would_fail_the_checks(pins, when):
    post = draft("[[product:NOPE-404]]")
    broken = post.revisions.get()
    post.body, post.summary = "[[product:PIN-A]]", "What NTR is."
    publish(post, at=timezone.now() + when)

    with pytest.raises(RestoreError) as refused:
        restore(broken)

    problems = " ".join(refused.value.problems)
    assert "summary" in problems and "NOPE-404" in problems
    post.refresh_from_db()
    assert post.body == "[[product:PIN-A]]" and post.summary == "What NTR is."
    assert post.revisions.count() == 2


def test_a_draft_takes_back_any_text_it_had(pins):
    post = draft("[[product:NOPE-404]]")
    broken = post.revisions.get()
    post.body = "Fixed."
    save_post(post)

    restore(broken)

    post.refresh_from_db()
    assert post.body == "[[product:NOPE-404]]" and post.status == Post.Status.DRAFT


def test_publish_is_refused_with_reasons_while_the_post_is_not_ready(pins):
    post = draft("[[product:NOPE-404]]\n\n[[product:PIN-A]]")
    post.hero_image = SimpleUploadedFile("hero.png", b"not really", content_type="image/png")
    post.hero_image.name = "blog/heroes/hero.png"

    with pytest.raises(PublishError) as refused:
        publish(post)

    problems = " ".join(refused.value.problems)
    assert "summary" in problems and "alt text" in problems and "NOPE-404" in problems
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT and not post.is_public


def test_publish_now_schedule_and_unpublish(pins):
    post = draft("[[product:PIN-A]]", summary="What NTR is.")
    publish(post)
    assert post.is_public and list(Post.objects.published()) == [post]

    unpublish(post)
    assert not post.is_public and list(Post.objects.published()) == []

    tomorrow = timezone.now() + timedelta(days=1)
    publish(post, at=tomorrow)
    assert post.is_scheduled and list(Post.objects.published()) == []
    assert list(Post.objects.published(now=tomorrow + timedelta(minutes=1))) == [post]


def test_a_post_saved_as_published_without_a_time_is_published_now(pins):
    before = timezone.now()

    post = draft(summary="What NTR is.", status=Post.Status.PUBLISHED)

    assert before <= post.published_at <= timezone.now()
    post.refresh_from_db()
    assert post.is_public


def test_publish_without_a_time_keeps_the_one_set_or_takes_now(pins):
    next_week = timezone.now() + timedelta(days=7)
    scheduled = draft(summary="Soon.", published_at=next_week)
    publish(scheduled)
    assert scheduled.published_at == next_week and scheduled.is_scheduled

    before = timezone.now()
    now = Post(title="Now", slug="now", summary="Now.")
    publish(now)
    assert before <= now.published_at <= timezone.now() and now.is_public


def test_saving_a_post_queues_its_hero_thumbnails_and_the_worker_makes_them_once(
    pins, settings, tmp_path, django_capture_on_commit_callbacks
):
    from io import BytesIO
    from pathlib import Path

    from PIL import Image

    from catalogue.images import SIZES, WEBP, thumbnail_name

    settings.MEDIA_ROOT = str(tmp_path)
    buffer = BytesIO()
    Image.new("RGB", (1600, 900), (240, 120, 170)).save(buffer, "PNG")
    post = Post(title="Hero", slug="hero", hero_alt="A pink square")
    post.hero_image.save("hero.png", SimpleUploadedFile("hero.png", buffer.getvalue()), save=False)
    hero = Path(tmp_path) / thumbnail_name(post.hero_image.name, SIZES["hero"], 640, WEBP)

    with django_capture_on_commit_callbacks(execute=True):
        save_post(post)
    assert not hero.exists()  # queued for the task worker, not made by the saving request
    run_queued_tasks()

    assert hero.exists()
    made = hero.stat().st_mtime_ns
    with django_capture_on_commit_callbacks(execute=True):
        save_post(post)
    run_queued_tasks()
    assert hero.stat().st_mtime_ns == made  # not made twice


def test_a_revision_keeps_and_restores_the_title_summary_body_alt_text_and_seo_fields(pins):
    first_text = {
        "title": "First title",
        "summary": "First summary.",
        "body": "First body.",
        "seo_title": "First SEO title",
        "seo_description": "First SEO description.",
        "hero_alt": "First alt text.",
    }
    post = Post(slug="first", **first_text)
    save_post(post)
    first = post.revisions.get()
    for name in first_text:
        setattr(post, name, f"Second {name}")
    save_post(post)

    restore(first)

    post.refresh_from_db()
    assert {name: getattr(post, name) for name in first_text} == first_text
    assert {name: getattr(post.revisions.first(), name) for name in first_text} == first_text
