"""The kinds of rows card payments are recorded under: Oscar's payment source type for cards and
the payment event types ("Authorised", "Captured", ...), each a row made once and never changed.

Every order used to look each of them up (three queries of its ~50). They are made after every
`migrate` (and after every `flush`, which tests run) by `make_kinds`, and each one's id is then
kept in the process. Only the id of a row found that this process did not make is kept: a row it
made (the kind was missing) may yet be rolled back with its transaction, so it is asked for again
each time until the ids are forgotten.
"""

from django.db import DEFAULT_DB_ALIAS, connections, router
from oscar.core.loading import get_model

from shop.payments.models import CARD_SOURCE_TYPE_CODE

CARD_SOURCE_TYPE_NAME = "Card (Stripe)"
# The payment history entries the shop writes (shown to staff on the order).
EVENT_TYPES = ("Authorised", "Captured", "Refunded", "Authorisation released", "Dispute opened")

_kept: dict[tuple, int] = {}
_made: set[tuple] = set()  # kinds this process made: never kept


def card_source_type_id() -> int:
    SourceType = get_model("payment", "SourceType")
    return _kept_id(SourceType, {"name": CARD_SOURCE_TYPE_NAME}, code=CARD_SOURCE_TYPE_CODE)


def event_type_id(name: str) -> int:
    return _kept_id(get_model("order", "PaymentEventType"), {}, name=name)


def _kept_id(model, defaults: dict, **lookup) -> int:
    using = router.db_for_write(model)
    key = (using, model._meta.label, *sorted(lookup.items()))
    kept = _kept.get(key)
    if kept is None:
        row, created = model._default_manager.using(using).get_or_create(
            defaults=defaults, **lookup
        )
        if created:
            _made.add(key)
        elif key not in _made:
            _kept[key] = kept = row.pk
        return row.pk
    return kept


def forget_kinds(**kwargs) -> None:
    """Forget the kept ids (a row was deleted, or the database flushed)."""
    _kept.clear()
    _made.clear()


def make_kinds(*, using: str = DEFAULT_DB_ALIAS, **kwargs) -> None:
    """Make the card source type and the payment event types if missing (post_migrate)."""
    forget_kinds()
    SourceType = get_model("payment", "SourceType")
    PaymentEventType = get_model("order", "PaymentEventType")
    tables = connections[using].introspection.table_names()
    if not {SourceType._meta.db_table, PaymentEventType._meta.db_table} <= set(tables):
        return  # migrated only part of the way
    SourceType._default_manager.using(using).get_or_create(
        code=CARD_SOURCE_TYPE_CODE, defaults={"name": CARD_SOURCE_TYPE_NAME}
    )
    for name in EVENT_TYPES:
        PaymentEventType._default_manager.using(using).get_or_create(name=name)
