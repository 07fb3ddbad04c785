"""Signing out takes a POST with the CSRF token: a link or an <img> on another page cannot sign a
shopper out, and every sign-out control on the shop's pages is a small form."""

import re

import pytest
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse

from tests.accounts.conftest import is_signed_in


@pytest.fixture
def signed_in(client, django_user_model):
    client.force_login(
        django_user_model.objects.create_user("yuki", "yuki@example.com", "x", is_staff=True)
    )
    return client


def test_a_get_to_the_storefront_logout_does_not_sign_out(signed_in):
    response = signed_in.get("/accounts/logout/")  # what <img src=/accounts/logout/> sends
    assert response.status_code == 200
    assert is_signed_in(signed_in)
    page = response.content.decode()
    assert re.search(r'<form[^>]+method="post"[^>]+action="/accounts/logout/"', page)
    assert 'name="csrfmiddlewaretoken"' in page


def test_a_post_to_the_storefront_logout_signs_out(signed_in):
    response = signed_in.post("/accounts/logout/")
    assert response.status_code == 302
    assert not is_signed_in(signed_in)


def test_the_storefront_logout_needs_the_csrf_token(django_user_model):
    client = Client(enforce_csrf_checks=True)
    client.force_login(django_user_model.objects.create_user("yuki", "yuki@example.com", "x"))
    assert client.post("/accounts/logout/").status_code == 403
    assert is_signed_in(client)


@pytest.mark.parametrize("url_name", ["dashboard:logout", "admin:logout"])
def test_dashboard_and_admin_logouts_refuse_get(signed_in, url_name):
    assert signed_in.get(reverse(url_name)).status_code == 405
    assert is_signed_in(signed_in)


def test_oscars_account_navbar_signs_out_with_a_form(django_user_model):
    request = RequestFactory().get("/")
    request.user = django_user_model.objects.create_user("yuki", "yuki@example.com", "x")
    html = render_to_string("oscar/partials/nav_accounts.html", {"user": request.user}, request)
    assert 'href="/accounts/logout/"' not in html
    form = re.search(r'<form[^>]+action="/accounts/logout/".*?</form>', html, re.S)
    assert form and 'method="post"' in form[0] and "csrfmiddlewaretoken" in form[0]


def test_the_dashboard_signs_out_with_a_form(signed_in):
    html = signed_in.get("/dashboard/").content.decode()
    assert 'href="/dashboard/logout/"' not in html
    form = re.search(r'<form[^>]+action="/dashboard/logout/".*?</form>', html, re.S)
    assert form and 'method="post"' in form[0] and "csrfmiddlewaretoken" in form[0]
