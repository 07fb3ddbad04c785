"""The ORDER_PLACED e-mail (the order confirmation) as a communication type staff can edit in the
dashboard, like the others: its row lets each order record the confirmation it was sent, which is
how the worker's shop.checkout.emails.send_order_confirmation sends it only once. Its templates
stay the files under templates/oscar/communication/emails/ until staff write their own."""

from django.db import migrations

CODE = "ORDER_PLACED"


def create(apps, schema_editor):
    apps.get_model("communication", "CommunicationEventType").objects.get_or_create(
        code=CODE, defaults={"name": "Order placed (confirmation)", "category": "Order related"}
    )


def remove(apps, schema_editor):
    apps.get_model("communication", "CommunicationEventType").objects.filter(code=CODE).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("order", "0024_dispatch_event_types"),
        ("communication", "0004_auto_20200801_0817"),
    ]

    operations = [migrations.RunPython(create, remove)]
