"""Staff write posts in the Django admin: blog editors, publish-time checks, uploads, revisions."""

import io
from datetime import timedelta

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from PIL import Image
from pytest_django.asserts import assertContains, assertNotContains

from blog import services
from blog.models import FAQEntry, Post, PostRevision, Tag
from tests.factories import ContentWarningFactory, merch

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:blog_post_add")
CHANGELIST_URL = reverse("admin:blog_post_changelist")
PIN_UPC = "PIN-CHEEKY-PINK"


@pytest.fixture
def editor(db):
    user = get_user_model().objects.create_user(
        username="editor", email="editor@pinsenpai.example", password="x", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Blog editors"))
    return user


@pytest.fixture
def editor_client(client, editor):
    client.force_login(editor)
    return client


@pytest.fixture
def pin(db):
    return merch("Cheeky Pink-Haired Anime Girl Enamel Pin", upc=PIN_UPC)


def form_data(**overrides):
    """The add/change form as the browser posts it, with one FAQ entry in the inline."""
    data = {
        "title": "What does NTR mean?",
        "slug": "what-does-ntr-mean",
        "author": "",
        "category": "",
        "status": "draft",
        "published_at_0": "",
        "published_at_1": "",
        "summary": "NTR explained without spoilers.",
        "insert_product": "",
        "body": f"# What it is\n\nA genre tag.\n\n[[product:{PIN_UPC}]]\n",
        "hero_alt": "",
        "seo_title": "",
        "seo_description": "",
        "faq_entries-TOTAL_FORMS": "1",
        "faq_entries-INITIAL_FORMS": "0",
        "faq_entries-MIN_NUM_FORMS": "0",
        "faq_entries-MAX_NUM_FORMS": "1000",
        "faq_entries-0-question": "Is NTR the same as ecchi?",
        "faq_entries-0-answer": "No.",
        "faq_entries-0-position": "0",
        "_save": "Save",
    }
    data.update(overrides)
    return data


def image_upload(name="hero.png", *, size=(40, 30), fmt="PNG", mode="RGB"):
    buffer = io.BytesIO()
    Image.new(mode, size).save(buffer, fmt)
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=f"image/{fmt.lower()}")


def draft(title="Pins 101", body="Plain text.", **fields):
    post = Post(title=title, slug=title.lower().replace(" ", "-"), body=body, **fields)
    services.save_post(post)
    return post


def page_text(response) -> str:
    return response.content.decode()


# --- The group ------------------------------------------------------------------------------


def test_blog_editors_group_can_write_posts_and_only_view_revisions_and_warnings():
    codenames = set(
        Group.objects.get(name="Blog editors").permissions.values_list("codename", flat=True)
    )
    assert {"add_post", "change_post", "delete_post", "view_post", "add_faqentry"} <= codenames
    assert {
        "add_tag",
        "change_blogcategory",
        "view_postrevision",
        "view_contentwarning",
    } <= codenames
    assert not codenames & {"change_postrevision", "change_contentwarning", "view_order"}


def test_blog_editor_sees_the_blog_in_the_admin_and_not_orders_users_or_stock(editor_client):
    response = editor_client.get(reverse("admin:index"))
    assert response.status_code == 200
    text = page_text(response)
    assert "Posts" in text
    for hidden in ("Orders", "Users", "Stock records", "Groups"):
        assert hidden not in text


@pytest.mark.parametrize(
    "url_name",
    [
        "admin:order_order_changelist",
        "admin:auth_user_changelist",
        "admin:partner_stockrecord_changelist",
    ],
)
def test_blog_editor_cannot_open_orders_users_or_stock(editor_client, url_name):
    assert editor_client.get(reverse(url_name)).status_code == 403


# --- Writing a post -------------------------------------------------------------------------


def test_editor_adds_a_post_with_faq_and_product_embed(editor_client, editor, pin):
    tag = Tag.objects.create(name="Glossary", slug="glossary")
    warning = ContentWarningFactory(name="NTR", slug="ntr")
    assert editor_client.get(ADD_URL).status_code == 200

    response = editor_client.post(ADD_URL, form_data(tags=[tag.pk], content_warnings=[warning.pk]))

    assert response.status_code == 302, response.context["adminform"].form.errors
    post = Post.objects.get(slug="what-does-ntr-mean")
    assert f'data-product-embed="{PIN_UPC}"' in post.body_html
    assert '<h2 id="what-it-is">' in post.body_html
    assert list(post.products.all()) == [pin]
    assert post.featured.get().is_embedded
    assert [f.question for f in FAQEntry.objects.filter(post=post)] == ["Is NTR the same as ecchi?"]
    assert list(post.tags.all()) == [tag]
    assert list(post.content_warnings.all()) == [warning]
    assert post.author == editor  # defaults to whoever writes it
    assert post.status == Post.Status.DRAFT
    revision = PostRevision.objects.get(post=post)  # exactly one per save
    assert revision.saved_by == editor


