"""Staff-written HTML is cleaned on every save (catalogue.staff_html): whether it comes through the
dashboard, the admin or the ORM, no script reaches a shopper's or a staff member's page."""

import pytest
from django.contrib.flatpages.models import FlatPage
from django.contrib.sites.models import Site
from django.urls import reverse
from oscar.apps.catalogue.categories import create_from_breadcrumbs
from oscar.core.loading import get_model
from oscar.test.factories import ConditionalOfferFactory

from tests.commits import commits
from tests.factories import FranchiseFactory, merch
from tests.staff_forms import form_data, product_form_post

Product = get_model("catalogue", "Product")
ProductCategory = get_model("catalogue", "ProductCategory")
WeightBased = get_model("shipping", "WeightBased")
Range = get_model("offer", "Range")

# Each payload carries "pwn-mark" only in its dangerous part: once cleaned, the word is gone. (A
# hyphenated marker: a CSRF token or script nonce in the page can never contain it by chance.)
PAYLOADS = [
    "<img src=x onerror=alert('pwn-mark')>",
    "<a href=\"javascript:alert('pwn-mark')\">click</a>",
    "<a href=\"JaVaScRiPt&#58;alert('pwn-mark')\">click</a>",
    '<a href="data:text/html;base64,pwn-mark">click</a>',
    '<img src="data:image/svg+xml,pwn-mark">',
    "<svg onload=alert('pwn-mark')>",
    "<svg><script>alert('pwn-mark')</script></svg>",
    "<script>alert('pwn-mark')</script>",
    '<iframe src="https://pwn-mark.example/"></iframe>',
    "<style>body { background: url(https://pwn-mark.example/) }</style>",
    '<p style="background: url(https://pwn-mark.example/)">styled</p>',
    "<p onclick=\"alert('pwn-mark')\">clicked</p>",
    '<form action="https://pwn-mark.example/"><input name=q></form>',
    '<object data="https://pwn-mark.example/"></object>',
    "<math><mi xlink:href=\"javascript:alert('pwn-mark')\">x</mi></math>",
    "<!-- <script>alert('pwn-mark')</script> -->",
]

HARMLESS = "<p>Hard <strong>enamel</strong>, <em>gold</em> plating.</p><ul><li>25 mm</li></ul>"
DIRTY = HARMLESS + "".join(PAYLOADS)
CARE_LINK = '<p><a href="https://pins.example/care">Care guide</a></p>'


def page(client, url) -> str:
    response = client.get(url)
    assert response.status_code == 200
    return response.content.decode()


def assert_clean(html: str) -> None:
    """The payloads' marker is gone and the harmless markup is shown as markup."""
    assert "pwn-mark" not in html.lower()
    assert "<strong>enamel</strong>" in html
    assert "<li>25 mm</li>" in html


@pytest.fixture
def pin(db):
    product = merch("Cheeky Pink-Haired Anime Girl Enamel Pin", upc="PIN-CHEEKY-PINK")
    ProductCategory.objects.create(product=product, category=create_from_breadcrumbs("Pins"))
    return product


def test_product_description_from_the_dashboard_form_reaches_the_page_clean(
    staff_client, client, pin
):
    response = staff_client.post(
        reverse("dashboard:catalogue-product", kwargs={"pk": pin.pk}),
        product_form_post(staff_client, pin, description=DIRTY + CARE_LINK),
    )

    assert response.status_code == 302
    pin.refresh_from_db()
    assert "pwn-mark" not in pin.description
    shown = page(client, pin.get_absolute_url())
    assert_clean(shown)
    assert '<a rel="noopener noreferrer" href="https://pins.example/care">' in shown
    assert_clean(page(staff_client, pin.get_absolute_url()))


def test_category_description_from_the_dashboard_form_reaches_the_page_clean(
    staff_client, client, pin
):
    category = pin.categories.get()
    url = reverse("dashboard:catalogue-category-update", kwargs={"pk": category.pk})
    form = staff_client.get(url).context["form"]

    response = staff_client.post(url, form_data(form) | {"description": DIRTY})

    assert response.status_code == 302
    category.refresh_from_db()
    assert "pwn-mark" not in category.description
    assert_clean(page(client, category.get_absolute_url()))


