"""The stock-alert e-mails name the product: its title is text in their HTML part."""

import pytest
from django.contrib.sites.models import Site
from oscar.core.loading import get_model

from tests.factories import merch

CommunicationEventType = get_model("communication", "CommunicationEventType")
ProductAlert = get_model("customer", "ProductAlert")

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
