"""Back-in-stock alerts (Oscar's product alerts): a shopper subscribes on a sold-out product page,
staff restock in the dashboard, the worker sends the e-mail once; the e-mails name the product as
text in their HTML part."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.sites.models import Site
from django.core import mail
from django.test import Client
from django.urls import reverse
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model

from tests.factories import merch
from tests.staff_forms import product_form_post
from tests.tasks import run_queued_tasks

CommunicationEventType = get_model("communication", "CommunicationEventType")
ProductAlert = get_model("customer", "ProductAlert")
ProductCategory = get_model("catalogue", "ProductCategory")

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize("code", ["PRODUCT_ALERT", "PRODUCT_ALERT_CONFIRMATION"])
def test_a_product_title_is_escaped_in_the_html_of_the_alert_emails(code):
    product = merch("Pin <img src=x onerror=alert(1)>", stock=0)
    alert = ProductAlert.objects.create(product=product, email="fan@example.com")

    messages = CommunicationEventType.objects.get_and_render(
        code, {"alert": alert, "site": Site.objects.get_current(), "hurry": False}
    )

    assert "<img src=x" not in messages["html"]
    assert "Pin &lt;img src=x onerror=alert(1)&gt;" in messages["html"]


@pytest.fixture
def sold_out_pin():
    pin = merch("Starlit Kitsune Enamel Pin", stock=0)
    ProductCategory.objects.create(product=pin, category=create_from_breadcrumbs("Pins"))
    return pin


def restock(staff_client, product, count: int):
    """Staff set the stock on the dashboard's product form, as the page renders it."""
    data = product_form_post(staff_client, product)
    (in_stock,) = [key for key in data if key.endswith("-num_in_stock")]
    data[in_stock] = str(count)
    url = reverse("dashboard:catalogue-product", kwargs={"pk": product.pk})
    response = staff_client.post(url, data)
    assert response.status_code == 302, response.context and response.context["form"].errors


def test_a_shopper_subscribed_on_the_sold_out_page_is_emailed_once_when_staff_restock(
    client, staff_client, sold_out_pin, django_capture_on_commit_callbacks
):
    shopper = Client()
    page = shopper.get(sold_out_pin.get_absolute_url())
    assert 'id="alert_form"' in page.content.decode()

    alert_url = reverse("customer:alert-create", kwargs={"pk": sold_out_pin.pk})
    assert shopper.post(alert_url, {"email": "fan@example.com"}).status_code == 302
    run_queued_tasks()
    [confirmation] = mail.outbox
    alert = ProductAlert.objects.get()
    assert confirmation.to == ["fan@example.com"]
    assert confirmation.subject == (
        "Confirm your Pin Senpai stock alert for Starlit Kitsune Enamel Pin"
    )
    assert alert.get_confirm_url() in confirmation.body
    assert alert.get_cancel_url() in confirmation.body
    [(html, _mimetype)] = confirmation.alternatives
    assert "Confirm the alert" in html and alert.get_confirm_url() in html
    shopper.get(alert.get_confirm_url())
    alert.refresh_from_db()
    assert alert.status == ProductAlert.ACTIVE
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        restock(staff_client, sold_out_pin, 5)
    run_queued_tasks()

    [back_in_stock] = mail.outbox
    assert back_in_stock.to == ["fan@example.com"]
    assert back_in_stock.subject == "Back in stock at Pin Senpai: Starlit Kitsune Enamel Pin"
    assert "Good news: Starlit Kitsune Enamel Pin is back in stock." in back_in_stock.body
    assert sold_out_pin.get_absolute_url() in back_in_stock.body
    [(html, _mimetype)] = back_in_stock.alternatives
    assert "See it in the shop" in html and sold_out_pin.get_absolute_url() in html
    alert.refresh_from_db()
    assert alert.status == ProductAlert.CLOSED

    mail.outbox.clear()  # staff save again: the alert was sent, nothing more goes out
    with django_capture_on_commit_callbacks(execute=True):
        restock(staff_client, sold_out_pin, 6)
    run_queued_tasks()
    assert mail.outbox == []


def test_a_signed_in_customer_is_alerted_at_their_account_address(
    staff_client, sold_out_pin, django_capture_on_commit_callbacks
):
    customer = Client()
    customer.force_login(get_user_model().objects.create_user("hinata", "hinata@example.com", "pw"))
    alert_url = reverse("customer:alert-create", kwargs={"pk": sold_out_pin.pk})
    assert customer.post(alert_url, {}).status_code == 302
    assert ProductAlert.objects.get().status == ProductAlert.ACTIVE
    page = customer.get(sold_out_pin.get_absolute_url()).content.decode()
    assert "You have an active stock alert for this product." in page

    with django_capture_on_commit_callbacks(execute=True):
        restock(staff_client, sold_out_pin, 2)
    run_queued_tasks()

    [back_in_stock] = mail.outbox
    assert back_in_stock.to == ["hinata@example.com"]
    assert "Starlit Kitsune Enamel Pin" in back_in_stock.body
