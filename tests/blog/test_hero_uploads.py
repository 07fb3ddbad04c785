"""A post's hero image passes the shop's one image policy (catalogue.image_policy) in the admin,
and what the article publishes to machines (JSON-LD, Open Graph) carries no EXIF."""

import json
import re
from pathlib import Path
from urllib.parse import urlsplit

import pytest
from django.conf import settings
from django.utils import timezone

from blog.models import Post
from blog.services import publish, save_post
from tests import pictures
from tests.blog.test_admin import ADD_URL, editor, editor_client, form_data, pin  # noqa: F401
from tests.tasks import run_queued_tasks

pytestmark = pytest.mark.django_db


def published_with_hero(hero) -> dict:
    """The admin's add form for a post published an hour ago, with this hero image."""
    published = timezone.localtime() - timezone.timedelta(hours=1)
    return form_data(
        hero_image=hero,
        hero_alt="A pin on a desk",
        status="published",
        published_at_0=published.strftime("%Y-%m-%d"),
        published_at_1=published.strftime("%H:%M:%S"),
    )


def media_files() -> set[Path]:
    return {path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()}


def test_a_gif_html_polyglot_hero_is_refused_and_nothing_is_kept(editor_client, pin):  # noqa: F811
    before = media_files()

    response = editor_client.post(
        ADD_URL, form_data(hero_image=pictures.gif_html_polyglot(), hero_alt="x")
    )

    assert response.status_code == 200
    assert "JPEG, PNG or WebP" in response.content.decode()
    assert not Post.objects.exists()
    assert media_files() == before


def test_a_truncated_hero_is_a_form_error_not_a_500(editor_client, pin):  # noqa: F811
    response = editor_client.post(
        ADD_URL, form_data(hero_image=pictures.truncated_jpeg(), hero_alt="x")
    )

    assert response.status_code == 200
    assert "damaged or incomplete" in response.content.decode()
    assert not Post.objects.exists()


def test_the_published_hero_carries_no_exif(
    editor_client,  # noqa: F811
    pin,  # noqa: F811
    client,
    django_capture_on_commit_callbacks,
):
    with django_capture_on_commit_callbacks(execute=True):
        response = editor_client.post(
            ADD_URL, published_with_hero(pictures.jpeg_with_gps_and_comment(size=(1600, 900)))
        )
    assert response.status_code == 302
    post = Post.objects.get()
    assert not pictures.read(post.hero_image).getexif()  # the stored original
    run_queued_tasks()  # the worker makes the hero's thumbnails

    page = client.get(post.get_absolute_url()).content.decode()
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    published_images = json.loads(script.group(1))["@graph"][0]["image"]
    og_image = re.search(r'<meta property="og:image" content="([^"]+)"', page).group(1)
    for url in [*published_images, og_image]:
        path = Path(settings.MEDIA_ROOT) / urlsplit(url).path.removeprefix(settings.MEDIA_URL)
        content = path.read_bytes()
        assert b"Exif" not in content and b"PhoneMaker" not in content, url
        assert not pictures.read(str(path)).getexif()


def test_json_ld_never_links_an_original_stored_before_the_policy(
    client, django_capture_on_commit_callbacks
):
    """A hero saved before uploads were re-encoded still has its EXIF: the page publishes the
    stripped Open Graph thumbnail instead."""
    legacy = pictures.jpeg_with_gps_and_comment(size=(1600, 900))
    with django_capture_on_commit_callbacks(execute=True):
        post = Post(title="Pin care", slug="pin-care", summary="Shiny.", hero_alt="A pin")
        post.hero_image.save("legacy.jpg", legacy, save=False)  # straight to storage, as before
        save_post(post)
        publish(post, at=timezone.now() - timezone.timedelta(hours=1))
    run_queued_tasks()

    page = client.get(post.get_absolute_url()).content.decode()
    script = re.search(r'<script type="application/ld\+json">(.*?)</script>', page, re.S)
    (url,) = json.loads(script.group(1))["@graph"][0]["image"]
    assert post.hero_image.url not in url
    path = Path(settings.MEDIA_ROOT) / urlsplit(url).path.removeprefix(settings.MEDIA_URL)
    assert b"Exif" not in path.read_bytes() and b"PhoneMaker" not in path.read_bytes()