def test_product_description_from_the_admin_reaches_the_page_clean(staff_client, client, pin):
    url = reverse("admin:catalogue_product_change", args=[pin.pk])
    context = staff_client.get(url).context
    data = form_data(context["adminform"].form)
    for inline in context["inline_admin_formsets"]:
        data |= form_data(inline.formset.management_form)
        for form in inline.formset:
            data |= form_data(form)

    response = staff_client.post(url, data | {"description": DIRTY})

    assert response.status_code == 302
    assert_clean(page(client, pin.get_absolute_url()))


def test_product_category_and_franchise_saved_through_the_orm_reach_their_pages_clean(client, pin):
    pin.description = DIRTY
    pin.save()
    category = pin.categories.get()
    category.description = category.long_description = DIRTY
    category.save()
    franchise = FranchiseFactory(name="Skyward Saga", slug="skyward-saga", description=DIRTY)
    pin.franchise = franchise
    pin.save()

    assert_clean(page(client, pin.get_absolute_url()))
    assert_clean(page(client, category.get_absolute_url()))
    assert_clean(page(client, franchise.get_absolute_url()))
    category.refresh_from_db()
    assert "pwn-mark" not in category.long_description


def test_offer_and_range_descriptions_reach_the_offer_pages_clean(client, pin):
    offer = ConditionalOfferFactory(name="Pin week", slug="pin-week", description=DIRTY)
    offer.condition.range.description = DIRTY
    offer.condition.range.is_public = True
    offer.condition.range.save()
    public_range = Range.objects.create(name="Pins", slug="pins", is_public=True, description=DIRTY)

    assert_clean(page(client, reverse("offer:list")))
    assert_clean(page(client, reverse("offer:detail", kwargs={"slug": offer.slug})))
    assert_clean(page(client, reverse("catalogue:range", kwargs={"slug": public_range.slug})))


def test_weight_based_shipping_description_reaches_the_dashboard_clean(staff_client):
    method = WeightBased.objects.create(name="Heavy parcels", description=DIRTY)

    assert_clean(page(staff_client, reverse("dashboard:shipping-method-detail", args=[method.pk])))


def test_flat_page_content_is_clean_and_its_title_escaped(client, db):
    flat = FlatPage.objects.create(
        url="/care/", title="Care <script>alert(1)</script>", content=DIRTY
    )
    flat.sites.add(Site.objects.get_current())

    shown = page(client, "/care/")

    assert_clean(shown)
    assert "<script>alert(1)" not in shown
    assert "Care &lt;script&gt;alert(1)&lt;/script&gt;" in shown


@pytest.mark.page_cache
@commits
def test_a_cached_product_page_shows_the_cleaned_description_after_a_save(client, pin):
    pin.description = "<p>First words.</p>"
    pin.save()
    page(client, pin.get_absolute_url())
    assert client.get(pin.get_absolute_url())["X-Page-Cache"] == "hit"

    pin.description = DIRTY
    pin.save()

    response = client.get(pin.get_absolute_url())
    assert "X-Page-Cache" not in response
    assert_clean(response.content.decode())


def test_a_cleaned_description_reads_the_same_in_the_page_and_its_meta_description(client, pin):
    franchise = FranchiseFactory(
        name="Skyward Saga",
        slug="skyward-saga",
        description="Sky pirates & a <em>lost</em> kingdom.",
    )
    category = pin.categories.get()
    category.description = "<p>Pins & badges.</p>"
    category.save()

    franchise_page = page(client, franchise.get_absolute_url())
    category_page = page(client, category.get_absolute_url())

    assert "Sky pirates &amp; a <em>lost</em> kingdom." in franchise_page
    assert '<meta name="description" content="Sky pirates &amp; a lost kingdom.">' in franchise_page
    assert '<meta name="description" content="Pins &amp; badges.">' in category_page
