"""Write out the spoiler syntax (`||…||`, `:::spoiler Label` … `:::`) stored as typed in product,
category and franchise descriptions before it was written out on save (catalogue.spoiler_syntax)."""

from django.db import migrations

FIELDS = {
    "catalogue.Product": ("description",),
    "catalogue.Category": ("description", "long_description"),
    "catalogue.Franchise": ("description",),
}


def write_out_spoilers(apps, schema_editor):
    from catalogue.staff_html import sanitise_stored

    sanitise_stored(apps, FIELDS)


class Migration(migrations.Migration):
    dependencies = [("catalogue", "0046_product_view_batches")]

    operations = [migrations.RunPython(write_out_spoilers, migrations.RunPython.noop)]