def test_change_form_lists_the_featured_products_and_links_the_text_history(editor_client, pin):
    post = draft(body=f"[[product:{PIN_UPC}]]")
    response = editor_client.get(reverse("admin:blog_post_change", args=[post.pk]))
    text = page_text(response)
    assert pin.get_title() in text and PIN_UPC in text
    assert reverse("admin:blog_post_text_history", args=[post.pk]) in text
    assert "blog/admin/editor.js" in text


def test_post_list_shows_status_scheduled_author_and_warnings(editor_client, editor):
    warning = ContentWarningFactory(name="NTR", slug="ntr")
    scheduled = draft(
        title="Next week",
        summary="Soon.",
        author=editor,
        status=Post.Status.PUBLISHED,
        published_at=timezone.now() + timedelta(days=7),
    )
    scheduled.content_warnings.add(warning)
    draft(title="Still writing")

    text = page_text(editor_client.get(CHANGELIST_URL))

    assert "Scheduled" in text and "Draft" in text
    assert "editor" in text and "NTR" in text
    assert "Next week" in page_text(editor_client.get(CHANGELIST_URL, {"q": "next"}))
    assert "Still writing" not in page_text(editor_client.get(CHANGELIST_URL, {"q": "next"}))


def test_change_form_and_list_link_to_the_draft_preview(editor_client):
    post = draft(title="Unfinished")
    url = reverse("blog:preview", kwargs={"pk": post.pk})

    assert url in page_text(editor_client.get(reverse("admin:blog_post_change", args=[post.pk])))
    assert url in page_text(editor_client.get(CHANGELIST_URL))
    assert editor_client.get(url).status_code == 200


# --- Publish-time checks --------------------------------------------------------------------


@pytest.mark.parametrize("status", ["draft", "published"])
def test_spoiler_syntax_typed_in_a_faq_entry_is_refused_with_the_reason(editor_client, status):
    data = form_data(status=status, **{"faq_entries-0-answer": "||Shirogane wins||."})

    response = editor_client.post(ADD_URL, data)

    assert response.status_code == 200
    assert "Spoilers belong in the body" in page_text(response)
    assert not Post.objects.exists()


def test_publishing_with_a_broken_embed_is_refused_with_the_reason(editor_client):
    post = draft(summary="A summary.")
    data = form_data(
        title=post.title,
        slug=post.slug,
        status="published",
        body="Look:\n\n[[product:NOPE]]\n",
        **{"faq_entries-TOTAL_FORMS": "0"},
    )

    response = editor_client.post(reverse("admin:blog_post_change", args=[post.pk]), data)

    assert response.status_code == 200
    assert "These product embeds point to no product: NOPE." in page_text(response)
    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT
    assert post.body == "Plain text."  # nothing was saved
    assert post.revisions.count() == 1


def test_publishing_without_summary_or_hero_alt_text_is_refused(editor_client, pin):
    data = form_data(status="published", summary="", hero_image=image_upload())

    response = editor_client.post(ADD_URL, data)

    assert response.status_code == 200
    text = page_text(response)
    assert "Write a summary" in text
    assert "Describe the hero image in its alt text." in text
    assert not Post.objects.exists()


def test_a_post_that_passes_the_checks_is_published_from_the_form(editor_client, pin):
    data = form_data(status="published", hero_image=image_upload(), hero_alt="A pink pin.")

    assert editor_client.post(ADD_URL, data).status_code == 302

    post = Post.objects.get()
    assert post.is_public and post.published_at is not None
    assert post.hero_image.name.startswith("blog/heroes/")


def test_publish_now_action_publishes_ready_posts_and_skips_broken_ones_with_why(
    editor_client, pin
):
    ready = draft(title="Ready", summary="Fine.", body=f"[[product:{PIN_UPC}]]")
    broken = draft(title="Broken", summary="Fine.", body="[[product:NOPE]]")

    response = editor_client.post(
        CHANGELIST_URL,
        {"action": "publish_now", "_selected_action": [ready.pk, broken.pk]},
        follow=True,
    )

    ready.refresh_from_db()
    broken.refresh_from_db()
    assert ready.is_public
    assert broken.status == Post.Status.DRAFT
    text = page_text(response)
    assert "Published 1 post." in text
    assert "Broken" in text and "NOPE" in text


def test_unpublish_action_turns_posts_back_into_drafts(editor_client):
    post = draft(title="Live", summary="Fine.")
    services.publish(post)

    editor_client.post(CHANGELIST_URL, {"action": "unpublish", "_selected_action": [post.pk]})

    post.refresh_from_db()
    assert post.status == Post.Status.DRAFT
    assert not Post.objects.published().exists()


