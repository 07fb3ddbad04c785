"""Staff reach what their role needs: blog editors write posts and never change the catalogue's
taxonomy nor see sales; catalogue managers run franchises, characters and content warnings."""

from decimal import Decimal

import pytest
from django.contrib.auth.models import Group
from django.urls import URLPattern, URLResolver, get_resolver, reverse
from oscar.core.loading import get_model
from oscar.test.factories import create_order

from tests.factories import (
    CharacterFactory,
    ContentWarningFactory,
    FranchiseFactory,
    merch,
    staff_member,
)
from tests.staff_forms import admin_warning_form, warning_form

ContentWarning = get_model("catalogue", "ContentWarning")
Order = get_model("order", "Order")

pytestmark = pytest.mark.django_db

TAXONOMY_PERMISSIONS = {
    f"{action}_{model}"
    for model in ("franchise", "character", "contentwarning")
    for action in ("add", "change", "delete", "view")
}


@pytest.fixture
def nudity():
    """The warning of the incident: Adult (18+), on a product behind the 18+ gate."""
    warning = ContentWarningFactory(name="Nudity", slug="nudity", level=ContentWarning.Level.ADULT)
    product = merch("Beach Episode Acrylic Stand", upc="STAND-BEACH", warnings=[warning])
    assert product.is_adult
    return warning


@pytest.fixture
def editor_client(client):
    client.force_login(staff_member("mika", "Blog editors"))
    return client


@pytest.fixture
def manager_client(client):
    client.force_login(staff_member("sora", "Catalogue managers"))
    return client


def order_of(total: Decimal):
    order = create_order(number="100042")
    Order.objects.filter(pk=order.pk).update(total_incl_tax=total)
    return order


def taxonomy_urls() -> list[str]:
    franchise = FranchiseFactory()
    CharacterFactory(franchise=franchise)
    warning = ContentWarningFactory()
    return [
        reverse("dashboard:catalogue-franchise-list"),
        reverse("dashboard:catalogue-franchise-create"),
        reverse("dashboard:catalogue-franchise-update", kwargs={"pk": franchise.pk}),
        reverse("dashboard:catalogue-franchise-delete", kwargs={"pk": franchise.pk}),
        reverse("dashboard:catalogue-content-warning-list"),
        reverse("dashboard:catalogue-content-warning-create"),
        reverse("dashboard:catalogue-content-warning-update", kwargs={"pk": warning.pk}),
        reverse("dashboard:catalogue-content-warning-delete", kwargs={"pk": warning.pk}),
    ]


# --- The groups ------------------------------------------------------------------------------


def test_catalogue_managers_hold_the_taxonomy_permissions_and_blog_editors_none_that_change_it():
    def codenames(group):
        return set(Group.objects.get(name=group).permissions.values_list("codename", flat=True))

    assert TAXONOMY_PERMISSIONS | {"view_contentwarninglevelchange"} <= codenames(
        "Catalogue managers"
    )
    # Blog editors tick warnings on posts: they see the list, and change nothing in it.
    assert codenames("Blog editors") & TAXONOMY_PERMISSIONS == {"view_contentwarning"}


# --- Blog editors in the dashboard -----------------------------------------------------------


def test_blog_editor_cannot_turn_an_adult_warning_into_a_notice(editor_client, nudity):
    url = reverse("dashboard:catalogue-content-warning-update", kwargs={"pk": nudity.pk})

    response = editor_client.post(url, warning_form(nudity, level="1"))

    assert response.status_code == 403
    nudity.refresh_from_db()
    assert nudity.level == ContentWarning.Level.ADULT
    assert nudity.products.get().is_adult


def test_blog_editor_is_refused_every_franchise_character_and_warning_page(editor_client):
    for url in taxonomy_urls():
        assert editor_client.get(url).status_code == 403, url
        assert editor_client.post(url, {"name": "Sneaky"}).status_code == 403, url


def test_blog_editor_is_refused_orders_reports_and_customers(editor_client):
    order = create_order(number="100042")
    customer = staff_member("buyer")
    urls = [
        reverse("dashboard:order-list"),
        reverse("dashboard:order-detail", kwargs={"number": order.number}),
        reverse("dashboard:order-stats"),
        reverse("dashboard:reports-index"),
        reverse("dashboard:users-index"),
        reverse("dashboard:user-detail", kwargs={"pk": customer.pk}),
        reverse("dashboard:offer-list"),
        reverse("dashboard:voucher-list"),
        reverse("dashboard:partner-list"),
        reverse("dashboard:stock-alert-list"),
    ]
    for url in urls:
        assert editor_client.get(url).status_code == 403, url


