"""Staff edit a description as they wrote it: the glossary's links (and their tooltips) are made
again on save, never handed to the editor, where typing could land inside a tooltip."""

import pytest
from django.urls import reverse

from tests.factories import FranchiseFactory, merch

pytestmark = pytest.mark.django_db

TOOLTIP = 'role="tooltip"'


@pytest.fixture
def ita_bag(demo_shop):
    from blog.models import Term

    return Term.objects.get(slug="ita-bag")


def test_the_dashboard_product_form_holds_no_term_links(ita_bag, staff_client):
    product = merch("Ita Bag Starter Pin")
    product.description = "<p>Made for an ita bag.</p>"
    product.save()
    assert TOOLTIP in product.description  # stored linked, for the product page

    page = staff_client.get(reverse("dashboard:catalogue-product", kwargs={"pk": product.pk}))
    form = page.context["form"]
    assert form.initial["description"] == "<p>Made for an ita bag.</p>"


def test_the_franchise_forms_hold_no_term_links(ita_bag, staff_client):
    franchise = FranchiseFactory(description="<p>Fans fill an ita bag with its pins.</p>")
    franchise.save()
    assert TOOLTIP in franchise.description

    dashboard = staff_client.get(
        reverse("dashboard:catalogue-franchise-update", kwargs={"pk": franchise.pk})
    )
    admin = staff_client.get(
        reverse("admin:catalogue_franchise_change", kwargs={"object_id": franchise.pk})
    )
    assert dashboard.status_code == admin.status_code == 200
    written = "<p>Fans fill an ita bag with its pins.</p>"
    assert dashboard.context["form"].initial["description"] == written
    assert admin.context["adminform"].form.initial["description"] == written
