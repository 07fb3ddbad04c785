"""Staff edit franchises, characters and content warnings in Oscar's dashboard, and tag products."""

import pytest
from django.contrib.auth import get_user_model
from django.urls import reverse
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model

from tests.factories import CharacterFactory, ContentWarningFactory, FranchiseFactory, merch
from tests.staff_forms import product_form_post

Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")
Franchise = get_model("catalogue", "Franchise")
ContentWarning = get_model("catalogue", "ContentWarning")

PRODUCT = "PIN-CHEEKY-PINK"


@pytest.fixture
def pin(db):
    """A product as the dashboard's form accepts it back: in a category, with stock."""
    product = merch("Cheeky Pink-Haired Anime Girl Enamel Pin", upc=PRODUCT)
    ProductCategory.objects.create(product=product, category=create_from_breadcrumbs("Pins"))
    return product


def create_franchise(staff_client, name, characters):
    data = {
        "name": name,
        "slug": "",
        "description": "Sky pirates and a lost kingdom.",
        "characters-TOTAL_FORMS": "3",
        "characters-INITIAL_FORMS": "0",
        "characters-MIN_NUM_FORMS": "0",
        "characters-MAX_NUM_FORMS": "1000",
    }
    for index, character in enumerate(characters):
        data[f"characters-{index}-name"] = character
    return staff_client.post(reverse("dashboard:catalogue-franchise-create"), data)


def test_staff_create_a_franchise_with_characters_and_tag_a_product_with_it(staff_client, pin):
    response = create_franchise(staff_client, "Skyward Saga", ["Captain Aoi", "Pip"])

    assert response.status_code == 302
    assert response["Location"] == reverse("dashboard:catalogue-franchise-list")
    franchise = Franchise.objects.get(name="Skyward Saga")
    assert franchise.slug == "skyward-saga"
    characters = list(franchise.characters.order_by("name"))
    assert [(c.name, c.slug) for c in characters] == [
        ("Captain Aoi", "captain-aoi"),
        ("Pip", "pip"),
    ]
    listing = staff_client.get(reverse("dashboard:catalogue-franchise-list"))
    assert "Skyward Saga" in listing.content.decode()

    product = pin
    warning = ContentWarningFactory(name="Violence and blood", level=ContentWarning.Level.MATURE)
    response = staff_client.post(
        reverse("dashboard:catalogue-product", kwargs={"pk": product.pk}),
        product_form_post(
            staff_client,
            product,
            franchise=str(franchise.pk),
            characters=[str(c.pk) for c in characters],
            content_warnings=[str(warning.pk)],
        ),
    )

    assert response.status_code == 302
    product.refresh_from_db()
    assert product.franchise == franchise
    assert set(product.characters.all()) == set(characters)
    assert list(product.content_warnings.all()) == [warning]
    assert product.warning_level == ContentWarning.Level.MATURE


def test_character_of_another_franchise_is_rejected(staff_client, pin):
    product = pin
    before = (product.franchise_id, set(product.characters.all()))
    franchise = FranchiseFactory()
    stranger = CharacterFactory(name="Rival Rin")  # of another franchise

    response = staff_client.post(
        reverse("dashboard:catalogue-product", kwargs={"pk": product.pk}),
        product_form_post(
            staff_client, product, franchise=str(franchise.pk), characters=[str(stranger.pk)]
        ),
    )

    assert response.status_code == 200
    errors = response.context["form"].errors["characters"]
    assert errors == [f"Rival Rin not of the franchise “{franchise.name}”."]
    product.refresh_from_db()
    assert (product.franchise_id, set(product.characters.all())) == before


def test_staff_create_edit_and_delete_content_warnings(staff_client, pin):
    response = staff_client.post(
        reverse("dashboard:catalogue-content-warning-create"),
        {"name": "Body horror", "slug": "", "level": "2", "explanation": "Transformations."},
    )
    assert response.status_code == 302
    warning = ContentWarning.objects.get(slug="body-horror")
    assert warning.level == ContentWarning.Level.MATURE

    product = pin
    product.content_warnings.add(warning)
    staff_client.post(
        reverse("dashboard:catalogue-content-warning-update", kwargs={"pk": warning.pk}),
        {"name": "Body horror", "slug": "body-horror", "level": "3", "explanation": "Gore."},
    )
    product.refresh_from_db()
    assert product.warning_level == ContentWarning.Level.ADULT

    confirm = staff_client.get(
        reverse("dashboard:catalogue-content-warning-delete", kwargs={"pk": warning.pk})
    )
    assert "is on 1 product" in confirm.content.decode()
    staff_client.post(
        reverse("dashboard:catalogue-content-warning-delete", kwargs={"pk": warning.pk})
    )
    assert not ContentWarning.objects.filter(pk=warning.pk).exists()
    product.refresh_from_db()
    assert product.warning_level == 0


def test_catalogue_menu_links_to_franchises_and_content_warnings(staff_client):
    page = staff_client.get(reverse("dashboard:index")).content.decode()

    assert reverse("dashboard:catalogue-franchise-list") in page
    assert reverse("dashboard:catalogue-content-warning-list") in page


@pytest.mark.parametrize(
    "url",
    [
        reverse("dashboard:catalogue-franchise-list"),
        reverse("dashboard:catalogue-franchise-create"),
        reverse("dashboard:catalogue-content-warning-list"),
        reverse("dashboard:catalogue-content-warning-create"),
    ],
)
@pytest.mark.django_db
def test_anonymous_are_sent_to_login_and_customers_are_refused(client, url):
    sneaky = {"name": "Sneaky", "level": "1", "explanation": "x"}

    # As everywhere in Oscar's dashboard: log in first; a signed-in customer is refused.
    for response in (client.get(url), client.post(url, sneaky)):
        assert response.status_code == 302
        assert response["Location"].startswith(reverse("dashboard:login"))
    client.force_login(get_user_model().objects.create_user("kei", "kei@example.com", "pw-12345"))
    assert client.get(url).status_code == 403
    assert client.post(url, sneaky).status_code == 403

    assert not Franchise.objects.filter(name="Sneaky").exists()
    assert not ContentWarning.objects.filter(name="Sneaky").exists()


def test_franchise_delete_asks_first_then_removes_it_and_its_characters(staff_client):
    franchise = FranchiseFactory(name="Short-lived")
    CharacterFactory(franchise=franchise)
    ContentWarningFactory()  # unrelated rows stay
    url = reverse("dashboard:catalogue-franchise-delete", kwargs={"pk": franchise.pk})

    assert "is on 0 products" in staff_client.get(url).content.decode()
    staff_client.post(url)

    assert not Franchise.objects.filter(pk=franchise.pk).exists()
