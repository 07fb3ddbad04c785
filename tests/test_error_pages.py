"""With DEBUG off, 400/403/404/500 are the shop's own pages, not Django's bare text; the 500 page
renders with the database down, as Django renders it: with an empty context."""

import pytest
from django.core.exceptions import PermissionDenied, SuspiciousOperation
from django.db import OperationalError
from django.db.backends.base.base import BaseDatabaseWrapper
from django.template import loader
from django.urls import path

from shop.urls import urlpatterns as shop_urlpatterns


def _raise(exception):
    def view(request):
        raise exception

    return view


urlpatterns = [
    *shop_urlpatterns,
    path("test-errors/400/", _raise(SuspiciousOperation("a forged header"))),
    path("test-errors/403/", _raise(PermissionDenied)),
    path("test-errors/500/", _raise(RuntimeError("a bug"))),
]

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]


@pytest.fixture(autouse=True)
def _production(settings, client):
    settings.DEBUG = False
    client.raise_request_exception = False


def assert_branded(response, status: int, heading: str):
    page = response.content.decode()
    assert response.status_code == status
    assert "Pin Senpai" in page and 'class="site-header"' in page
    assert heading in page
    assert "/static/shop/css/shop.css" in page
    assert 'href="/catalogue/"' in page


def test_an_unknown_address_is_the_shops_404_with_its_navigation(client):
    response = client.get("/no-such-page/")

    assert_branded(response, 404, "We cannot find that page")
    assert 'class="site-nav"' in response.content.decode()


def test_an_unknown_product_is_the_same_404(client):
    response = client.get("/catalogue/no-such-pin_999999/")

    assert_branded(response, 404, "We cannot find that page")


def test_a_refused_page_is_the_shops_403(client):
    assert_branded(client.get("/test-errors/403/"), 403, "This page is not for you")


def test_a_bad_request_is_the_shops_400(client):
    assert_branded(client.get("/test-errors/400/"), 400, "We could not read that request")


def test_a_failing_view_is_the_shops_500(client):
    assert_branded(client.get("/test-errors/500/"), 500, "Something went wrong")


def test_the_500_page_renders_while_the_database_is_down(client, monkeypatch):
    def no_database(self):
        raise OperationalError("could not connect to server")

    monkeypatch.setattr(BaseDatabaseWrapper, "ensure_connection", no_database)

    response = client.get("/")  # the home page reads products: the view itself fails

    assert_branded(response, 500, "Something went wrong")


def test_the_500_page_needs_no_context_at_all():
    page = loader.get_template("500.html").render()

    assert "Something went wrong" in page and "Pin Senpai" in page
