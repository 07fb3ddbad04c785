"""catalogue.redirects: the one answer to "is this address a page of this site?"."""

import pytest
from django.test import RequestFactory

from catalogue.redirects import next_url
from tests.offsite import BYPASS_FORMS


def request(*, secure=False, post=None, get=None, referer=None):
    factory = RequestFactory()
    headers = {"HTTP_REFERER": referer} if referer else {}
    if post is not None:
        return factory.post(f"/x/?{get or ''}", post, secure=secure, **headers)
    return factory.get("/x/", get or {}, secure=secure, **headers)


@pytest.mark.parametrize("target", BYPASS_FORMS)
def test_an_off_site_next_or_referer_falls_back_to_the_default(target):
    assert next_url(request(post={"next": target}), default="/basket/") == "/basket/"
    assert next_url(request(get={"next": target}), default="/basket/") == "/basket/"
    assert next_url(request(referer=target), default="/basket/") == "/basket/"


def test_next_wins_over_the_referer_and_post_over_the_query_string():
    both = request(post={"next": "/from-form/"}, get="next=/from-query/", referer="/from-referer/")
    assert next_url(both, default="/") == "/from-form/"
    assert next_url(request(get={"next": "/from-query/"}), default="/") == "/from-query/"
    assert next_url(request(referer="http://testserver/from-referer/"), default="/") == (
        "http://testserver/from-referer/"
    )


def test_the_referer_is_ignored_when_the_view_says_so():
    assert next_url(request(referer="/from-referer/"), default="/home/", referrer=False) == "/home/"


def test_an_https_page_never_sends_the_browser_to_http():
    downgrade = request(secure=True, get={"next": "http://testserver/basket/"})
    assert next_url(downgrade, default="/") == "/"
    same = request(secure=True, get={"next": "https://testserver/basket/"})
    assert next_url(same, default="/") == "https://testserver/basket/"


def test_a_relative_path_is_not_a_page_of_this_site():
    assert next_url(request(get={"next": "basket/"}), default="/") == "/"


def test_the_address_followed_is_the_one_checked_without_surrounding_spaces():
    assert next_url(request(get={"next": " /basket/\n"}), default="/") == "/basket/"


def test_the_default_may_be_a_url_name(db):
    assert next_url(request(get={"next": "//evil.example"}), default="basket:summary") == (
        "/basket/"
    )
