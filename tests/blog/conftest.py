"""What the blog's tests share: writing posts the way staff do (blog.services), and reading pages."""

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.text import slugify

from blog.models import BlogCategory, FAQEntry, Post, Tag
from blog.services import publish, save_post


def write_post(
    title="Hard vs soft enamel pins",
    *,
    slug=None,
    body="A few words.",
    summary="What sets them apart.",
    status="published",
    published_at=None,
    warnings=(),
    tags=(),
    category=None,
    faq=(),
    author=None,
    **fields,
):
    """A post saved and (unless a draft) published through blog.services, as the admin does."""
    post = Post(
        title=title,
        slug=slug or slugify(title),
        body=body,
        summary=summary,
        category=category,
        author=author,
        **fields,
    )
    save_post(post)
    post.tags.set(
        [Tag.objects.get_or_create(slug=t, defaults={"name": t.title()})[0] for t in tags]
    )
    post.content_warnings.set(warnings)
    for n, (question, answer) in enumerate(faq):
        FAQEntry.objects.create(post=post, question=question, answer=answer, position=n)
    if status == Post.Status.PUBLISHED:
        publish(post, at=published_at or timezone.now() - dt.timedelta(hours=1))
    return post


def category(name="Explainers"):
    return BlogCategory.objects.get_or_create(slug=name.lower(), defaults={"name": name})[0]


def html(client, url, status=200) -> str:
    response = client.get(url)
    assert response.status_code == status, (url, response.status_code)
    return response.content.decode()


@pytest.fixture
def staff(django_user_model):
    return django_user_model.objects.create_user("editor", "editor@example.com", "x", is_staff=True)
