"""The card source type and the payment event types are rows made with the database, whose ids
every order then takes from the process instead of asking (shop.payments.kinds)."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from oscar.core.loading import get_model

from shop.payments import kinds

PaymentEventType = get_model("order", "PaymentEventType")
SourceType = get_model("payment", "SourceType")

pytestmark = pytest.mark.django_db


def test_the_payment_kinds_exist_before_the_first_order():
    assert SourceType.objects.filter(code="stripe", name="Card (Stripe)").exists()
    assert set(PaymentEventType.objects.values_list("name", flat=True)) >= set(kinds.EVENT_TYPES)


def test_an_event_type_id_is_asked_for_once_per_process():
    kinds.forget_kinds()
    captured = PaymentEventType.objects.get(name="Captured").pk
    assert kinds.event_type_id("Captured") == captured

    with CaptureQueriesContext(connection) as queries:
        assert kinds.event_type_id("Captured") == captured
        assert kinds.card_source_type_id() == SourceType.objects.get(code="stripe").pk
    assert len(queries) == 2  # the source type's first ask, and the test's own


def test_a_deleted_kind_is_made_again_not_remembered():
    stale = kinds.event_type_id("Refunded")
    PaymentEventType.objects.filter(pk=stale).delete()

    made = kinds.event_type_id("Refunded")

    assert made != stale
    assert PaymentEventType.objects.get(pk=made).name == "Refunded"
    # Made here, in a transaction that may yet roll back: found again, never kept.
    with CaptureQueriesContext(connection) as queries:
        assert kinds.event_type_id("Refunded") == made
    assert len(queries) == 1
