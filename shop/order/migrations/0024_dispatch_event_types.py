"""The "Dispatched" shipping event type, and the ORDER_DISPATCHED e-mail as a communication type
staff can edit in the dashboard (its templates stay the files under
templates/oscar/communication/emails/ until staff write their own)."""

from django.db import migrations

DISPATCHED = "Dispatched"  # shop.order.pipeline.DISPATCHED, frozen as this migration wrote it


def create(apps, schema_editor):
    apps.get_model("order", "ShippingEventType").objects.get_or_create(
        code="dispatched", defaults={"name": DISPATCHED}
    )
    apps.get_model("communication", "CommunicationEventType").objects.get_or_create(
        code="ORDER_DISPATCHED",
        defaults={"name": "Order dispatched", "category": "Order related"},
    )


def remove(apps, schema_editor):
    apps.get_model("communication", "CommunicationEventType").objects.filter(
        code="ORDER_DISPATCHED"
    ).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("order", "0023_shipments"),
        ("communication", "0004_auto_20200801_0817"),
    ]

    operations = [migrations.RunPython(create, remove)]
