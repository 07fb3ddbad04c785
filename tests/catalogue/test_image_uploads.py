"""Product and category images uploaded by staff, in Oscar's dashboard and in the admin: a refused
file is a form error on the page (never a 500), and leaves no row and no file behind; an accepted
one is stored re-encoded, without its EXIF."""

from pathlib import Path

import pytest
from django.conf import settings
from django.urls import reverse
from oscar.core.loading import get_model

from tests import pictures
from tests.factories import merch
from tests.staff_forms import product_form_post

Category = get_model("catalogue", "Category")
ProductImage = get_model("catalogue", "ProductImage")

pytestmark = pytest.mark.django_db

REFUSED = {
    "huge": (pictures.huge_png, "10000x10000 pixels"),
    "heavy": (pictures.heavy_bmp, "the limit is 8.0"),
    "truncated": (pictures.truncated_jpeg, "damaged or incomplete"),
    "polyglot": (pictures.gif_html_polyglot, "JPEG, PNG or WebP"),
}


def media_files() -> set[Path]:
    return {path for path in Path(settings.MEDIA_ROOT).rglob("*") if path.is_file()}


@pytest.fixture
def pin():
    from oscar.apps.catalogue.categories import create_from_breadcrumbs

    ProductCategory = get_model("catalogue", "ProductCategory")
    product = merch("Cheeky Pink-Haired Anime Girl Enamel Pin", upc="PIN-CHEEKY-PINK")
    ProductCategory.objects.create(product=product, category=create_from_breadcrumbs("Pins"))
    return product


def upload_in_dashboard(staff_client, product, upload):
    data = product_form_post(staff_client, product, **{"images-0-original": upload})
    return staff_client.post(
        reverse("dashboard:catalogue-product", kwargs={"pk": product.pk}), data
    )


@pytest.mark.parametrize("case", REFUSED, ids=list(REFUSED))
def test_dashboard_refuses_a_bad_product_image_with_a_form_error_and_keeps_nothing(
    staff_client, pin, case, django_capture_on_commit_callbacks
):
    make_upload, message = REFUSED[case]
    before = media_files()

    with django_capture_on_commit_callbacks(execute=True):
        response = upload_in_dashboard(staff_client, pin, make_upload())

    assert response.status_code == 200
    assert response.context["image_formset"].forms[0].errors["original"]
    assert message in response.content.decode().replace("\xa0", " ")
    assert not ProductImage.objects.exists()
    assert media_files() == before


def test_dashboard_stores_a_photo_re_encoded_without_its_gps(
    staff_client, pin, django_capture_on_commit_callbacks
):
    with django_capture_on_commit_callbacks(execute=True):
        response = upload_in_dashboard(
            staff_client, pin, pictures.jpeg_with_gps_and_comment(orientation=6)
        )

    assert response.status_code == 302
    image = ProductImage.objects.get(product=pin)
    assert image.original.name.endswith(".jpg")
    stored = pictures.read(image.original)
    assert not stored.getexif() and stored.size == (40, 60)  # turned upright, then stripped
    image.original.open("rb")
    assert b"PhoneMaker" not in image.original.read()


@pytest.mark.parametrize("case", ["truncated", "polyglot"])
def test_admin_refuses_a_bad_product_image_with_a_form_error_and_keeps_nothing(
    staff_client, pin, case
):
    make_upload, message = REFUSED[case]
    before = media_files()

    response = staff_client.post(
        reverse("admin:catalogue_productimage_add"),
        {"product": pin.pk, "original": make_upload(), "caption": "", "display_order": 0},
    )

    assert response.status_code == 200
    assert "original" in response.context["adminform"].form.errors
    assert message in response.content.decode()
    assert not ProductImage.objects.exists()
    assert media_files() == before


def test_admin_stores_a_product_image_re_encoded(staff_client, pin):
    response = staff_client.post(
        reverse("admin:catalogue_productimage_add"),
        {"product": pin.pk, "original": pictures.png_with_html_tail(), "display_order": 0},
    )

    assert response.status_code == 302
    image = ProductImage.objects.get(product=pin)
    image.original.open("rb")
    assert b"<script" not in image.original.read()


def category_data(**fields):
    return {
        "name": "Keychains",
        "treebeard_position": "first-child",
        "treebeard_ref_node": "",
    } | fields


@pytest.mark.parametrize(
    "url", ["dashboard:catalogue-category-create", "admin:catalogue_category_add"]
)
def test_category_images_follow_the_same_policy(staff_client, url):
    before = media_files()

    refused = staff_client.post(
        reverse(url), category_data(image=pictures.truncated_jpeg(), slug="keychains")
    )

    assert refused.status_code == 200
    assert "damaged or incomplete" in refused.content.decode()
    assert not Category.objects.filter(name="Keychains").exists()
    assert media_files() == before

    accepted = staff_client.post(
        reverse(url), category_data(image=pictures.jpeg_with_gps_and_comment(), slug="keychains")
    )

    assert accepted.status_code == 302
    category = Category.objects.get(name="Keychains")
    assert not pictures.read(category.image).getexif()
