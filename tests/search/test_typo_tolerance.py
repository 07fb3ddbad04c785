"""Suggestions forgive typos: "enamle pin", "pinc hair" and "netorae" find the pin and the NTR
explainer at the demo shop, through pg_trgm on PostgreSQL and a difflib fallback on SQLite."""

import pytest
from django.db import connection

from shop.search import suggestions
from shop.search.suggestions import closeness, normalised, suggest
from tests.search.conftest import labels

pytestmark = pytest.mark.django_db

PINK_PIN = "Cheeky Pink-Haired Anime Girl Enamel Pin"
NTR_EXPLAINER = "What does NTR mean?"


def test_a_typo_in_enamel_still_suggests_enamel_pins_and_the_enamel_articles(demo_shop):
    answer = suggest("enamle pin")
    assert PINK_PIN in labels(answer, "products")
    assert all("Enamel Pin" in title for title in labels(answer, "products"))
    assert "Hard enamel vs soft enamel pins: what is the difference?" in labels(answer, "articles")


def test_pinc_hair_finds_the_cheeky_pink_haired_girl(demo_shop):
    assert labels(suggest("pinc hair"), "products")[0] in (
        PINK_PIN,
        "Cheeky Pink-Haired Anime Girl Vinyl Sticker",
    )
    assert PINK_PIN in labels(suggest("pinc hair"), "products")


def test_netorae_finds_the_ntr_explainer_through_its_summary(demo_shop):
    assert labels(suggest("netorae"), "articles") == [NTR_EXPLAINER]


def test_a_half_typed_word_finds_what_it_starts(demo_shop):
    assert PINK_PIN in labels(suggest("enamle"), "products")
    assert labels(suggest("moonl"), "franchises") == ["Moonlit Ronin"]


def test_nothing_close_suggests_nothing(demo_shop):
    assert suggest("zzqxv").is_empty


def test_one_letter_looks_nothing_up(demo_shop, django_assert_num_queries):
    with django_assert_num_queries(0):
        assert suggest("p").groups == ()


def test_the_query_is_read_as_its_words_in_lower_case():
    assert normalised("  Enamle\x00 PIN!!  %_ ") == "enamle pin"
    assert normalised("a " * 50) == "a a a a a a"
    assert len(normalised("x" * 5000)) == suggestions.MAX_LENGTH


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's fallback")
def test_sqlite_reads_a_bounded_list_of_rows_sharing_first_letters(demo_shop, monkeypatch):
    monkeypatch.setattr(suggestions, "SQLITE_CANDIDATES", 1)
    assert len(labels(suggest("enamle pin"), "products")) <= 1


@pytest.mark.skipif(connection.vendor != "sqlite", reason="SQLite's fallback")
def test_sqlite_misses_a_typo_in_the_first_three_letters(demo_shop):
    # What PostgreSQL's trigrams forgive and SQLite's fallback does not (README, "Search").
    assert labels(suggest("enmael"), "products") == []


def test_closeness_forgives_a_swapped_letter_and_counts_a_started_word_whole():
    assert closeness("enamle", "Hard Enamel Pin") > 0.8
    assert closeness("ena", "Hard Enamel Pin") == 1.0
    assert closeness("pinc hair", "Cheeky Pink-Haired Anime Girl") >= 0.6
    assert closeness("zzqxv", "Hard Enamel Pin") == 0.0
