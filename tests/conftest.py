"""Shared fixtures: media in a temporary folder, product views counted per test, the demo shop,
a staff client."""

import uuid

import pytest
from django.core.cache import cache
from django.db.models.signals import post_migrate
from django.test import override_settings
from hypothesis import settings as hypothesis_settings

from catalogue import view_counts
from shop.devtools.demo.seed import seed_demo
from tests import demo_snapshot

# Property tests are reproducible and leave nothing behind: the same examples on every run, no
# example database in the worktree, no deadline on a shared machine.
hypothesis_settings.register_profile("shop", derandomize=True, database=None, deadline=None)
hypothesis_settings.load_profile("shop")


def pytest_configure(config):
    config.addinivalue_line(
        "markers", "page_cache: run with whole-page caching on (tests/test_page_cache.py)"
    )
    config.addinivalue_line("markers", "browser: a journey in Chromium (tests/browser)")
    config.addinivalue_line(
        "markers", "object_storage: media in a local S3 server, moto's (tests/storage)"
    )


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """pytest-django's, then: a transactional test (browser journeys, concurrency) ends with a flush, which empties the
    rows the data migrations made: the groups ("Blog editors", "Catalogue managers") and the
    shop's e-mail communication types. Django then remakes the permissions (post_migrate), and
    this the groups, with the ids and permissions they had after migrating (the demo snapshot's
    rows, tests/demo_snapshot.py, refer to those ids), and the communication types.

    It extends the set-up rather than running for every session: a run with no test that uses the
    database sets none up, and the rows would be read from the database the settings name."""
    from django.contrib.auth.models import Group, Permission
    from oscar.core.loading import get_model

    CommunicationEventType = get_model("communication", "CommunicationEventType")
    with django_db_blocker.unblock():
        migrated = [
            (
                group.pk,
                group.name,
                list(group.permissions.values_list("content_type__app_label", "codename")),
            )
            for group in Group.objects.all()
        ]
        email_types = list(CommunicationEventType.objects.values("code", "name", "category"))

    def remake(sender, using, **kwargs):
        if sender.label != "blog":  # the last of our apps: every permission the roles hold exists
            return
        for pk, name, permissions in migrated:
            group, _ = Group.objects.using(using).update_or_create(pk=pk, defaults={"name": name})
            group.permissions.set(
                Permission.objects.using(using).get(
                    content_type__app_label=label, codename=codename
                )
                for label, codename in permissions
            )
        for email_type in email_types:
            CommunicationEventType.objects.using(using).get_or_create(
                code=email_type["code"], defaults=email_type
            )

    post_migrate.connect(remake, dispatch_uid="tests.remake_roles", weak=False)
    yield
    post_migrate.disconnect(dispatch_uid="tests.remake_roles")


@pytest.fixture(autouse=True)
def _mail_through_the_worker(settings):
    """E-mail goes the way it does in production, queued for the task worker
    (tests/tasks.py runs it); the worker delivers into Django's test outbox."""
    settings.EMAIL_BACKEND = "shop.mail.QueuedEmailBackend"
    settings.EMAIL_DELIVERY_BACKEND = "django.core.mail.backends.locmem.EmailBackend"


@pytest.fixture(autouse=True)
def _review_counts_start_at_zero(monkeypatch):
    """Every test client writes from 127.0.0.1, and the review throttle counts an address for an
    hour (catalogue.reviews.throttle): each test counts under keys of its own."""
    monkeypatch.setattr("catalogue.reviews.throttle.KEY_PREFIX", f"reviews:sent:{uuid.uuid4().hex}")


@pytest.fixture(autouse=True)
def _page_cache(request, settings):
    """Pages are rendered afresh in tests (query budgets measure the render), unless a test
    is about the page cache itself. Every test starts with an empty cache: a part kept by an
    earlier test in the same worker (a search's suggestions, the menu) would otherwise save a
    query there and not when the test runs alone."""
    from shop.pagecache import forget_local

    settings.SHOP_PAGE_CACHE = request.node.get_closest_marker("page_cache") is not None
    cache.clear()
    forget_local()


@pytest.fixture(autouse=True)
def _site_offers_afresh():
    """The site offers are kept in the cache (shop.offer.applicator.site_offers); a test's rolled
    back offers send no signal, so each test starts by ending that entry."""
    from catalogue import generations

    generations.bump([generations.OFFERS])


@pytest.fixture(autouse=True)
def _product_view_counts(settings, monkeypatch):
    """Each test counts product views (and every other tally, such as the blog's article figures)
    afresh, and they are written only when the test flushes them
    (tests/catalogue/test_product_views.py): never inside another test's query budget."""
    settings.SHOP_PRODUCT_VIEWS_FLUSH_SECONDS = 24 * 60 * 60
    for tally in view_counts.TALLIES.values():
        monkeypatch.setattr(tally, "counter", view_counts.ViewCounter(tally))


def media_root(tmp_path_factory) -> str:
    return str(tmp_path_factory.getbasetemp() / "media")


@pytest.fixture(autouse=True)
def _media_root(settings, tmp_path_factory):
    """Uploads and thumbnails go to a per-session temporary folder, never to var/."""
    settings.MEDIA_ROOT = media_root(tmp_path_factory)


@pytest.fixture(scope="session")
def _demo_rows(django_db_setup, django_db_blocker, tmp_path_factory):
    """What `seed_demo` writes, seeded once per run (tests.demo_snapshot)."""
    with django_db_blocker.unblock(), override_settings(MEDIA_ROOT=media_root(tmp_path_factory)):
        return demo_snapshot.capture(lambda: seed_demo(with_staff=True))


@pytest.fixture
def demo_shop(db, _demo_rows):
    """The demo catalogue of `seed_demo`, with the demo staff account. Its rows keep the ids they
    were seeded with: ask for it before fixtures that write rows of their own."""
    demo_snapshot.restore(_demo_rows)
    cache.clear()  # nothing cached from another test's copy of the same rows


@pytest.fixture
def staff_client(client, django_user_model):
    """Signed in as staff with every permission: the demo's staff account when the test asked for
    the demo shop first, else one made for the test."""
    staff = django_user_model.objects.filter(username="staff").first()
    client.force_login(
        staff or django_user_model.objects.create_superuser("staff", "staff@example.com", "x")
    )
    return client


@pytest.fixture
def stripe_sim(settings, monkeypatch):
    """Payments in simulator mode, with the simulator reached in-process through the SDK."""
    from shop.devtools.stripe_simulator import InProcessHTTPClient, Simulator
    from shop.payments import client as payments_client

    settings.STRIPE_MODE = "simulator"
    simulator = Simulator(base_url=settings.STRIPE_SIMULATOR_URL)
    monkeypatch.setattr(payments_client, "http_client", lambda: InProcessHTTPClient(simulator))
    return simulator


@pytest.fixture
def sim_client(stripe_sim):
    """A StripeClient on the simulator, for what Stripe.js or Stripe's dashboard would do."""
    from shop.payments.client import stripe_client

    return stripe_client()