# --- Hero image uploads ---------------------------------------------------------------------


def test_a_file_that_is_not_an_image_is_rejected(editor_client):
    fake = SimpleUploadedFile("hero.png", b"<script>alert(1)</script>", content_type="image/png")

    response = editor_client.post(ADD_URL, form_data(hero_image=fake, hero_alt="x"))

    assert response.status_code == 200
    assert "hero_image" in response.context["adminform"].form.errors
    assert "valid image" in page_text(response)
    assert not Post.objects.exists()


def test_an_image_with_too_many_pixels_is_rejected(editor_client):
    huge = image_upload(size=(8000, 6000), mode="1")  # 48 megapixels, a few KB as PNG

    response = editor_client.post(ADD_URL, form_data(hero_image=huge, hero_alt="x"))

    assert response.status_code == 200
    assert "8000x6000 pixels" in page_text(response)
    assert not Post.objects.exists()


def test_an_image_file_over_8_mb_is_rejected(editor_client):
    heavy = image_upload("hero.bmp", size=(1800, 1800), fmt="BMP")  # uncompressed: ~9.7 MB

    response = editor_client.post(ADD_URL, form_data(hero_image=heavy, hero_alt="x"))

    assert response.status_code == 200
    assert "the limit is 8.0" in page_text(response)
    assert not Post.objects.exists()


# --- Revisions ------------------------------------------------------------------------------


def test_restoring_a_revision_puts_the_old_body_back(editor_client):
    post = draft(body="First words.")
    first = post.revisions.get()
    post.body = "Second words."
    services.save_post(post)

    history = editor_client.get(reverse("admin:blog_post_text_history", args=[post.pk]))
    assert "First words." in page_text(history) and "Second words." in page_text(history)

    restore_url = reverse("admin:blog_post_restore_revision", args=[post.pk, first.pk])
    assert editor_client.get(restore_url).status_code == 405  # restoring is a POST
    response = editor_client.post(restore_url, follow=True)

    assert response.redirect_chain[-1][0] == reverse("admin:blog_post_change", args=[post.pk])
    assert "Restored the text saved at" in page_text(response)
    post.refresh_from_db()
    assert post.body == "First words."
    assert "First words." in post.body_html
    assert post.revisions.count() == 3


def test_a_published_post_does_not_restore_a_text_that_would_fail_the_checks(editor_client):
    post = draft(body="No summary yet.")
    old = post.revisions.get()
    post.summary = "Now there is one."
    services.publish(post)

    editor_client.post(reverse("admin:blog_post_restore_revision", args=[post.pk, old.pk]))

    post.refresh_from_db()
    assert post.summary == "Now there is one."


# --- Editor helpers: product search and live preview ----------------------------------------


def test_product_search_returns_public_matches_for_staff(editor_client, pin):
    merch("Hidden Enamel Pin", upc="PIN-HIDDEN", is_public=False)
    url = reverse("admin:blog_post_product_search")

    response = editor_client.get(url, {"q": "enamel"})

    assert response.status_code == 200
    assert response.json() == [{"upc": PIN_UPC, "title": pin.title}]
    assert editor_client.get(url, {"q": "cheeky-p"}).json() == [
        {"upc": PIN_UPC, "title": pin.title}
    ]


def test_product_search_is_closed_to_anonymous_and_customers(client, pin):
    url = reverse("admin:blog_post_product_search")
    assert client.get(url, {"q": "pin"}).status_code == 302
    client.force_login(get_user_model().objects.create_user("shopper", "s@example.com", "x"))
    assert client.get(url, {"q": "pin"}).status_code == 302


def test_markdown_preview_returns_the_sanitised_body(editor_client):
    url = reverse("admin:blog_post_markdown_preview")
    body = "# Hi\n\n<script>alert(1)</script>\n\n[[product:PIN-CHEEKY-PINK]]"

    html = editor_client.post(url, {"body": body}).json()["html"]

    assert "<h2" in html and "<script" not in html
    assert 'data-product-embed="PIN-CHEEKY-PINK"' in html


def test_post_form_names_every_control_for_screen_readers(editor_client):
    """Django's split date/time boxes carry bare "Date:"/"Time:" text, and its two-list picker
    puts aria-label on spans; the post form labels the boxes and ticks warnings in plain boxes."""
    warning = ContentWarningFactory()
    response = editor_client.get(ADD_URL)

    assertContains(response, 'aria-label="Publication date"')
    assertContains(response, 'aria-label="Publication time"')
    assertContains(response, f'type="checkbox" name="content_warnings" value="{warning.pk}"')
    assertNotContains(response, "SelectFilter2.js")
    # The admin-wide fixes: underlined breadcrumbs, named select2 search boxes.
    assertContains(response, "shop/admin/admin.css")
    assertContains(response, "shop/admin/admin.js")
