"""Blog editors write glossary terms too, and pick the products a term relates to."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Blog editors"
EDITOR_PERMISSIONS = {
    "blog": [f"{action}_term" for action in ("add", "change", "delete", "view")],
    "catalogue": ["view_product"],
}


def let_editors_write_terms(apps, schema_editor):
    # As in 0002: permissions are made after all migrations; make them now.
    for label in EDITOR_PERMISSIONS:
        app_config = apps.get_app_config(label)
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group, _ = Group.objects.get_or_create(name=GROUP_NAME)
    for label, codenames in EDITOR_PERMISSIONS.items():
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label=label, codename__in=codenames)
        )


def take_terms_back(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    group = Group.objects.filter(name=GROUP_NAME).first()
    if group is not None:
        for label, codenames in EDITOR_PERMISSIONS.items():
            group.permissions.remove(
                *Permission.objects.filter(content_type__app_label=label, codename__in=codenames)
            )


class Migration(migrations.Migration):
    dependencies = [("blog", "0004_glossary_terms"), ("blog", "0002_blog_editors_group")]

    operations = [migrations.RunPython(let_editors_write_terms, take_terms_back)]
