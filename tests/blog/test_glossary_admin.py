"""Staff edit glossary terms in the admin with the same preview and publish checks as posts; a
name or alias that another term already has is refused, naming that term."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.auth.models import Group
from django.urls import reverse

from blog.models import Term, TermAlias
from tests.blog.conftest import write_term
from tests.factories import merch

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:blog_term_add")
CHANGELIST_URL = reverse("admin:blog_term_changelist")


@pytest.fixture
def editor_client(client):
    user = get_user_model().objects.create_user(
        username="editor", email="editor@pinsenpai.example", password="x", is_staff=True
    )
    user.groups.add(Group.objects.get(name="Blog editors"))
    client.force_login(user)
    return client


def form_data(**overrides):
    data = {
        "name": "NTR",
        "slug": "ntr",
        "status": "draft",
        "published_at_0": "",
        "published_at_1": "",
        "aliases": "netorare\n寝取られ",
        "definition": "A story theme of romantic betrayal.",
        "explainer": "",
        "_save": "Save",
    }
    data.update(overrides)
    return data


def text(response) -> str:
    return response.content.decode()


def test_blog_editor_adds_a_term_with_its_aliases(editor_client):
    pin = merch("Cheeky Pin", upc="PIN-CHEEKY")
    assert editor_client.get(ADD_URL).status_code == 200
    response = editor_client.post(ADD_URL, form_data(related_products=[pin.pk]))
    assert response.status_code == 302, text(response)
    term = Term.objects.get()
    assert term.definition_html == "<p>A story theme of romantic betrayal.</p>"
    assert term.short_definition == "A story theme of romantic betrayal."
    assert list(term.related_products.all()) == [pin]
    assert set(TermAlias.objects.values_list("name", flat=True)) == {"NTR", "netorare", "寝取られ"}


def test_an_alias_another_term_has_is_refused_naming_that_term(editor_client):
    write_term("Netorare", definition="Having a partner taken.")
    response = editor_client.post(ADD_URL, form_data(aliases="NETORARE"))
    assert response.status_code == 200
    assert "“NETORARE” is already a name or alias of the term “Netorare”." in text(response)
    assert not Term.objects.filter(slug="ntr").exists()


def test_a_name_another_term_has_as_an_alias_is_refused_on_change_too(editor_client):
    write_term("Oshi", aliases="ichioshi")
    term = write_term("Favourite")
    response = editor_client.post(
        reverse("admin:blog_term_change", args=[term.pk]),
        form_data(name="Ichioshi", slug="favourite", aliases="", status="published"),
    )
    assert response.status_code == 200
    assert "“Ichioshi” is already a name or alias of the term “Oshi”." in text(response)
    term.refresh_from_db()
    assert term.name == "Favourite"


def test_publishing_runs_the_post_checks_and_stays_a_draft_when_refused(editor_client):
    response = editor_client.post(
        ADD_URL,
        form_data(
            status="published",
            aliases="||secret||",
            definition="See:\n\n[[product:NOPE]]\n",
        ),
    )
    assert response.status_code == 200
    page = text(response)
    assert "cannot be published yet" in page
    assert "These product embeds point to no product: NOPE." in page
    assert "Spoilers belong in the definition" in page
    assert not Term.objects.exists()

    response = editor_client.post(ADD_URL, form_data(status="published"))
    assert response.status_code == 302
    assert Term.objects.get().is_public


def test_change_form_links_the_preview_and_the_definition_has_a_live_preview(editor_client):
    term = write_term("Gacha", status="draft")
    page = text(editor_client.get(reverse("admin:blog_term_change", args=[term.pk])))
    assert reverse("glossary:preview", kwargs={"pk": term.pk}) in page
    assert f'data-preview-url="{reverse("admin:blog_post_markdown_preview")}"' in page
    assert reverse("glossary:preview", kwargs={"pk": term.pk}) in text(
        editor_client.get(CHANGELIST_URL)
    )


def test_publish_and_unpublish_actions(editor_client):
    ready = write_term("Chibi", status="draft")
    broken = write_term("Kawaii", status="draft", definition="[[product:NOPE]]")
    response = editor_client.post(
        CHANGELIST_URL,
        {"action": "publish_now", "_selected_action": [ready.pk, broken.pk]},
        follow=True,
    )
    ready.refresh_from_db()
    broken.refresh_from_db()
    assert ready.is_public and not broken.is_public
    assert "Published 1 glossary term." in text(response) and "NOPE" in text(response)

    editor_client.post(CHANGELIST_URL, {"action": "unpublish", "_selected_action": [ready.pk]})
    ready.refresh_from_db()
    assert ready.status == Term.Status.DRAFT


def test_an_alias_too_long_to_keep_is_refused(editor_client):
    response = editor_client.post(ADD_URL, form_data(aliases="x" * 101))
    assert response.status_code == 200
    assert "is longer than 100 characters" in text(response)
    assert not Term.objects.exists()
