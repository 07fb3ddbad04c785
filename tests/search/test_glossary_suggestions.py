"""The search box suggests glossary terms by name or alias, typos forgiven, each term once, with
its short definition unless a warning withholds it from a reader who has chosen nothing."""

import pytest

from blog.models import Term
from shop.search.suggestions import suggest
from tests.search.conftest import labels, suggested

pytestmark = pytest.mark.django_db


def terms(answer):
    return [s for group in answer.groups if group.kind == "terms" for s in group.suggestions]


def test_a_typo_in_an_alias_finds_the_term_it_belongs_to(demo_shop):
    assert labels(suggest("netorae"), "terms") == ["NTR (netorare)"]


def test_a_term_is_suggested_once_whatever_names_match(demo_shop):
    found = terms(suggest("ita bag"))
    urls = [s.url for s in found]
    assert "/glossary/ita-bag/" in urls
    assert len(urls) == len(set(urls))


def test_the_definition_comes_with_the_term(demo_shop):
    (ita_bag,) = [s for s in terms(suggest("ita bag")) if s.url == "/glossary/ita-bag/"]
    assert ita_bag.detail.startswith("A bag with a clear panel")


def test_a_mature_term_is_suggested_without_its_definition(demo_shop, client):
    (ntr,) = terms(suggest("netorare"))
    assert ntr.detail == ""
    fragment = suggested(client, "netorare")
    assert "/glossary/ntr/" in fragment
    assert "sting of betrayal" not in fragment


def test_a_draft_term_is_not_suggested(demo_shop):
    Term.objects.filter(slug="ita-bag").update(status=Term.Status.DRAFT)
    assert "/glossary/ita-bag/" not in [s.url for s in terms(suggest("ita bag"))]


def test_terms_cost_one_query_however_many_match(demo_shop, django_assert_num_queries):
    from tests.search.test_suggestion_endpoint import QUERIES_ON_A_MISS

    for text in ("zzqxv", "netorare", "enamel"):  # no term, one warned term, several terms
        with django_assert_num_queries(QUERIES_ON_A_MISS):
            suggest(text)
