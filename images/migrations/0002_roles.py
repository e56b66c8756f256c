"""
The image library's permissions for the newsroom's roles (articles 0003):
writers upload and use images (and edit their own uploads' metadata, see
ImageAdmin); editors and the chief editor edit and delete any image.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

ROLES = {
    "撰稿 Writer": ["add_image", "view_image"],
    "编辑 Editor": ["add_image", "view_image", "change_image", "delete_image"],
    "总编 Chief editor": ["add_image", "view_image", "change_image", "delete_image"],
}


def grant(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codenames in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *Permission.objects.filter(content_type__app_label="images", codename__in=codenames)
        )


def revoke(apps, schema_editor):
    Permission = apps.get_model("auth", "Permission")
    for group in apps.get_model("auth", "Group").objects.filter(name__in=ROLES):
        group.permissions.remove(*Permission.objects.filter(content_type__app_label="images"))


class Migration(migrations.Migration):
    dependencies = [
        ("images", "0001_initial"),
        ("articles", "0003_roles"),
    ]

    operations = [migrations.RunPython(grant, revoke)]
