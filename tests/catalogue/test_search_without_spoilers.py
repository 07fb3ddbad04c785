"""Search reads a product's description as a reader sees it before revealing anything: a word that
only its spoilers hold finds nothing, and no result shows one. PostgreSQL (the stored vector, its
search rows) and SQLite (the text columns) alike; run this module on both."""

import importlib
from types import SimpleNamespace

import pytest
from django.apps import apps as installed_apps
from django.db import connection
from django.urls import reverse
from oscar.core.loading import get_model

from tests.factories import merch

Product = get_model("catalogue", "Product")
SearchRow = get_model("catalogue", "SearchRow")

pytestmark = pytest.mark.django_db

DESCRIPTION = (
    "<p>Gold-plated hard enamel with a ||treacherous lighthouse keeper||.</p>"
    "<p>:::spoiler Episode 24</p><p>Kurogane survives the shipwreck.</p><p>:::</p>"
)
HIDDEN = ("treacherous", "lighthouse", "Kurogane", "shipwreck", "Episode 24")


def search(client, query):
    response = client.get(reverse("search:search"), {"q": query})
    assert response.status_code == 200
    return [p.title for p in response.context["products"]], response.content.decode()


@pytest.fixture
def finale_pin():
    return merch("Finale Pin", description=DESCRIPTION)


@pytest.mark.parametrize("word", ["treacherous", "lighthouse", "Kurogane", "shipwreck"])
def test_a_word_only_a_spoiler_holds_finds_nothing(client, finale_pin, word):
    found, _page = search(client, word)

    assert found == []


def test_the_words_outside_the_spoilers_still_find_it_and_the_results_show_no_spoiler(
    client, finale_pin
):
    found, page = search(client, "gold plated")

    assert found == ["Finale Pin"]
    for word in HIDDEN:
        assert word not in page


def test_a_description_edited_to_reveal_a_word_is_found_by_it(client, finale_pin):
    finale_pin.description = "<p>The lighthouse keeper, in gold.</p>"
    finale_pin.save()

    assert search(client, "lighthouse")[0] == ["Finale Pin"]


@pytest.mark.skipif(connection.vendor != "postgresql", reason="PostgreSQL's vector and rows")
def test_neither_the_vector_nor_the_search_rows_hold_a_spoilers_words(finale_pin):
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT p.search_document::text, r.lexemes::text FROM catalogue_product p "
            "JOIN catalogue_searchrow r ON r.product_id = p.id WHERE p.id = %s",
            [finale_pin.pk],
        )
        vector, lexemes = cursor.fetchone()

    assert "gold" in vector and "gold" in lexemes
    for stem in ("treacher", "lighthous", "kurogan", "shipwreck"):
        assert stem not in vector and stem not in lexemes


def test_the_migration_rebuilds_what_search_reads_of_stored_products(client, finale_pin):
    # As a product stood before: its spoiler's words in what search reads, by a bulk write.
    Product.objects.filter(pk=finale_pin.pk).update(
        search_description="Gold-plated hard enamel with a treacherous lighthouse keeper."
    )
    migration = importlib.import_module(
        "catalogue.migrations.0048_search_description_without_spoilers"
    )
    with connection.cursor() as cursor:
        # What the migration's functions use of a schema editor (SQLite's cannot open in a test).
        editor = SimpleNamespace(
            connection=connection, execute=lambda sql, params: cursor.execute(sql)
        )
        migration.fill_search_descriptions(installed_apps, editor)
        migration.read_search_descriptions(installed_apps, editor)

    assert search(client, "treacherous")[0] == []
    assert search(client, "gold")[0] == ["Finale Pin"]
