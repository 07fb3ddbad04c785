"""The "Blog editors" group: staff who write posts in the admin and see no orders, users or stock."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

GROUP_NAME = "Blog editors"
EDITOR_PERMISSIONS = {
    "blog": [
        f"{action}_{model}"
        for model in ("post", "tag", "blogcategory", "faqentry")
        for action in ("add", "change", "delete", "view")
    ]
    + ["view_postrevision"],
    "catalogue": ["view_contentwarning"],
}


def create_blog_editors(apps, schema_editor):
    # Permissions are made by a post_migrate signal, after every migration has run; on a fresh
    # database they do not exist yet, so make them now (Django's documented workaround).
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


def remove_blog_editors(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name=GROUP_NAME).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("blog", "0001_posts"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
        ("catalogue", "0035_listing_price_and_availability"),
    ]

    operations = [migrations.RunPython(create_blog_editors, remove_blog_editors)]
