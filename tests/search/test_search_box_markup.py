"""Without JavaScript the header's search box is the plain search form; the page carries what
static/shop/js/search-suggest.js needs to make it a combobox, and no inline code."""

import re

import pytest
from django.urls import reverse

pytestmark = pytest.mark.django_db


def test_the_header_search_is_a_plain_get_form_with_a_hidden_suggestions_list(client):
    html = client.get(reverse("home")).content.decode()
    form = re.search(r'<form class="site-search"[^>]*>', html).group(0)
    assert 'action="/search/"' in form and 'method="get"' in form
    assert 'data-suggest-url="/search/suggest/"' in form
    assert re.search(
        r'<div class="site-suggest" id="site-search-suggestions" role="listbox"[^>]*hidden', html
    )
    assert 'role="combobox"' not in html  # the script makes it one
    assert '<script src="/static/shop/js/search-suggest.js" defer></script>' in html
