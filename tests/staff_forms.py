"""What staff post back from the dashboard and the admin: forms as the pages render them."""

import threading
from contextlib import contextmanager

from django.db import connection
from django.db.models.signals import post_init
from django.forms import FileInput
from django.urls import reverse

from shop.order.utils import allocate


def form_data(form) -> dict:
    """What the browser would post back for a form as rendered, unchanged."""
    data = {}
    for field in form:
        value = field.value()
        # 0 is a value (a display order); an unticked box and an empty file input post nothing.
        if (
            value is None
            or value is False
            or value == ""
            or isinstance(field.field.widget, FileInput)
        ):
            continue
        if isinstance(value, list | tuple):
            data[field.html_name] = [str(item) for item in value]
        else:
            data[field.html_name] = "on" if value is True else str(value)
        if field.field.show_hidden_initial:  # a callable default renders a hidden "initial-" twin
            data[field.html_initial_name] = data[field.html_name]
    return data


def warning_form(warning, **changes) -> dict:
    """A content warning's dashboard form, as shown, with `changes`."""
    return {
        "name": warning.name,
        "slug": warning.slug,
        "level": str(warning.level),
        "explanation": warning.explanation,
    } | changes


def admin_warning_form(warning, **changes) -> dict:
    """A content warning's admin change form: the dashboard's fields and the empty level history."""
    management = ("TOTAL_FORMS", "INITIAL_FORMS", "MIN_NUM_FORMS", "MAX_NUM_FORMS")
    return warning_form(warning, **changes) | {f"level_changes-{name}": "0" for name in management}


def product_form_post(staff_client, product, **changes) -> dict:
    """The dashboard product form as the page renders it, with some fields changed."""
    page = staff_client.get(reverse("dashboard:catalogue-product", kwargs={"pk": product.pk}))
    assert page.status_code == 200
    data = form_data(page.context["form"])
    for name in ("category_formset", "image_formset", "recommended_formset", "stockrecord_formset"):
        formset = page.context[name]
        data |= form_data(formset.management_form)
        for form in formset:
            data |= form_data(form)
    return data | changes


@contextmanager
def checkout_allocates_when_loaded(record, quantity: int, *, own_connection: bool):
    """The first time this thread loads `record` (a staff POST reading the row), a checkout
    allocates `quantity` of it before the POST goes on: the race, made certain. With
    `own_connection` the checkout runs in a thread on a connection of its own and commits
    (PostgreSQL); without, it runs in the POST's own transaction (any database)."""
    StockRecord = type(record)
    staff_thread = threading.get_ident()
    allocated, started = [], []

    def checkout():
        try:
            allocate(StockRecord.objects.get(pk=record.pk), quantity)
            allocated.append(quantity)
        finally:
            if own_connection:
                connection.close()

    def on_load(sender, instance, **kwargs):
        if started or instance.pk != record.pk or threading.get_ident() != staff_thread:
            return
        started.append(True)
        if own_connection:
            thread = threading.Thread(target=checkout)
            thread.start()
            thread.join(timeout=30)
        else:
            checkout()
        assert allocated, "the checkout did not allocate"

    post_init.connect(on_load, sender=StockRecord, weak=False, dispatch_uid="tests.race")
    try:
        yield allocated
    finally:
        post_init.disconnect(sender=StockRecord, dispatch_uid="tests.race")


def stock_counts(record) -> tuple[int, int]:
    """(in stock, allocated) of the record as committed now."""
    record.refresh_from_db()
    return record.num_in_stock, record.num_allocated
