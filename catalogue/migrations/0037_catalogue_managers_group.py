"""The "Catalogue managers" group: staff who run franchises, characters and content warnings (the
warning levels decide the 18+ gate) and read the record of level changes."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Catalogue managers"
MANAGER_PERMISSIONS = {
    "catalogue": [
        f"{action}_{model}"
        for model in ("franchise", "character", "contentwarning")
        for action in ("add", "change", "delete", "view")
    ]
    + ["view_contentwarninglevelchange"],
}


def create_catalogue_managers(apps, schema_editor):
    # Permissions are made by a post_migrate signal, after every migration has run; on a fresh
    # database they do not exist yet, so make them now (Django's documented workaround).
    for label in MANAGER_PERMISSIONS:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    for label, codenames in MANAGER_PERMISSIONS.items():
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label=label, codename__in=codenames)
        )


def remove_catalogue_managers(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("catalogue", "0036_content_warning_level_changes"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_catalogue_managers, remove_catalogue_managers)]
