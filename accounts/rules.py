"""
Who may change whose account (issue 9, item 2).

Only superusers grant superuser status or edit permissions directly; nobody
raises their own privileges; a chief editor (change_user) manages other
users and their roles (groups), and only users who hold no more than they do.
"""

from django.contrib.auth.models import Group


def permission_names(permissions):
    return {f"{app}.{codename}" for app, codename in permissions}


def may_manage(actor, target):
    """Whether actor may change or delete target's account at all."""
    if actor.is_superuser:
        return True
    if target.is_superuser:
        # A superuser's password or e-mail in other hands is the whole site.
        return False
    return target.get_all_permissions() <= actor.get_all_permissions()


def grantable_groups(actor):
    """Groups actor may give to others: those granting nothing actor lacks."""
    groups = Group.objects.order_by("name")
    if actor.is_superuser:
        return groups
    own = actor.get_all_permissions()
    allowed = []
    for group in groups.prefetch_related("permissions__content_type"):
        names = permission_names(
            (p.content_type.app_label, p.codename) for p in group.permissions.all()
        )
        if names <= own:
            allowed.append(group.pk)
    return groups.filter(pk__in=allowed)
