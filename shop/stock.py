"""Staff edits of stock records: they set counts and prices, never the allocations orders hold.

A checkout allocates with one conditional UPDATE of `num_allocated` (shop.order.utils.allocate)
at any moment, also between a staff form reading a stock record and saving it. A full save would
write back the count the form read and make sold units look free again, so a staff edit writes
only the fields staff changed, and `num_allocated` is never one of them.
"""

from oscar.core.loading import get_model

StockRecord = get_model("partner", "StockRecord")

# Written by checkouts and fulfilment (allocate, consume, cancel), never by a staff form.
HELD_BY_ORDERS = frozenset({"num_allocated"})


def save_stock_edit(record, *, changed) -> None:
    """Save staff's changes to an existing stock record: the `changed` fields (form field names)
    and the update time, nothing else."""
    fields = [
        field.name
        for field in StockRecord._meta.concrete_fields
        if field.name in changed and field.name not in HELD_BY_ORDERS
    ]
    # The post_save receivers (stock alerts, listing availability, cache generations) read the
    # record: they see the counts as committed now, not as the form found them.
    record.refresh_from_db(
        fields=[name for name in ("num_in_stock", "num_allocated") if name not in fields]
    )
    record.save(update_fields=[*fields, "date_updated"])
