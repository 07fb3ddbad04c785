"""Oscar's dashboard markup with the project's fixes for screen readers, contrast and phones
(templates/oscar/dashboard/): what the browser journey's axe-core checks rely on, checked here
without a browser."""

import re
from collections import Counter

import pytest
from django.test import Client
from django.urls import reverse
from oscar.core.loading import get_model
from oscar.test.factories import create_order
from pytest_django.asserts import assertContains, assertNotContains

from tests.factories import merch
from tests.shopping import card, place_order, to_payment_step

Order = get_model("order", "Order")

pytestmark = pytest.mark.django_db


def test_sign_in_page_loads_the_contrast_fixes(client):
    response = client.get(reverse("dashboard:login"))
    assertContains(response, "shop/css/dashboard.css")
    assertContains(response, "shop/js/dashboard.js")


def test_dashboard_home_does_not_reload_itself(admin_client):
    response = admin_client.get(reverse("dashboard:index"))
    assertContains(response, "Your Store Statistics")
    assertNotContains(response, 'http-equiv="refresh"')


def test_log_out_form_sits_in_a_list_item(admin_client):
    html = admin_client.get(reverse("dashboard:index")).content.decode()
    before_form = html[: html.index('<form id="logout_form"')]
    assert before_form.rstrip().endswith('<li class="nav-item">')


def test_order_page_tabs_are_aria_tabs_with_the_open_one_selected(admin_client):
    order = create_order()
    response = admin_client.get(reverse("dashboard:order-detail", args=[order.number]))
    assertContains(response, 'role="tablist"')
    assertContains(response, 'role="presentation"', count=5)
    assertContains(
        response,
        'href="#lines" data-toggle="tab" role="tab" aria-controls="lines" aria-selected="true"',
    )
    assertContains(
        response,
        'href="#payment" data-toggle="tab" role="tab" aria-controls="payment" '
        'aria-selected="false">Payment</a>',
    )


def test_each_label_of_a_paid_orders_page_points_at_a_field_of_its_own(
    admin_client, stripe_sim, sim_client, django_capture_on_commit_callbacks
):
    """The cancel and the refund forms both ask for a reason: each keeps its own element ids."""
    shopper = Client()
    to_payment_step(shopper, merch("Sleepy Fox Spirit Enamel Pin", price="20.00", stock=5))
    with django_capture_on_commit_callbacks(execute=True):
        place_order(shopper, card(sim_client))
    order = Order.objects.get()

    html = admin_client.get(reverse("dashboard:order-detail", args=[order.number])).content
    html = html.decode()

    assert 'id="cancel_order_form"' in html and 'id="refund_payment_form"' in html
    ids = Counter(re.findall(r'\sid="([^"]+)"', html))
    labelled = set(re.findall(r'<label[^>]*\sfor="([^"]+)"', html))
    assert {"id_reason", "id_cancel_reason"} <= labelled
    assert {name: ids[name] for name in labelled if ids[name] != 1} == {}
