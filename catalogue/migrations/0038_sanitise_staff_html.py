"""Clean the staff-written HTML stored before the sanitising policy (catalogue.staff_html) ran on
save. The fields are listed here as they stood then: a field added to the policy later comes with
its own migration."""

from django.db import migrations

FIELDS = {
    "catalogue.Product": ("description",),
    "catalogue.Category": ("description", "long_description"),
    "catalogue.Franchise": ("description",),
    "offer.ConditionalOffer": ("description",),
    "offer.Range": ("description",),
    "shipping.OrderAndItemCharges": ("description",),
    "shipping.WeightBased": ("description",),
    "flatpages.FlatPage": ("content",),
}


def sanitise_stored_html(apps, schema_editor):
    from catalogue.staff_html import sanitise_stored

    sanitise_stored(apps, FIELDS)


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0037_catalogue_managers_group"),
        ("offer", "0013_range_excluded_categories"),
        ("shipping", "0003_auto_20181115_1953"),
        ("flatpages", "0001_initial"),
    ]

    operations = [migrations.RunPython(sanitise_stored_html, migrations.RunPython.noop)]
