"""The stored search vector (Product.search_document) follows a product's title, description and
the names it is listed under, and search ranks on it: title matches above franchise or character
matches, above description matches. The stored column itself exists on PostgreSQL only."""

import pytest
from django.db import connection
from oscar.core.loading import get_model

from catalogue.selectors import listed_products
from shop.search import selectors
from tests.factories import CharacterFactory, FranchiseFactory, merch

Product = get_model("catalogue", "Product")

on_postgresql = pytest.mark.skipif(
    connection.vendor != "postgresql", reason="the stored vector is PostgreSQL's"
)


def found(query: str) -> list[str]:
    ranked = selectors.sorted_by(selectors.matching(listed_products(), query), "relevance")
    return list(ranked.values_list("title", flat=True))


def lexemes(product) -> str:
    return Product.objects.values_list("search_document", flat=True).get(pk=product.pk)


@pytest.mark.django_db
def test_renamed_product_is_found_by_its_new_title_only():
    pin = merch("Moonlit Ronin Pin")
    pin.title = "Starfall Ranger Pin"
    pin.save()
    assert found("starfall") == ["Starfall Ranger Pin"]
    assert found("moonlit") == []


@pytest.mark.django_db
def test_edited_description_is_searchable():
    pin = merch("Plain Pin", description="<p>A pin.</p>")
    Product.objects.filter(pk=pin.pk).update(description="<p>Glows under narutomaki light.</p>")
    pin.refresh_from_db()
    pin.save()  # a staff edit saves the whole row, search_document included as it was loaded
    assert found("narutomaki") == ["Plain Pin"]


@pytest.mark.django_db
def test_renamed_franchise_and_character_are_found_under_their_new_names():
    franchise = FranchiseFactory(name="Old Academy")
    character = CharacterFactory(franchise=franchise, name="Mika Hoshino")
    merch("Badge Pin", franchise=franchise, characters=[character])
    franchise.name = "Starlight Conservatory"
    franchise.save()
    character.name = "Yuzu Amane"
    character.save()
    assert found("starlight conservatory") == ["Badge Pin"]
    assert found("yuzu") == ["Badge Pin"]
    assert found("academy") == []
    assert found("hoshino") == []


@pytest.mark.django_db
def test_title_match_ranks_above_franchise_match_above_description_match():
    franchise = FranchiseFactory(name="Kitsune Tales")
    merch("Lantern Keychain", description="<p>A kitsune lantern.</p>")
    merch("Festival Mask Pin", franchise=franchise)
    merch("Kitsune Mask Pin")
    assert found("kitsune") == ["Kitsune Mask Pin", "Festival Mask Pin", "Lantern Keychain"]


@on_postgresql
@pytest.mark.django_db
def test_stored_vector_weights_title_a_names_b_description_c():
    franchise = FranchiseFactory(name="Kitsune Tales")
    pin = merch("Lantern Pin", franchise=franchise, description="<p>Glows gently.</p>")
    document = lexemes(pin)
    assert "'lantern':1A" in document
    assert "'kitsun':" in document and "B" in document.split("'kitsun':")[1].split(" ")[0]
    assert "'glow':" in document and document.split("'glow':")[1].split(" ")[0].endswith("C")


@on_postgresql
@pytest.mark.django_db
def test_ranking_reads_the_stored_vector_not_the_text():
    merch("Kitsune Mask Pin")
    sql = str(selectors.matching(listed_products(), "kitsune").query)
    assert "to_tsvector" not in sql
    assert "search_document" in sql
