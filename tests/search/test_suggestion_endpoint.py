"""/search/suggest/?q= answers an HTML fragment of grouped links (products with their price,
articles, series), in a fixed number of queries, none once kept, and afresh after the things it
shows change: a price, a title, a publication."""

import datetime as dt
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone
from hypothesis import HealthCheck, given
from hypothesis import settings as hypothesis_settings
from hypothesis import strategies as st

from blog.models import Post
from tests.blog.conftest import write_post
from tests.commits import commits
from tests.factories import FranchiseFactory, merch
from tests.search.conftest import suggested

pytestmark = pytest.mark.django_db

# On a miss: products, glossary terms (with their warnings' level), articles, series, and when
# the next scheduled post goes live.
QUERIES_ON_A_MISS = 5


def test_the_fragment_groups_linked_products_with_prices_articles_and_series(client):
    pin = merch(
        "Sakura Academy Enamel Pin",
        price="12.50",
        franchise=FranchiseFactory(name="Sakura Academy"),
    )
    post = write_post("Caring for your enamel pins", summary="Keep the enamel bright.")
    html = suggested(client, "sakura enamle")
    assert f'href="{pin.get_absolute_url()}"' in html
    assert "Sakura Academy Enamel Pin" in html and "12.50" in html
    assert 'role="option"' in html and 'role="group"' in html
    assert "Series" in suggested(client, "sakura acadmy")
    html = suggested(client, "enamle")
    assert f'href="{post.get_absolute_url()}"' in html


def test_names_are_escaped(client):
    merch("<script>alert(1)</script> Enamel Pin")
    html = suggested(client, "script enamel")
    assert "<script>alert" not in html
    assert "&lt;script&gt;" in html


def build(size: int) -> None:
    franchise = FranchiseFactory(name="Budget Academy")
    for n in range(size):
        merch(f"Budget Academy Enamel Pin No. {n}", price=f"{5 + n % 30}.00", franchise=franchise)
    for n in range(min(size, 5)):
        write_post(f"Budget pin guide {n}", summary="Budget enamel pins.")


@pytest.mark.parametrize("size", [3, 40])
def test_suggestions_run_a_fixed_number_of_queries_and_none_once_kept(
    client, size, django_assert_num_queries
):
    build(size)
    url = reverse("search:suggest") + "?q=budgte+pin"
    with django_assert_num_queries(QUERIES_ON_A_MISS):
        response = client.get(url)
    assert b"Budget Academy Enamel Pin" in response.content
    with django_assert_num_queries(0):
        again = client.get(url)
    assert again.content == response.content


@commits
def test_a_new_price_is_suggested_at_once(client):
    pin = merch("Kitsune Enamel Pin", price="10.00")
    assert "10.00" in suggested(client, "kitsune")
    record = pin.stockrecords.get()
    record.price = Decimal("14.00")
    record.save()
    html = suggested(client, "kitsune")
    assert "14.00" in html and "10.00" not in html


@commits
def test_a_new_title_is_suggested_at_once(client):
    pin = merch("Kitsune Enamel Pin")
    assert "Kitsune Enamel Pin" in suggested(client, "kitsune")
    pin.title = "Kitsune Festival Enamel Pin"
    pin.save()
    assert "Kitsune Festival Enamel Pin" in suggested(client, "kitsune")


@commits
def test_a_hidden_product_is_no_longer_suggested(client):
    pin = merch("Kitsune Enamel Pin")
    assert "Kitsune" in suggested(client, "kitsune")
    pin.is_public = False
    pin.save()
    assert "Kitsune" not in suggested(client, "kitsune")


@commits
def test_a_scheduled_post_is_suggested_once_it_goes_live(client, monkeypatch):
    write_post("Kitsune festival guide", published_at=timezone.now() + dt.timedelta(hours=1))
    assert "Kitsune festival guide" not in suggested(client, "kitsune")
    later = timezone.now() + dt.timedelta(hours=2)
    monkeypatch.setattr(timezone, "now", lambda: later)
    # No save, no signal: the kept answer knew when the next post was due.
    assert "Kitsune festival guide" in suggested(client, "kitsune")


def test_a_draft_is_never_suggested(client):
    write_post("Kitsune draft notes", status=Post.Status.DRAFT)
    assert "Kitsune draft notes" not in suggested(client, "kitsune")


HOSTILE = st.one_of(
    st.text(max_size=60),  # NUL, controls, right-to-left marks, any script
    st.sampled_from(
        ["%", "_", "%%", "%_%", "\\", "' OR 1=1--", "a" * 5000, "pin " * 800, "<%", "%>", ":*"]
    ),
)


@hypothesis_settings(max_examples=40, suppress_health_check=[HealthCheck.function_scoped_fixture])
@given(text=HOSTILE)
def test_hostile_input_never_answers_500(client, text):
    client.raise_request_exception = False
    response = client.get(reverse("search:suggest"), {"q": text})
    assert response.status_code == 200
