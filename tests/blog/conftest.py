"""What the blog's tests share: writing posts and glossary terms the way staff do (blog.services,
blog.glossary), and reading pages."""

import datetime as dt

import pytest
from django.utils import timezone
from django.utils.text import slugify

from blog import glossary
from blog.models import BlogCategory, FAQEntry, Post, Tag, Term
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


def write_term(
    name="Hard enamel",
    *,
    slug=None,
    aliases="",
    definition="Enamel filled level with the metal lines and polished flat.",
    status="published",
    published_at=None,
    warnings=(),
    products=(),
    explainer=None,
    see_also=(),
):
    """A glossary term saved and (unless a draft) published through blog.glossary, as the admin
    does."""
    term = Term(
        name=name,
        slug=slug or slugify(name),
        aliases=aliases,
        definition=definition,
        explainer=explainer,
    )
    glossary.save_term(term)
    term.content_warnings.set(warnings)
    term.related_products.set(products)
    term.see_also.set(see_also)
    if status == Term.Status.PUBLISHED:
        glossary.publish(term, at=published_at or timezone.now() - dt.timedelta(hours=1))
    return term
