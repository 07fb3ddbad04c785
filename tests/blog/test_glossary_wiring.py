"""Glossary terms linked where readers meet them: the first mention in an article body, a term's
definition, a product description and a franchise page links to the entry, decided when the text
is saved or a term changes (a task), never per request."""

import pytest
from oscar.core.loading import get_model

from blog import glossary
from blog.models import Post
from catalogue.services import save_content_warning
from tests.blog.conftest import html, write_post, write_term
from tests.factories import ContentWarningFactory, FranchiseFactory, merch
from tests.tasks import queued_tasks, run_queued_tasks

Product = get_model("catalogue", "Product")
Franchise = get_model("catalogue", "Franchise")

pytestmark = pytest.mark.django_db

LINK = 'href="/glossary/ita-bag/"'


@pytest.fixture
def ita_bag():
    return write_term(
        "Ita bag", aliases="itabag", definition="A bag with a window full of one character's pins."
    )


def test_an_article_saved_after_the_term_links_its_first_mention_and_is_listed_on_the_entry(
    client, ita_bag
):
    post = write_post("Build a bag", body="My ita bag is full. Another ita bag soon.")
    assert post.body_html.count(LINK) == 1
    assert "A bag with a window full of one character" in post.body_html  # the tooltip
    page = html(client, post.get_absolute_url())
    assert page.count(LINK) == 1
    assert ">Build a bag</a>" in html(client, ita_bag.get_absolute_url())


def test_a_term_published_later_links_existing_texts_through_a_task(
    client, django_capture_on_commit_callbacks
):
    post = write_post("Build a bag", body="My itabag is full.")
    pin = merch("Ita Bag Starter Pin", description="<p>Made for an ita bag.</p>")
    franchise = FranchiseFactory(description="<p>Fans fill an ita bag with them.</p>")
    assert LINK not in post.body_html
    with django_capture_on_commit_callbacks(execute=True):
        term = write_term("Ita bag", aliases="itabag")
    assert any(path.endswith("relink_task") for path, _args in queued_tasks())
    run_queued_tasks()
    post.refresh_from_db()
    assert LINK in post.body_html
    assert LINK in Product.objects.get(pk=pin.pk).description
    assert LINK in Franchise.objects.get(pk=franchise.pk).description
    assert ">Build a bag</a>" in html(client, term.get_absolute_url())
    assert LINK in html(client, pin.get_absolute_url())

    with django_capture_on_commit_callbacks(execute=True):
        glossary.unpublish(term)
    run_queued_tasks()
    post.refresh_from_db()
    assert LINK not in post.body_html and "My itabag is full." in post.body_html
    assert LINK not in Product.objects.get(pk=pin.pk).description


def test_product_and_franchise_descriptions_link_terms_as_they_are_saved(ita_bag):
    pin = merch("Starter Pin", description="<p>Made for an ita bag. Any ita bag.</p>")
    assert Product.objects.get(pk=pin.pk).description.count(LINK) == 1
    franchise = FranchiseFactory(description="<p>The itabag favourite.</p>")
    assert LINK in Franchise.objects.get(pk=franchise.pk).description


def test_a_mature_term_is_linked_without_its_definition_in_the_page():
    warning = ContentWarningFactory(slug="ntr", level=2)
    write_term("NTR", aliases="netorare", definition="Romantic betrayal theme.", warnings=[warning])
    post = write_post("Tags explained", body="What does NTR mean?")
    assert 'href="/glossary/ntr/"' in post.body_html
    assert "Romantic betrayal" not in post.body_html


def test_a_definition_links_other_terms_never_itself(ita_bag):
    oshi = write_term("Oshi", definition="The one you fill an ita bag for. Your oshi.")
    assert LINK in oshi.definition_html
    assert 'href="/glossary/oshi/"' not in oshi.definition_html


def test_a_draft_post_records_the_terms_it_uses_but_only_live_posts_are_listed(client, ita_bag):
    draft = write_post("Draft bag", body="An ita bag.", status=Post.Status.DRAFT)
    assert list(draft.terms.all()) == [ita_bag]
    assert "Draft bag" not in html(client, ita_bag.get_absolute_url())


DEFINITION = "A bag with a window full of one character"


def shown_on(client, post) -> bool:
    """Does the article's page show the ita bag's definition (it always links the term)?"""
    page = html(client, post.get_absolute_url())
    assert LINK in page
    return DEFINITION in page


def after_commit_and_tasks(capture, change) -> None:
    with capture(execute=True):
        change()
    run_queued_tasks()


def test_a_warning_level_changed_in_the_admin_withholds_or_shows_the_definition_where_linked(
    client, ita_bag, django_capture_on_commit_callbacks
):
    warning = ContentWarningFactory(slug="fan-theme", level=1)
    ita_bag.content_warnings.add(warning)
    post = write_post("Build a bag", body="My ita bag is full.")
    assert shown_on(client, post)

    warning.level = 2  # as the admin and the dashboard save it
    after_commit_and_tasks(
        django_capture_on_commit_callbacks, lambda: save_content_warning(warning, by=None)
    )
    assert not shown_on(client, post)

    warning.level = 1
    after_commit_and_tasks(
        django_capture_on_commit_callbacks, lambda: save_content_warning(warning, by=None)
    )
    assert shown_on(client, post)


def test_warnings_added_to_or_taken_from_a_term_directly_withhold_or_show_the_definition(
    client, ita_bag, django_capture_on_commit_callbacks
):
    mature = ContentWarningFactory(slug="mature-theme", level=2)
    post = write_post("Build a bag", body="My ita bag is full.")
    pin = merch("Starter Pin", description="<p>Made for an ita bag.</p>")
    capture = django_capture_on_commit_callbacks

    after_commit_and_tasks(capture, lambda: ita_bag.content_warnings.add(mature))
    assert not shown_on(client, post)
    assert DEFINITION not in html(client, pin.get_absolute_url())

    after_commit_and_tasks(capture, lambda: mature.glossary_terms.remove(ita_bag))
    assert shown_on(client, post)
    assert DEFINITION in html(client, pin.get_absolute_url())

    after_commit_and_tasks(capture, lambda: mature.glossary_terms.add(ita_bag))
    assert not shown_on(client, post)
    after_commit_and_tasks(capture, ita_bag.content_warnings.clear)
    assert shown_on(client, post)

    after_commit_and_tasks(capture, lambda: ita_bag.content_warnings.set([mature]))
    assert not shown_on(client, post)
    after_commit_and_tasks(capture, mature.delete)
    assert shown_on(client, post)


def test_a_notice_warning_coming_and_going_links_nothing_again(
    ita_bag, django_capture_on_commit_callbacks
):
    notice = ContentWarningFactory(slug="notice-theme", level=1)
    with django_capture_on_commit_callbacks(execute=True):
        ita_bag.content_warnings.add(notice)
        notice.explanation = "Reworded."
        save_content_warning(notice, by=None)
    assert not any(path.endswith("relink_task") for path, _args in queued_tasks())
