"""The database not answering (PostgreSQL down or restarting): every page is the shop's own 503
with Retry-After, no traceback; the outage is logged when it starts, once per interval while it
lasts (with the count of 503s) and when it ends, not once per request. The first request after it
is back is served as usual, by the same process (shop/errors.py). Any other database error stays a
500."""

import logging

import pytest
from django.core.handlers.exception import convert_exception_to_response
from django.db import OperationalError, connection
from django.db.backends.signals import connection_created
from django.test import Client
from django.urls import path
from oscar.core.loading import get_model

from shop import errors, outages, replicas
from shop import urls as shop_urls
from shop.payments.models import PaymentAttempt
from tests.factories import merch
from tests.redis_standin import refused_port
from tests.shopping import card, place_order, to_payment_step


def failing_statement(request):
    """A statement the server refuses while the connection stays fine (as a deadlock would)."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("SET LOCAL statement_timeout = 1")
            cursor.execute("SELECT pg_sleep(1)")
        else:
            cursor.execute("SELECT * FROM no_such_table")


urlpatterns = [*shop_urls.urlpatterns, path("test-errors/statement/", failing_statement)]
handler500 = shop_urls.handler500

pytestmark = [pytest.mark.django_db, pytest.mark.urls(__name__)]

TRANSACTION_STATE = (
    "autocommit",
    "in_atomic_block",
    "savepoint_state",
    "savepoint_ids",
    "atomic_blocks",
    "commit_on_exit",
    "needs_rollback",
    "run_on_commit",
    "errors_occurred",
)


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture(autouse=True)
def clock(monkeypatch):
    """Each test starts with the database answering, as far as this process's outage log knows."""
    clock = Clock()
    outage = errors.DatabaseOutage(report_every=30, clock=clock)
    monkeypatch.setattr(errors, "outage", outage)
    yield clock
    outage.stop_watching()


@pytest.fixture
def production(settings):
    settings.DEBUG = False
    return Client(raise_request_exception=False)


@pytest.fixture
def database_gone(monkeypatch):
    """As while the server restarts: the open connection is gone and new ones are refused, through
    Django's own connect (SQLite's in-memory test database cannot really be closed). Calling the
    fixture's value brings the database back."""
    kept = connection.connection
    # Django's connect() starts by forgetting the transaction state: the test's own transaction.
    state = {name: getattr(connection, name) for name in TRANSACTION_STATE}

    def refused(params):
        raise connection.Database.OperationalError("connection refused")

    monkeypatch.setattr(connection, "get_new_connection", refused)
    connection.connection = None

    def back():
        monkeypatch.undo()
        connection.connection = kept
        for name, value in state.items():
            setattr(connection, name, value)

    yield back
    back()


def assert_branded_503(response):
    page = response.content.decode()
    assert response.status_code == 503
    assert response["Retry-After"] == "30"
    assert "Back in a moment" in page and "Pin Senpai" in page
    assert 'class="site-header"' in page


def assert_one_line_logged(caplog, path):
    [record] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert record.levelno == logging.ERROR
    assert record.getMessage().startswith("Database unavailable (")
    assert record.getMessage().endswith(f"first: {path}")
    assert record.exc_info is None


def outage_lines(caplog) -> list[str]:
    return [
        f"{r.levelname} {r.getMessage()}"
        for r in caplog.records
        if r.levelno >= logging.WARNING and r.name == "shop.errors"
    ]


def test_pages_are_a_branded_503_while_the_database_is_gone(production, database_gone, caplog):
    for url in ["/", "/catalogue/", "/basket/", "/accounts/login/"]:
        assert_branded_503(production.get(url))

    assert_one_line_logged(caplog, "/")


def test_an_outage_is_logged_at_its_start_once_per_interval_with_a_count_and_at_its_end(
    production, database_gone, caplog, clock
):
    for _ in range(5):
        production.get("/catalogue/")
    clock.now += 29
    production.get("/basket/")
    assert len(caplog.records) == 1  # five or six requests: one line

    clock.now += 1
    production.get("/basket/")
    clock.now += 12
    production.get("/")
    production.get("/")
    database_gone()  # as Django's connect() says once the server takes connections again:
    connection_created.send(sender=type(connection), connection=connection)
    connection_created.send(sender=type(connection), connection=connection)

    assert outage_lines(caplog) == [
        "ERROR Database unavailable (OperationalError: connection refused): every request "
        "answered 503 until it is back; first: /catalogue/",
        "ERROR Database still unavailable after 30 s (OperationalError: connection refused): "
        "6 requests answered 503 since the last report",
        "WARNING Database answering again after 42 s: 2 requests answered 503 since the last "
        "report",
    ]
    assert all(r.exc_info is None for r in caplog.records)


def test_another_outage_is_logged_afresh(production, database_gone, caplog, clock):
    production.get("/catalogue/")
    connection_created.send(sender=type(connection), connection=connection)
    caplog.clear()

    production.get("/basket/")

    assert_one_line_logged(caplog, "/basket/")