def test_blog_editor_sees_no_sales_figures_on_the_dashboard_home(editor_client):
    order_of(Decimal("987.65"))

    response = editor_client.get(reverse("dashboard:index"))

    assert response.status_code == 200
    page = response.content.decode()
    for figure in ("987.65", "Total revenue", "Total Orders", "Total Customers", "stock alerts"):
        assert figure not in page
    assert "total_revenue" not in response.context
    # The way to the blog is on the page instead.
    assert reverse("admin:blog_post_changelist") in page


def test_blog_editor_menu_offers_no_catalogue_taxonomy_orders_or_customers(editor_client):
    page = editor_client.get(reverse("dashboard:index")).content.decode()

    for url_name in (
        "dashboard:catalogue-franchise-list",
        "dashboard:catalogue-content-warning-list",
        "dashboard:order-list",
        "dashboard:users-index",
        "dashboard:reports-index",
    ):
        assert f'href="{reverse(url_name)}"' not in page


def test_shop_manager_with_order_permissions_sees_the_figures(client):
    order_of(Decimal("987.65"))
    client.force_login(staff_member("hana", permissions=("order.view_order",)))

    page = client.get(reverse("dashboard:index")).content.decode()

    assert "987.65" in page
    assert "Total revenue" in page


def test_every_dashboard_page_but_home_and_sign_in_needs_a_model_permission():
    def patterns(resolver, prefix=""):
        for pattern in resolver.url_patterns:
            if isinstance(pattern, URLResolver):
                yield from patterns(pattern, prefix + str(pattern.pattern))
            elif isinstance(pattern, URLPattern):
                yield prefix + str(pattern.pattern), pattern

    from oscar.apps.dashboard.nav import _dashboard_url_names_to_config

    configs = _dashboard_url_names_to_config()
    dashboard = [(route, p) for route, p in patterns(get_resolver()) if p.name in configs]
    assert len(dashboard) > 60
    unguarded = []
    for route, pattern in dashboard:
        if pattern.name in ("index", "login", "logout"):
            continue
        permissions = configs[pattern.name].get_permissions(pattern.name)
        options = permissions if isinstance(permissions, tuple) else (permissions or [],)
        if not all(any("." in permission for permission in option) for option in options):
            unguarded.append(route)
    assert unguarded == []


# --- Catalogue managers ----------------------------------------------------------------------


def test_catalogue_manager_edits_a_warning_and_sees_the_taxonomy_in_the_menu(
    manager_client, nudity
):
    page = manager_client.get(reverse("dashboard:index")).content.decode()
    assert f'href="{reverse("dashboard:catalogue-content-warning-list")}"' in page
    assert f'href="{reverse("dashboard:catalogue-franchise-list")}"' in page
    assert "Total revenue" not in page

    url = reverse("dashboard:catalogue-content-warning-update", kwargs={"pk": nudity.pk})
    assert manager_client.get(url).status_code == 200
    response = manager_client.post(url, warning_form(nudity, level="2"))

    assert response.status_code == 302
    nudity.refresh_from_db()
    assert nudity.level == ContentWarning.Level.MATURE


def test_catalogue_manager_reaches_every_taxonomy_page(manager_client):
    for url in taxonomy_urls():
        assert manager_client.get(url).status_code == 200, url


# --- The same rule in the admin --------------------------------------------------------------


def test_blog_editor_cannot_change_a_warning_or_a_franchise_in_the_admin(editor_client, nudity):
    franchise = FranchiseFactory()
    url = reverse("admin:catalogue_contentwarning_change", args=[nudity.pk])

    response = editor_client.post(url, warning_form(nudity, level="1"))

    assert response.status_code == 403
    nudity.refresh_from_db()
    assert nudity.level == ContentWarning.Level.ADULT
    franchise_url = reverse("admin:catalogue_franchise_change", args=[franchise.pk])
    assert editor_client.get(franchise_url).status_code == 403


def test_catalogue_manager_changes_a_warning_in_the_admin(manager_client, nudity):
    url = reverse("admin:catalogue_contentwarning_change", args=[nudity.pk])
    form = admin_warning_form(nudity, level="2")

    response = manager_client.post(url, form)

    assert response.status_code == 302
    nudity.refresh_from_db()
    assert nudity.level == ContentWarning.Level.MATURE


def test_demo_staff_keeps_the_figures_orders_and_every_taxonomy_page(demo_shop, staff_client):
    home = staff_client.get(reverse("dashboard:index")).content.decode()
    assert "Total revenue" in home
    assert staff_client.get(reverse("dashboard:order-list")).status_code == 200
    for url in taxonomy_urls():
        assert staff_client.get(url).status_code == 200, url
