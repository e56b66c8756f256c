"""
Security checklist: the user admin, role by role, with crafted POSTs (issue 9, item 2).

Only superusers grant superuser status or edit permissions; nobody raises
their own privileges; the chief editor manages other users and their roles
(groups) only, and never an account that holds more than they do.
"""

import pytest
from django.contrib.auth.models import Group, Permission, User
from django.test import Client
from django.urls import reverse

from tests.factories import ROLES, make_user

pytestmark = pytest.mark.django_db


def client_for(user):
    client = Client()
    client.force_login(user)
    return client


def change_url(user):
    return reverse("admin:auth_user_change", args=[user.pk])


def escalation(target, *, groups):
    """A crafted change-form POST asking for everything."""
    return {
        "username": target.username,
        "first_name": "",
        "last_name": "",
        "email": "",
        "is_active": "on",
        "is_staff": "on",
        "is_superuser": "on",
        "groups": [g.pk for g in groups],
        "user_permissions": list(Permission.objects.values_list("pk", flat=True)),
        "date_joined_0": "2026-01-01",
        "date_joined_1": "00:00:00",
    }


def privileges(user):
    user = User.objects.get(pk=user.pk)
    return (
        user.is_superuser,
        user.is_staff,
        user.is_active,
        sorted(user.groups.values_list("name", flat=True)),
        user.user_permissions.count(),
    )


@pytest.fixture
def everyone():
    users = {role: make_user(role) for role in ["writer", "editor", "chief", "none"]}
    users["superuser"] = User.objects.create_superuser("root", password="pw")
    users["target"] = make_user("writer", "target")
    return users


@pytest.mark.parametrize("role", ["none", "writer", "editor"])
def test_roles_without_change_user_get_403_on_their_own_and_others_forms(role, everyone):
    actor = everyone[role]
    client = client_for(actor)
    chief_group = Group.objects.get(name=ROLES["chief"])
    for target in (actor, everyone["target"]):
        before = privileges(target)
        assert client.get(change_url(target)).status_code == 403
        response = client.post(change_url(target), escalation(target, groups=[chief_group]))
        assert response.status_code == 403
        assert privileges(target) == before


def test_chief_cannot_raise_their_own_privileges(everyone):
    chief = everyone["chief"]
    client = client_for(chief)
    page = client.get(change_url(chief)).content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
    assert 'name="groups"' not in page  # their own roles are shown, not offered
    before = privileges(chief)
    response = client.post(
        change_url(chief),
        {**escalation(chief, groups=Group.objects.all()), "first_name": "总编"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assert privileges(chief) == before
    assert User.objects.get(pk=chief.pk).first_name == "总编"  # the rest of the form works


def test_chief_changes_other_users_roles_but_not_superuser_or_permissions(everyone):
    client = client_for(everyone["chief"])
    target = everyone["target"]
    page = client.get(change_url(target)).content.decode()
    assert 'name="groups"' in page and 'name="is_staff"' in page
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
    editor_group = Group.objects.get(name=ROLES["editor"])
    response = client.post(change_url(target), escalation(target, groups=[editor_group]))
    assert response.status_code == 302
    assert privileges(target) == (False, True, True, [ROLES["editor"]], 0)


def test_chief_cannot_give_a_group_that_grants_more_than_they_hold(everyone):
    powerful = Group.objects.create(name="Site admins")
    powerful.permissions.set(Permission.objects.filter(codename="change_permission"))
    client = client_for(everyone["chief"])
    target = everyone["target"]
    assert f'value="{powerful.pk}"' not in client.get(change_url(target)).content.decode()
    response = client.post(change_url(target), escalation(target, groups=[powerful]))
    assert response.status_code == 200  # the form answers with an error
    assert "Site admins" not in privileges(target)[3]


def test_chief_cannot_touch_a_superuser_or_a_user_who_holds_more(everyone):
    client = client_for(everyone["chief"])
    root = everyone["superuser"]
    holder = make_user("none", "holder")
    holder.user_permissions.set(Permission.objects.filter(codename="change_permission"))
    for target in (root, holder):
        before = privileges(target)
        password_before = User.objects.get(pk=target.pk).password
        assert client.post(change_url(target), escalation(target, groups=[])).status_code == 403
        password_url = reverse("admin:auth_user_password_change", args=[target.pk])
        response = client.post(
            password_url, {"password1": "Taken-0ver!x", "password2": "Taken-0ver!x"}
        )
        assert response.status_code == 403
        delete_url = reverse("admin:auth_user_delete", args=[target.pk])
        assert client.post(delete_url, {"post": "yes"}).status_code == 403
        assert privileges(target) == before
        assert User.objects.get(pk=target.pk).password == password_before


def test_chief_bulk_delete_skips_nobody_they_may_not_manage(everyone):
    client = client_for(everyone["chief"])
    root = everyone["superuser"]
    client.post(
        reverse("admin:auth_user_changelist"),
        {"action": "delete_selected", "_selected_action": [root.pk], "post": "yes"},
    )
    assert User.objects.filter(pk=root.pk).exists()


def test_chief_adds_a_user_without_privileges_even_when_posting_them(everyone):
    client = client_for(everyone["chief"])
    response = client.post(
        reverse("admin:auth_user_add"),
        {
            "username": "newcomer",
            "usable_password": "true",
            "password1": "Long-enough-pw-1",
            "password2": "Long-enough-pw-1",
            "is_superuser": "on",
            "is_staff": "on",
        },
    )
    assert response.status_code == 302
    newcomer = User.objects.get(username="newcomer")
    assert not newcomer.is_superuser and not newcomer.is_staff


def test_superuser_grants_superuser_and_permissions(everyone):
    client = client_for(everyone["superuser"])
    target = everyone["target"]
    response = client.post(change_url(target), escalation(target, groups=[]))
    assert response.status_code == 302
    superuser, staff, _, groups, permissions = privileges(target)
    assert superuser and staff and groups == [] and permissions == Permission.objects.count()