@pytest.fixture
def pin(db):
    return merch("Cheeky Pink-Haired Anime Girl Enamel Pin")


def test_the_first_request_after_the_database_returns_is_served(production, pin, database_gone):
    assert production.get(pin.get_absolute_url()).status_code == 503

    database_gone()
    response = production.get(pin.get_absolute_url())

    assert response.status_code == 200 and b"Cheeky Pink-Haired" in response.content


def test_a_database_error_that_is_not_an_outage_is_a_500_with_its_traceback(production, caplog):
    response = production.get("/test-errors/statement/")

    assert response.status_code == 500
    [record] = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert record.exc_info is not None


@pytest.mark.django_db(transaction=True)
@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL server's port")
def test_postgresql_refusing_connections_is_a_503_and_its_return_needs_no_restart(
    production, caplog
):
    merch("Cheeky Pink-Haired Anime Girl Enamel Pin")
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = refused_port()
    try:
        response = production.get("/catalogue/")
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port

    assert_branded_503(response)
    assert_one_line_logged(caplog, "/catalogue/")
    back = production.get("/catalogue/")
    assert back.status_code == 200 and b"Cheeky Pink-Haired" in back.content
    assert outage_lines(caplog)[-1].startswith("WARNING Database answering again after ")


def test_a_render_that_failed_on_a_read_replica_is_not_logged_as_an_outage(
    rf, settings, monkeypatch, caplog
):
    """The page cache renders it again on the primary (shop.pagecache), and the shopper gets that
    page: an error line saying the database is unavailable would be false."""
    settings.DEBUG = False
    monkeypatch.setattr(outages, "database_is_unreachable", lambda: True)  # the replica's is gone

    def view(request):
        raise OperationalError("terminating connection due to administrator command")

    token = replicas._in_use.set((replicas.Replica("replica1"), replicas.Reading(failed=True)))
    try:
        response = convert_exception_to_response(view)(rf.get("/catalogue/"))
    finally:
        replicas._in_use.reset(token)

    assert response.status_code == 503  # dropped for the render on the primary
    assert [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR] == []


def test_a_stripe_webhook_while_the_database_is_gone_is_a_503_stripe_retries(
    production, stripe_sim, database_gone, caplog
):
    event = {
        "id": "evt_during_outage",
        "object": "event",
        "type": "payment_intent.succeeded",
        "data": {"object": {"id": "pi_during_outage", "object": "payment_intent"}},
    }
    body, signature = stripe_sim.webhook_request(event)

    response = production.post(
        "/payments/stripe/webhook/",
        data=body,
        content_type="application/json",
        HTTP_STRIPE_SIGNATURE=signature,
    )

    assert response.status_code == 503  # not 2xx: Stripe sends it again later
    [record] = [r for r in caplog.records if r.levelno >= logging.WARNING]
    assert record.getMessage().startswith("Stripe webhook evt_during_outage")
    assert "the database is not answering" in record.getMessage()
    assert record.exc_info is None


@pytest.mark.parametrize("row_written", [True, False], ids=["cancel-noted", "cancel-not-noted"])
def test_the_database_going_away_while_an_order_is_written_releases_the_hold_in_one_line(
    production, stripe_sim, sim_client, monkeypatch, caplog, row_written
):
    """A PostgreSQL restart under the order's transaction: the shopper gets the 503 page every
    request gets meanwhile, the money held goes back, and the log says so without a traceback."""
    pin = merch("Moonlit Ronin Pin", price="15.00", stock=3)
    to_payment_step(production, pin)

    def server_restarts(*args, **kwargs):
        monkeypatch.setattr(connection, "errors_occurred", True)
        monkeypatch.setattr(connection, "is_usable", lambda: False)
        if not row_written:
            monkeypatch.setattr(PaymentAttempt, "save", refused)
        raise OperationalError("terminating connection due to administrator command")

    def refused(*args, **kwargs):
        raise OperationalError("the database system is shutting down")

    monkeypatch.setattr("oscar.apps.order.utils.OrderCreator.create_order_model", server_restarts)
    response = place_order(production, card(sim_client))

    assert_branded_503(response)
    [intent] = stripe_sim.payment_intents.values()
    assert intent["status"] == "canceled"
    # The attempt was written in the order's transaction, which the restart took with it.
    assert not get_model("order", "Order").objects.exists()
    assert get_model("partner", "StockRecord").objects.get(product=pin).num_allocated in (0, None)
    assert all(r.exc_info is None for r in caplog.records)
    lines = [r.getMessage() for r in caplog.records if r.levelno >= logging.ERROR]
    assert lines[0] == (
        f"Order {intent['metadata']['order_number']} (basket {intent['metadata']['basket_id']}): "
        "the database stopped answering while the order was placed (terminating connection "
        "due to administrator command); cancelling the authorisation"
    )
    assert lines[-1].startswith("Database unavailable (OperationalError: terminating connection")
