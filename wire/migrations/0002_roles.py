"""The wire desk for the newsroom's roles: editors set up feeds and see the
polls, pushes and jobs; the chief editor also manages licences, deletes
feeds and runs failed jobs again."""

from django.contrib.auth.management import create_permissions
from django.db import migrations

EDITOR = "编辑 Editor"
CHIEF = "总编 Chief editor"

GRANTS = {
    EDITOR: [
        ("wire", "add_wirefeed"),
        ("wire", "change_wirefeed"),
        ("wire", "view_wirefeed"),
        ("wire", "view_pollrun"),
        ("wire", "view_licence"),
        ("wire", "view_pushdelivery"),
        ("wire", "view_storycluster"),
        ("jobs", "view_job"),
    ],
}
GRANTS[CHIEF] = GRANTS[EDITOR] + [
    ("wire", "delete_wirefeed"),
    ("wire", "change_licence"),
    ("jobs", "run_job"),
]


def grant_wire_permissions(apps, schema_editor):
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in GRANTS.items():
        group, _ = Group.objects.get_or_create(name=name)
        group.permissions.add(
            *[
                Permission.objects.get(content_type__app_label=app, codename=codename)
                for app, codename in codes
            ]
        )


class Migration(migrations.Migration):
    dependencies = [
        ("wire", "0001_initial"),
        ("jobs", "0001_initial"),
        ("articles", "0003_roles"),
    ]

    operations = [migrations.RunPython(grant_wire_permissions, migrations.RunPython.noop)]
