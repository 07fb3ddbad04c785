"""The customer e-mails of cancellations and refunds (shop.order.emails), as communication types
staff can edit in the dashboard's Emails section. Their templates stay empty (None): Oscar then
renders the files under templates/oscar/communication/emails/."""

from django.db import migrations

EMAILS = {
    "ORDER_CANCELLED": "Order cancelled (items cancelled, money refunded or released)",
    "REFUND_ISSUED": "Refund issued (amount, order, reason)",
}


def add_email_types(apps, schema_editor):
    CommunicationEventType = apps.get_model("communication", "CommunicationEventType")
    for code, name in EMAILS.items():
        CommunicationEventType.objects.get_or_create(
            code=code, defaults={"name": name, "category": "Order related"}
        )


def remove_email_types(apps, schema_editor):
    CommunicationEventType = apps.get_model("communication", "CommunicationEventType")
    CommunicationEventType.objects.filter(code__in=EMAILS).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("order", "0021_billingaddress_code_shippingaddress_code"),
        ("communication", "0004_auto_20200801_0817"),
    ]

    operations = [migrations.RunPython(add_email_types, remove_email_types)]
