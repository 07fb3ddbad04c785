"""Each basket line is written out in Python (`{% basket_line %}`): a title is escaped everywhere
the line shows it, as the template engine escaped it."""

import pytest
from django.urls import reverse

from tests.factories import merch
from tests.shopping import add_to_basket

pytestmark = pytest.mark.django_db


def test_a_title_with_markup_is_shown_as_text_in_its_line(client):
    add_to_basket(client, merch('<b>Bold</b> "Quoted" Pin', price="10.00", stock=9))
    page = client.get(reverse("basket:summary")).content.decode()
    assert "<b>Bold</b>" not in page
    shown = "&lt;b&gt;Bold&lt;/b&gt; &quot;Quoted&quot; Pin"
    assert f">{shown}</a></h3>" in page  # the title
    assert f'aria-label="One fewer {shown}"' in page  # the quantity buttons
    assert f'<span class="sr-only">: {shown}</span>' in page  # "Remove"
