"""A term behind a mature or adult warning withholds its definition until the reader chooses to
see mature content: the one consent rule posts and products follow (catalogue.consent)."""

import json
import re

import pytest
from django.urls import reverse

from tests.blog.conftest import html, write_term
from tests.factories import ContentWarningFactory

pytestmark = pytest.mark.django_db

DEFINITION = "A story theme of romantic betrayal told from the side of the one left behind."


@pytest.fixture
def ntr():
    warning = ContentWarningFactory(slug="ntr", name="NTR (netorare)", level=2)
    return write_term("NTR", aliases="netorare", definition=DEFINITION, warnings=[warning])


def test_entry_withholds_the_definition_until_the_reader_chooses_to_see_mature_content(client, ntr):
    page = html(client, ntr.get_absolute_url())
    assert "romantic betrayal" not in page  # not in the body, meta or JSON-LD
    assert "Show the definition" in page and "NTR (netorare)" in page
    graph = json.loads(re.search(r'ld\+json">(.*?)</script>', page, re.S)[1])
    assert "description" not in graph

    client.post(reverse("catalogue:content-consent"), {"shows_mature": "1"})
    page = html(client, ntr.get_absolute_url())
    assert DEFINITION in page and "Show the definition" not in page


def test_index_withholds_the_short_definition_of_a_mature_term_with_the_same_choice(client, ntr):
    notice = ContentWarningFactory(slug="spoilers", level=1)
    write_term(
        "Isekai", definition="Stories of being carried off to another world.", warnings=[notice]
    )
    page = html(client, reverse("glossary:index"))
    assert "romantic betrayal" not in page
    assert "carried off to another world" in page  # a notice withholds nothing
    client.post(reverse("catalogue:content-consent"), {"shows_mature": "1"})
    assert "romantic betrayal" in html(client, reverse("glossary:index"))
