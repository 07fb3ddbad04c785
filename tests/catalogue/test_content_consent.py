"""Content-warning choices: reveal mature items, confirm 18+, and the basket's 18+ rule."""

import pytest
from django.contrib.auth import get_user_model
from django.contrib.messages import get_messages
from django.template.loader import render_to_string
from django.test import Client, RequestFactory
from django.urls import reverse
from oscar.core.loading import get_model

from tests.factories import ContentWarningFactory, merch

Product = get_model("catalogue", "Product")
ContentConsent = get_model("catalogue", "ContentConsent")
ContentWarning = get_model("catalogue", "ContentWarning")
Line = get_model("basket", "Line")

MATURE = "PRT-RONIN-DUEL"
ADULT = "PRT-TSUBAKI-ONSEN"
UNMARKED = "PIN-CHEEKY-PINK"

pytestmark = pytest.mark.django_db


@pytest.fixture
def warned_items(db):
    """An unmarked pin, a print marked mature and one marked adult."""
    violence = ContentWarningFactory(
        slug="violence", name="Violence and blood", level=ContentWarning.Level.MATURE
    )
    nudity = ContentWarningFactory(slug="nudity", name="Nudity", level=ContentWarning.Level.ADULT)
    merch("Cheeky Pink-Haired Anime Girl Enamel Pin", upc=UNMARKED)
    merch("Moonlit Ronin Duel Art Print", upc=MATURE, warnings=[violence], product_class="Print")
    merch("Tsubaki Onsen Art Print", upc=ADULT, warnings=[nudity], product_class="Print")


def product(upc):
    return Product.objects.get(upc=upc)


def show_mature(client, *, next_url="/", shows=True):
    return client.post(
        reverse("catalogue:content-consent"),
        {"shows_mature": "1" if shows else "0", "next": next_url},
    )


def confirm_adult(client, *, next_url="/"):
    return client.post(reverse("catalogue:confirm-adult"), {"next": next_url})


def add_to_basket(client, item):
    return client.post(reverse("basket:add", kwargs={"pk": item.pk}), {"quantity": 1})


def notice_for(client, item, **context):
    """The warning partial as this client's session would see it."""
    request = RequestFactory().get(item.get_absolute_url())
    request.session = client.session
    return render_to_string(
        "catalogue/partials/warning_notice.html", {"product": item, **context}, request=request
    )


def messages_of(response):
    return [str(message) for message in get_messages(response.wsgi_request)]


def test_mature_item_offers_its_badge_and_a_show_button_until_the_shopper_chooses(
    client, warned_items
):
    item = product(MATURE)
    html = notice_for(client, item)
    assert "Violence and blood" in html
    assert "Mature" in html
    assert "Show it" in html
    assert reverse("catalogue:content-consent") in html

    response = show_mature(client, next_url=item.get_absolute_url())

    assert response.status_code == 302
    assert response["Location"] == item.get_absolute_url()
    html = notice_for(client, item)
    assert "Violence and blood" in html
    assert "Show it" not in html
    assert "Hide mature content again" in html


def test_choice_is_remembered_for_the_session_and_can_be_taken_back(client, warned_items):
    show_mature(client)
    assert client.session["content_consent"]["shows_mature"] is True

    show_mature(client, shows=False)

    assert client.session["content_consent"]["shows_mature"] is False
    assert "Show it" in notice_for(client, product(MATURE))


def test_item_without_warnings_shows_no_notice(client, warned_items):
    assert notice_for(client, product(UNMARKED)).strip() == ""


def test_adult_item_asks_for_the_18_plus_confirmation_and_tiles_show_one_button(
    client, warned_items
):
    item = product(ADULT)
    assert "I am 18 or older" in notice_for(client, item)

    tile = notice_for(client, item, compact=True)
    assert tile.count("<button") == 1
    assert "Nudity" in tile

    show_mature(client)
    assert "I am 18 or older" in notice_for(client, item, compact=True)
    confirm_adult(client)
    assert "I am 18 or older" not in notice_for(client, item)


def test_signed_in_choice_is_saved_on_the_account_and_restored_at_the_next_login(warned_items):
    user = get_user_model().objects.create_user("yuki", "yuki@example.com", "a-long-passphrase")
    first_visit = Client()
    first_visit.force_login(user)

    show_mature(first_visit)
    confirm_adult(first_visit)

    saved = ContentConsent.objects.get(user=user)
    assert saved.shows_mature is True
    assert saved.adult_confirmed_at is not None

    new_browser = Client()
    assert "Show it" in notice_for(new_browser, product(MATURE))
    new_browser.force_login(user)
    assert new_browser.session["content_consent"] == {
        "shows_mature": True,
        "is_adult_confirmed": True,
    }
    assert "Show it" not in notice_for(new_browser, product(MATURE))
    add_to_basket(new_browser, product(ADULT))
    assert Line.objects.filter(product__upc=ADULT).count() == 1


@pytest.mark.parametrize("view", ["catalogue:content-consent", "catalogue:confirm-adult"])
def test_next_pointing_at_another_host_is_not_followed(client, warned_items, view):
    item = product(MATURE)
    evil = {"next": "https://evil.example/steal", "shows_mature": "1"}

    from_product_page = client.post(reverse(view), evil, HTTP_REFERER=item.get_absolute_url())
    without_referrer = client.post(reverse(view), evil)
    protocol_relative = client.post(reverse(view), {"next": "//evil.example/"})

    assert from_product_page["Location"] == item.get_absolute_url()
    assert without_referrer["Location"] == reverse("home")
    assert protocol_relative["Location"] == reverse("home")


@pytest.mark.parametrize("view", ["catalogue:content-consent", "catalogue:confirm-adult"])
def test_consent_views_refuse_get(client, warned_items, view):
    assert client.get(reverse(view)).status_code == 405
    assert "content_consent" not in client.session


@pytest.mark.parametrize("view", ["catalogue:content-consent", "catalogue:confirm-adult"])
def test_consent_views_need_the_csrf_token(warned_items, view):
    client = Client(enforce_csrf_checks=True)
    assert client.post(reverse(view), {"shows_mature": "1"}).status_code == 403
    assert "content_consent" not in client.session


def test_adult_item_is_not_added_to_the_basket_before_the_18_plus_confirmation(
    client, warned_items
):
    item = product(ADULT)
    show_mature(client)  # seeing the item is not the same as confirming one's age

    response = add_to_basket(client, item)

    assert Line.objects.count() == 0
    assert response.status_code == 302
    assert response["Location"] == item.get_absolute_url()
    assert any("is for adults only" in message for message in messages_of(response))


def test_adult_item_is_added_once_the_shopper_confirms_18_plus(client, warned_items):
    item = product(ADULT)

    response = confirm_adult(client, next_url=item.get_absolute_url())
    assert response["Location"] == item.get_absolute_url()
    add_to_basket(client, item)

    assert list(Line.objects.values_list("product__upc", "quantity")) == [(ADULT, 1)]


@pytest.mark.parametrize("upc", [UNMARKED, MATURE])
def test_items_below_adult_are_added_as_before(client, warned_items, upc):
    response = add_to_basket(client, product(upc))

    assert response.status_code == 302
    assert list(Line.objects.values_list("product__upc", flat=True)) == [upc]
    assert not any("adults only" in message for message in messages_of(response))
