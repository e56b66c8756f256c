"""
The newsroom's roles as Django groups:

- 撰稿 Writer: writes and submits own drafts; cannot publish.
- 编辑 Editor: edits any article, sends back, approves, publishes, schedules,
  unpublishes, corrects, trashes and restores.
- 总编 Chief editor: all of that, plus emptying the trash, users, topics and sources.
"""

from django.contrib.auth.management import create_permissions
from django.db import migrations

WRITER = "撰稿 Writer"
EDITOR = "编辑 Editor"
CHIEF = "总编 Chief editor"

ROLES = {
    WRITER: [
        ("articles", "add_article"),
        ("articles", "change_article"),
        ("articles", "view_article"),
        ("articles", "submit_article"),
        ("articles", "view_topic"),
        ("articles", "view_source"),
        ("articles", "view_tag"),
        ("articles", "add_tag"),
        ("articles", "view_editorialnote"),
        ("articles", "add_editorialnote"),
    ],
}
ROLES[EDITOR] = ROLES[WRITER] + [
    ("articles", "delete_article"),
    ("articles", "review_article"),
    ("articles", "publish_article"),
    ("articles", "correct_article"),
    ("articles", "restore_article"),
    ("articles", "change_tag"),
    ("articles", "view_articleevent"),
    ("articles", "view_correction"),
    ("articles", "add_correction"),
]
ROLES[CHIEF] = ROLES[EDITOR] + [
    ("articles", "empty_trash"),
    ("articles", "delete_tag"),
    ("articles", "add_topic"),
    ("articles", "change_topic"),
    ("articles", "delete_topic"),
    ("articles", "add_source"),
    ("articles", "change_source"),
    ("articles", "delete_source"),
    ("articles", "view_slugredirect"),
    ("articles", "delete_slugredirect"),
    ("auth", "view_user"),
    ("auth", "add_user"),
    ("auth", "change_user"),
    ("auth", "delete_user"),
    ("auth", "view_group"),
]


def create_roles(apps, schema_editor):
    # Permissions are normally created after all migrations; make sure they
    # exist now so the groups can be given them.
    for app_config in apps.get_app_configs():
        app_config.models_module = True
        create_permissions(app_config, apps=apps, verbosity=0)
        app_config.models_module = None
    Group = apps.get_model("auth", "Group")
    Permission = apps.get_model("auth", "Permission")
    for name, codes in ROLES.items():
        group, _ = Group.objects.get_or_create(name=name)
        permissions = [
            Permission.objects.get(content_type__app_label=app, codename=codename)
            for app, codename in codes
        ]
        group.permissions.set(permissions)


def remove_roles(apps, schema_editor):
    apps.get_model("auth", "Group").objects.filter(name__in=ROLES).delete()


class Migration(migrations.Migration):
    dependencies = [
        ("articles", "0002_workflow"),
        ("auth", "0012_alter_user_first_name_max_length"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(create_roles, remove_roles)]
