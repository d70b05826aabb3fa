"""Roles in the user admin: staff grant roles up to their own through the role form, never
superuser status or raw permissions, and set passwords only of users outside the admin."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group, Permission
from django.urls import reverse

from accounts.models import User
from accounts.roles import Role
from core.audit import AuditAction
from core.models import AuditLog
from tests.admin_forms import change_form_data
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

NEW_PASSWORD = {
    "password1": "a-long-Passw0rd!",
    "password2": "a-long-Passw0rd!",
    "set_usable_password": "true",
}


@pytest.fixture
def staff(client):
    user = UserFactory(roles=[Role.LEARNER, Role.STAFF], is_staff=True)
    client.force_login(user)
    return user


@pytest.fixture
def superuser(client):
    user = UserFactory(roles=[], is_superuser=True, is_staff=True)
    client.force_login(user)
    return user


@pytest.fixture
def coordinator_admin(client):
    """A coordinator whom a superuser let manage users (permissions of their own)."""
    user = UserFactory(roles=[Role.LEARNER, Role.COORDINATOR], is_staff=True)
    user.user_permissions.set(
        Permission.objects.filter(
            content_type__app_label="accounts",
            codename__in=["view_user", "change_user", "assign_roles"],
        )
    )
    client.force_login(user)
    return user


def change_url(user: User) -> str:
    return reverse("admin:accounts_user_change", args=[user.pk])


def password_url(user: User) -> str:
    return reverse("admin:auth_user_password_change", args=[user.pk])


def roles_of(user: User) -> set[str]:
    return set(user.groups.values_list("name", flat=True))


def rows_of(user: User) -> list[AuditLog]:
    return list(AuditLog.objects.filter(target_id=str(user.pk)).order_by("id"))


def test_staff_see_roles_but_not_the_superuser_flag_groups_or_permissions(client, staff):
    learner = UserFactory(roles=[Role.LEARNER])

    form = client.get(change_url(learner)).context["adminform"].form

    assert "roles" in form.fields
    assert {"is_superuser", "is_staff", "groups", "user_permissions"}.isdisjoint(form.fields)


def test_a_forged_superuser_flag_permission_or_group_from_staff_is_ignored(client, staff):
    # Given a learner's form as staff see it
    learner = UserFactory(roles=[Role.LEARNER])
    page = client.get(change_url(learner))
    permission = Permission.objects.get(codename="delete_user")

    # When staff post the flags, a raw permission and the staff group the form does not offer
    data = change_form_data(
        page,
        is_superuser="on",
        is_staff="on",
        user_permissions=[str(permission.pk)],
        groups=[str(Group.objects.get(name=Role.STAFF).pk)],
    )
    response = client.post(change_url(learner), data)

    # Then nothing of it is stored and nothing is recorded
    assert response.status_code == 302
    learner.refresh_from_db()
    assert not learner.is_superuser and not learner.is_staff
    assert not learner.user_permissions.exists()
    assert roles_of(learner) == {Role.LEARNER}
    assert rows_of(learner) == []


def test_staff_grant_roles_up_to_their_own_one_audit_row_each(client, staff):
    # Given a learner
    learner = UserFactory(roles=[Role.LEARNER])
    page = client.get(change_url(learner))

    # When staff tick the volunteer, coordinator and editor roles
    roles = [Role.LEARNER, Role.VOLUNTEER, Role.COORDINATOR, Role.EDITOR]
    response = client.post(change_url(learner), change_form_data(page, roles=roles))

    # Then the user holds them, the editor role opened the admin, and each grant is one row
    assert response.status_code == 302, response.context["adminform"].form.errors
    learner.refresh_from_db()
    assert roles_of(learner) == set(roles)
    assert learner.is_staff
    rows = rows_of(learner)
    assert [(r.action, r.data, r.actor) for r in rows] == [
        (AuditAction.ROLE_GRANTED, {"role": "volunteer"}, staff),
        (AuditAction.ROLE_GRANTED, {"role": "coordinator"}, staff),
        (AuditAction.ROLE_GRANTED, {"role": "editor"}, staff),
    ]
    assert [(r.before, r.after) for r in rows] == [
        ({"roles": ["learner"]}, {"roles": ["learner", "volunteer"]}),
        (
            {"roles": ["learner", "volunteer"]},
            {"roles": ["coordinator", "learner", "volunteer"]},
        ),
        (
            {"roles": ["coordinator", "learner", "volunteer"], "is_staff": False},
            {"roles": ["coordinator", "editor", "learner", "volunteer"], "is_staff": True},
        ),
    ]


def test_staff_revoke_a_role_with_one_audit_row_and_the_other_changes_in_another(client, staff):
    # Given a volunteer
    volunteer = UserFactory(roles=[Role.LEARNER, Role.VOLUNTEER])
    page = client.get(change_url(volunteer))

    # When staff take the volunteer role away and deactivate the account in one save
    data = change_form_data(page, roles=[Role.LEARNER])
    del data["is_active"]
    response = client.post(change_url(volunteer), data)

    # Then one row for the revocation, one for the flag, neither repeating the other
    assert response.status_code == 302, response.context["adminform"].form.errors
    volunteer.refresh_from_db()
    assert roles_of(volunteer) == {Role.LEARNER} and not volunteer.is_active
    assert [(r.action, r.before, r.after) for r in rows_of(volunteer)] == [
        (AuditAction.USER_CHANGED, {"is_active": True}, {"is_active": False}),
        (AuditAction.ROLE_REVOKED, {"roles": ["learner", "volunteer"]}, {"roles": ["learner"]}),
    ]


def test_a_role_above_your_own_is_refused_on_the_form(client, coordinator_admin):
    # Given a learner, and a coordinator who may manage users
    learner = UserFactory(roles=[Role.LEARNER])
    page = client.get(change_url(learner))

    # When the coordinator ticks the editor and staff roles
    data = change_form_data(page, roles=[Role.LEARNER, Role.EDITOR, Role.STAFF])
    response = client.post(change_url(learner), data)

    # Then the form says which roles are above theirs and nothing changes
    assert response.status_code == 200
    errors = response.context["adminform"].form.errors["roles"]
    assert errors.as_data()[0].code == "role_above_yours"
    assert roles_of(learner) == {Role.LEARNER}
    assert rows_of(learner) == []


def test_a_role_up_to_your_own_is_granted_by_a_coordinator_who_manages_users(
    client, coordinator_admin
):
    learner = UserFactory(roles=[Role.LEARNER])
    page = client.get(change_url(learner))

    data = change_form_data(page, roles=[Role.LEARNER, Role.COORDINATOR])
    response = client.post(change_url(learner), data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    assert roles_of(learner) == {Role.LEARNER, Role.COORDINATOR}
    assert [r.action for r in rows_of(learner)] == [AuditAction.ROLE_GRANTED]


def test_a_user_with_a_role_above_yours_cannot_be_changed(client, coordinator_admin):
    # Given an editor, above a coordinator
    editor = UserFactory(roles=[Role.LEARNER, Role.EDITOR], is_staff=True)
    page = client.get(change_url(editor))

    # When the coordinator posts the editor's form without the editor role
    data = {"username": editor.username, "roles": [Role.LEARNER], "is_active": "on"}
    response = client.post(change_url(editor), data)

    # Then the page was read-only and the post is refused
    assert page.status_code == 200 and 'name="roles"' not in page.content.decode()
    assert response.status_code == 403
    assert roles_of(editor) == {Role.LEARNER, Role.EDITOR}
    assert rows_of(editor) == []


def test_staff_cannot_change_a_superuser(client, staff):
    boss = UserFactory(roles=[Role.LEARNER], is_superuser=True, is_staff=True)

    response = client.post(change_url(boss), {"username": boss.username, "roles": []})

    assert response.status_code == 403
    boss.refresh_from_db()
    assert boss.is_superuser and boss.is_active and roles_of(boss) == {Role.LEARNER}
    assert client.get(password_url(boss)).status_code == 403


@pytest.mark.parametrize("role", [Role.STAFF, Role.EDITOR])
def test_staff_cannot_set_the_password_of_someone_who_works_in_the_admin(client, staff, role):
    # Given a colleague in the admin
    colleague = UserFactory(roles=[Role.LEARNER, role], is_staff=True)
    old_hash = colleague.password

    # When staff open the colleague's form and the password page, and post a password
    html = client.get(change_url(colleague)).content.decode()
    page = client.get(password_url(colleague))
    response = client.post(password_url(colleague), NEW_PASSWORD)

    # Then no link leads there, both are refused and the password stays
    assert 'href="../password/"' not in html
    assert (page.status_code, response.status_code) == (403, 403)
    colleague.refresh_from_db()
    assert colleague.password == old_hash
    assert rows_of(colleague) == []


def test_staff_set_a_volunteers_password(client, staff):
    volunteer = UserFactory(roles=[Role.LEARNER, Role.VOLUNTEER])

    html = client.get(change_url(volunteer)).content.decode()
    response = client.post(password_url(volunteer), NEW_PASSWORD)

    assert 'href="../password/"' in html
    assert response.status_code == 302
    volunteer.refresh_from_db()
    assert volunteer.check_password(NEW_PASSWORD["password1"])
    assert [r.data for r in rows_of(volunteer)] == [
        {"via": "admin", "secrets_changed": ["password"]}
    ]


def test_a_superuser_makes_a_superuser_grants_staff_and_sets_a_staff_password(client, superuser):
    # Given a learner
    learner = UserFactory(roles=[Role.LEARNER])
    page = client.get(change_url(learner))
    assert {"is_superuser", "is_staff", "groups", "user_permissions"} <= set(
        page.context["adminform"].form.fields
    )

    # When a superuser makes them superuser and staff
    data = change_form_data(page, is_superuser="on", roles=[Role.LEARNER, Role.STAFF])
    response = client.post(change_url(learner), data)

    # Then the flag is one user.changed row, the role one role.granted row
    assert response.status_code == 302, response.context["adminform"].form.errors
    learner.refresh_from_db()
    assert learner.is_superuser and learner.is_staff
    assert [(r.action, r.before, r.after) for r in rows_of(learner)] == [
        (AuditAction.USER_CHANGED, {"is_superuser": False}, {"is_superuser": True}),
        (
            AuditAction.ROLE_GRANTED,
            {"roles": ["learner"], "is_staff": False},
            {"roles": ["learner", "staff"], "is_staff": True},
        ),
    ]

    # And the superuser may set the new staff member's password
    assert client.post(password_url(learner), NEW_PASSWORD).status_code == 302


def test_the_superusers_groups_widget_lists_other_groups_and_keeps_the_roles(client, superuser):
    # Given a volunteer and a group that is not a role
    volunteer = UserFactory(roles=[Role.LEARNER, Role.VOLUNTEER])
    reviewers = Group.objects.create(name="external reviewers")
    page = client.get(change_url(volunteer))
    groups = page.context["adminform"].form.fields["groups"]
    assert list(groups.queryset) == [reviewers]

    # When the superuser adds that group
    response = client.post(change_url(volunteer), change_form_data(page, groups=[reviewers.pk]))

    # Then the roles stay and the group change is one user.changed row
    assert response.status_code == 302, response.context["adminform"].form.errors
    assert roles_of(volunteer) == {Role.LEARNER, Role.VOLUNTEER, "external reviewers"}
    assert [(r.action, r.before, r.after) for r in rows_of(volunteer)] == [
        (
            AuditAction.USER_CHANGED,
            {"groups": ["learner", "volunteer"]},
            {"groups": ["external reviewers", "learner", "volunteer"]},
        ),
    ]


def test_the_bulk_delete_refuses_a_selection_with_a_user_above_yours(client, coordinator_admin):
    # Given a coordinator who may also delete users, a learner and a superuser
    coordinator_admin.user_permissions.add(Permission.objects.get(codename="delete_user"))
    learner = UserFactory(roles=[Role.LEARNER])
    boss = UserFactory(roles=[Role.LEARNER], is_superuser=True, is_staff=True)

    # When the coordinator deletes both from the list
    response = client.post(
        reverse("admin:accounts_user_changelist"),
        {"action": "delete_selected", "_selected_action": [learner.pk, boss.pk], "post": "yes"},
    )

    # Then nobody is deleted
    assert response.status_code == 403
    assert User.objects.filter(pk__in=[learner.pk, boss.pk]).count() == 2
