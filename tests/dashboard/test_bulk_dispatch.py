"""Bulk dispatch from a CSV file: every row checked first, a report row by row, and the file
applied whole or not at all; queries stay fixed per order however long the file."""

import pytest
from django.core import mail
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from oscar.core.loading import get_model

from shop.order import pipeline
from shop.order.models import Shipment
from tests.factories import merch, staff_member
from tests.orders import paid_order
from tests.tasks import run_queued_tasks

Order = get_model("order", "Order")
StockRecord = get_model("partner", "StockRecord")

pytestmark = pytest.mark.django_db

URL = reverse("dashboard:order-bulk-dispatch")


@pytest.fixture
def pin():
    return merch("Sleepy Fox Spirit Enamel Pin", stock=1000)


def upload(client, text: str | bytes):
    data = text.encode() if isinstance(text, str) else text
    return client.post(URL, {"csv_file": SimpleUploadedFile("parcels.csv", data, "text/csv")})


def report(page) -> list[tuple[int, str]]:
    return [(row.line, "; ".join(row.refusals) or "ok") for row in page.context["rows"]]


def statuses() -> set[str]:
    return set(Order.objects.values_list("status", flat=True))


def test_a_clean_file_dispatches_every_order_and_mails_every_customer(staff_client, pin):
    first, second = paid_order((pin, 1)), paid_order((pin, 2))
    csv = (
        "\ufeffOrder number,Carrier,Tracking number\r\n"
        f"{first.number},USPS,9400 1000 0000 0000 0000 01\r\n"
        "\r\n"
        f"  {second.number} ; royal mail ; ab123456789gb \r\n".replace(";", ",")
    )

    page = upload(staff_client, csv)

    assert page.status_code == 200
    assert page.context["applied"] is True
    assert report(page) == [(2, "ok"), (4, "ok")]
    assert "All 2 orders in the file were dispatched" in page.content.decode()
    assert statuses() == {pipeline.DISPATCHED}
    assert sorted(Shipment.objects.values_list("carrier", "tracking_number")) == [
        ("royal-mail", "AB123456789GB"),
        ("usps", "9400100000000000000001"),
    ]
    assert StockRecord.objects.get(product=pin).num_in_stock == 997
    run_queued_tasks()
    assert len(mail.outbox) == 2


def test_one_refused_row_applies_none_and_the_report_says_why_for_each_row(staff_client, pin):
    paid = paid_order((pin, 1))
    unpaid = paid_order((pin, 1))
    Order.objects.filter(pk=unpaid.pk).update(status=pipeline.PENDING_PAYMENT)
    sent = paid_order((pin, 1))
    Order.objects.filter(pk=sent.pk).update(status=pipeline.DISPATCHED)
    other = paid_order((pin, 1))
    csv = "\n".join(
        [
            f"{paid.number},UPS,1Z999AA10123456784",
            "999999,UPS,1Z999AA10123456785",
            f"{unpaid.number},UPS,1Z999AA10123456786",
            f"{sent.number},UPS,1Z999AA10123456787",
            f"{other.number},Pigeon,1Z999AA10123456788",
            f"{other.number},DHL,12-34",
            f"{paid.number},UPS,1Z999AA10123456789",
        ]
    )

    page = upload(staff_client, csv)

    assert page.context["applied"] is False
    assert report(page) == [
        (1, "ok"),
        (2, "unknown order “999999”"),
        (3, "not paid (status “Pending payment”)"),
        (4, "already dispatched"),
        (5, "bad carrier “Pigeon”"),
        (
            6,
            f"bad tracking number “12-34”; duplicate row (order {other.number} is already in row 5)",
        ),
        (7, f"duplicate row (order {paid.number} is already in row 1)"),
    ]
    content = page.content.decode()
    assert "Nothing was dispatched: 6 of 7 rows were refused" in content
    assert "no row of the file was applied" in content
    assert not Shipment.objects.exists()
    assert Order.objects.get(pk=paid.pk).status == pipeline.PAID
    assert StockRecord.objects.get(product=pin).num_in_stock == 1000
    run_queued_tasks()
    assert not mail.outbox


@pytest.mark.parametrize(
    ("data", "message"),
    [
        (b"", "The submitted file is empty."),
        (b"\n\n  \n", "The file has no rows to dispatch."),
        ("100001,USPS,9400100000000000000001\n".encode("utf-16"), "not UTF-8"),
    ],
)
def test_an_unreadable_file_is_refused_with_a_message(staff_client, pin, data, message):
    page = upload(staff_client, data)
    assert page.status_code == 200
    assert message in page.content.decode()
    assert "rows" not in page.context or not page.context["rows"]


def test_a_row_with_the_wrong_number_of_columns_is_refused(staff_client, pin):
    order = paid_order((pin, 1))
    page = upload(staff_client, f"{order.number},USPS\n")
    assert page.context["applied"] is False
    assert "expected 3 columns" in report(page)[0][1]


def test_only_staff_who_may_change_orders_can_upload(client, pin):

    client.force_login(staff_member("viewer", permissions=("order.view_order",)))
    assert client.get(URL).status_code in (302, 403)


# What a file costs: the session, the check (one query for all its orders), the report and rows
# made once (event types, after a flushed database); then each order's dispatch: lock, lines,
# shipping event, stock consumed (with the listing refresh its signal runs), statuses, shipment,
# note and the queued e-mail.
FIXED, PER_ORDER = 20, 38


def dispatch_file(client, pin, orders: int, assert_max):
    lines = [f"{paid_order((pin, 1)).number},USPS,9400100000000000{n:06d}" for n in range(orders)]
    with assert_max(FIXED + PER_ORDER * orders) as queries:
        page = upload(client, "\n".join(lines))
    assert page.context["applied"] is True
    return len(queries)


def test_queries_per_order_do_not_grow_with_the_file(
    staff_client, pin, django_assert_max_num_queries
):
    upload(staff_client, "warm,USPS,WARMUP1")  # sessions, content types, the event types
    ten = dispatch_file(staff_client, pin, 10, django_assert_max_num_queries)
    fifty = dispatch_file(staff_client, pin, 50, django_assert_max_num_queries)
    # The forty more orders cost no more each than the budget: it does not grow with the file.
    assert (fifty - ten) / 40 <= PER_ORDER
