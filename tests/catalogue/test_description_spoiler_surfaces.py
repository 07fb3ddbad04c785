"""A product whose description is mostly spoilers, typed in the editor's syntax (and a category and
franchise whose descriptions are too): none of the hidden words reach any text shown outside the
description itself — the meta, Open Graph and Twitter descriptions, JSON-LD, listing tiles, search
results, the category and franchise pages' heads, and the e-mails that name the product."""

import pytest
from django.contrib.sites.models import Site
from django.urls import reverse
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model

from shop.checkout.emails import message_context
from tests.factories import FranchiseFactory, merch
from tests.orders import paid_order

CommunicationEventType = get_model("communication", "CommunicationEventType")
ProductAlert = get_model("customer", "ProductAlert")
ProductCategory = get_model("catalogue", "ProductCategory")

pytestmark = pytest.mark.django_db

HIDDEN = ("Shirogane", "betrays", "lighthouse", "Kurogane", "Episode 12")
DESCRIPTION = """<p>Hard enamel, gold plating. ||Shirogane betrays the council||.</p>
<p>:::spoiler Episode 12</p>
<p>Kurogane was the <strong>lighthouse</strong> keeper. ||Shirogane|| knew.</p>
<p>:::</p>
<p>:::spoiler</p><p>Shirogane betrays everyone at the lighthouse; Kurogane survives.</p><p>:::</p>"""


@pytest.fixture
def finale_pin():
    franchise = FranchiseFactory(
        name="Kaguya Pins", slug="kaguya-pins", description=f"<p>A council story.</p>{DESCRIPTION}"
    )
    category = create_from_breadcrumbs("Finale pins")
    category.description = f"<p>Pins of the last arc.</p>{DESCRIPTION}"
    category.save()
    pin = merch("Council Finale Pin", description=DESCRIPTION, franchise=franchise)
    ProductCategory.objects.create(product=pin, category=category)
    return pin


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200, url
    return response.content.decode()


def assert_hidden(text, where):
    for word in HIDDEN:
        assert word not in text, f"{word!r} leaks in {where}"


def head_of(html: str) -> str:
    return html.split("</head>")[0]


def test_product_page_shows_the_spoilers_hidden_and_its_head_holds_none(client, finale_pin):
    html = page(client, finale_pin.get_absolute_url())
    head, body = html.split('<div class="product-description__body">')

    for tag in ('name="description"', "og:description", "twitter:description", "ld+json"):
        assert tag in head
    assert "Hard enamel, gold plating." in head.split("ld+json")[1]
    assert_hidden(head, "the product page's meta, Open Graph, Twitter tags and JSON-LD")
    assert "||" not in body and ":::" not in body
    assert body.count('<details class="spoiler">') == 2 and "Shirogane" in body


def test_listing_tiles_search_and_the_category_and_franchise_heads_hold_no_spoiler(
    client, finale_pin
):
    category_page = page(client, finale_pin.categories.get().get_absolute_url())
    franchise_page = page(client, reverse("catalogue:franchise", args=["kaguya-pins"]))
    for url in ("/catalogue/", "/search/?q=gold+plating", "/search/?q=council+finale"):
        listing = page(client, url)
        assert "Council Finale Pin" in listing, url
        assert_hidden(listing, url)

    assert "Council Finale Pin" in category_page and "Council Finale Pin" in franchise_page
    assert_hidden(head_of(category_page), "the category page's head")
    assert_hidden(head_of(franchise_page), "the franchise page's head")
    assert "Shirogane" in category_page.split("</head>")[1]  # shown in its text, hidden


@pytest.mark.parametrize("code", ["PRODUCT_ALERT", "PRODUCT_ALERT_CONFIRMATION"])
def test_stock_alert_emails_hold_no_spoiler(finale_pin, code):
    alert = ProductAlert.objects.create(product=finale_pin, email="fan@example.com")

    messages = CommunicationEventType.objects.get_and_render(
        code, {"alert": alert, "site": Site.objects.get_current(), "hurry": False}
    )

    assert "Council Finale Pin" in messages["body"]
    for part in ("subject", "body", "html"):
        assert_hidden(messages[part], f"the {code} e-mail's {part}")


def test_the_order_confirmation_holds_no_spoiler(finale_pin):
    order = paid_order((finale_pin, 1))

    messages = CommunicationEventType.objects.get_and_render("ORDER_PLACED", message_context(order))

    assert "Council Finale Pin" in messages["body"]
    for part in ("subject", "body", "html"):
        assert_hidden(messages[part], f"the order confirmation's {part}")
