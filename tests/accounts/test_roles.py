import pytest
from django.contrib.auth.models import Group, Permission

from accounts.roles import ROLE_ORDER, ROLE_PERMISSIONS, Role
from accounts.services import (
    RoleAboveYours,
    role_grant_allowed,
    roles_sync,
    user_change_allowed,
    user_password_set_allowed,
    user_role_assign,
    user_role_revoke,
)
from core.audit import AuditAction
from core.models import AuditLog
from tests.admin_forms import change_form_data
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def perms_of(group: Group) -> set[str]:
    return {f"{p.content_type.app_label}.{p.codename}" for p in group.permissions.all()}


def test_every_role_is_a_group_with_exactly_its_permissions():
    for role, names in ROLE_PERMISSIONS.items():
        assert perms_of(Group.objects.get(name=role)) == set(names)


def test_syncing_roles_again_repairs_a_tampered_group():
    volunteers = Group.objects.get(name=Role.VOLUNTEER)
    volunteers.permissions.clear()

    roles_sync()

    assert perms_of(volunteers) == set(ROLE_PERMISSIONS[Role.VOLUNTEER])
    assert Group.objects.filter(name__in=list(Role)).count() == 5


def test_a_volunteer_can_log_sessions_but_not_review_them():
    volunteer = UserFactory(roles=[Role.LEARNER, Role.VOLUNTEER])

    assert volunteer.has_perm("accounts.log_field_sessions")
    assert not volunteer.has_perm("accounts.review_field_sessions")
    assert not volunteer.has_perm("accounts.edit_content")


def test_a_coordinator_reviews_and_sees_figures_but_does_not_edit_content():
    coordinator = UserFactory(roles=[Role.COORDINATOR])

    assert coordinator.has_perm("accounts.review_field_sessions")
    assert coordinator.has_perm("accounts.view_reach_statistics")
    assert not coordinator.has_perm("accounts.edit_content")
    assert not coordinator.has_perm("accounts.assign_roles")


def test_an_editor_enters_the_admin_but_cannot_manage_users(client):
    editor = UserFactory(roles=[Role.LEARNER])
    user_role_assign(user=editor, role=Role.EDITOR, by=None)
    client.force_login(editor)

    assert client.get("/admin/").status_code == 200
    assert client.get("/admin/accounts/user/").status_code == 403


def test_staff_manage_users_in_the_admin(client):
    staff = UserFactory(roles=[Role.LEARNER])
    user_role_assign(user=staff, role=Role.STAFF, by=None)
    client.force_login(staff)

    assert client.get("/admin/accounts/user/").status_code == 200


def test_a_learner_is_kept_out_of_the_admin(client):
    client.force_login(UserFactory(roles=[Role.LEARNER]))

    response = client.get("/admin/")

    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")


def test_assigning_and_revoking_a_role_is_audited_and_closes_the_admin():
    boss = UserFactory(roles=[Role.STAFF])
    editor = UserFactory(roles=[Role.LEARNER])

    user_role_assign(user=editor, role=Role.EDITOR, by=boss)
    user_role_revoke(user=editor, role=Role.EDITOR, by=boss)

    editor.refresh_from_db()
    assert not editor.is_staff
    entries = list(AuditLog.objects.filter(target_id=str(editor.pk)).order_by("id"))
    assert [(e.action, e.data["role"], e.actor) for e in entries] == [
        (AuditAction.ROLE_GRANTED, "editor", boss),
        (AuditAction.ROLE_REVOKED, "editor", boss),
    ]


def test_a_role_change_in_the_admin_is_audited(client):
    superuser = UserFactory(roles=[], is_superuser=True, is_staff=True)
    learner = UserFactory(roles=[Role.LEARNER])
    client.force_login(superuser)
    page = client.get(f"/admin/accounts/user/{learner.pk}/change/")
    data = change_form_data(page, roles=[Role.LEARNER, Role.VOLUNTEER])

    response = client.post(f"/admin/accounts/user/{learner.pk}/change/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditLog.objects.get(target_id=str(learner.pk))
    assert entry.action == AuditAction.ROLE_GRANTED
    assert entry.actor == superuser
    assert entry.before == {"roles": ["learner"]}
    assert entry.after == {"roles": ["learner", "volunteer"]}
    assert entry.data == {"role": "volunteer"}


def test_roles_are_ordered_and_staff_grant_any_of_them():
    staff = UserFactory(roles=[Role.LEARNER, Role.STAFF])

    assert ROLE_ORDER == [
        Role.LEARNER,
        Role.VOLUNTEER,
        Role.COORDINATOR,
        Role.EDITOR,
        Role.STAFF,
    ]
    assert all(role_grant_allowed(by=staff, role=role) for role in Role)


def test_a_role_above_the_highest_you_hold_cannot_be_granted():
    coordinator = UserFactory(roles=[Role.LEARNER, Role.COORDINATOR])
    coordinator.user_permissions.add(Permission.objects.get(codename="assign_roles"))

    allowed = {role for role in Role if role_grant_allowed(by=coordinator, role=role)}

    assert allowed == {Role.LEARNER, Role.VOLUNTEER, Role.COORDINATOR}


def test_without_the_assign_roles_permission_no_role_can_be_granted():
    editor = UserFactory(roles=[Role.LEARNER, Role.EDITOR], is_staff=True)

    assert not any(role_grant_allowed(by=editor, role=role) for role in Role)


def test_a_superuser_grants_anything_unless_deactivated():
    boss = UserFactory(roles=[], is_superuser=True)
    gone = UserFactory(roles=[], is_superuser=True, is_active=False)

    assert all(role_grant_allowed(by=boss, role=role) for role in Role)
    assert not any(role_grant_allowed(by=gone, role=role) for role in Role)


def test_who_may_change_whom():
    staff = UserFactory(roles=[Role.LEARNER, Role.STAFF], is_staff=True)
    other_staff = UserFactory(roles=[Role.LEARNER, Role.STAFF], is_staff=True)
    coordinator = UserFactory(roles=[Role.COORDINATOR])
    editor = UserFactory(roles=[Role.EDITOR], is_staff=True)
    superuser = UserFactory(roles=[], is_superuser=True, is_staff=True)
    special = UserFactory(roles=[Role.LEARNER])
    special.user_permissions.add(Permission.objects.get(codename="view_auditlog"))

    assert user_change_allowed(by=staff, user=other_staff)
    assert user_change_allowed(by=staff, user=editor)
    assert user_change_allowed(by=coordinator, user=UserFactory(roles=[Role.VOLUNTEER]))
    assert not user_change_allowed(by=coordinator, user=editor)
    assert not user_change_allowed(by=staff, user=superuser)
    assert not user_change_allowed(by=staff, user=special)
    assert all(user_change_allowed(by=superuser, user=u) for u in [staff, special, superuser])


def test_staff_set_passwords_only_of_users_outside_the_admin_and_their_own():
    staff = UserFactory(roles=[Role.LEARNER, Role.STAFF], is_staff=True)
    colleague = UserFactory(roles=[Role.LEARNER, Role.STAFF], is_staff=True)
    editor = UserFactory(roles=[Role.EDITOR], is_staff=True)
    superuser = UserFactory(roles=[], is_superuser=True, is_staff=True)
    coordinator = UserFactory(roles=[Role.LEARNER, Role.COORDINATOR])

    assert user_password_set_allowed(by=staff, user=coordinator)
    assert user_password_set_allowed(by=staff, user=staff)
    assert not user_password_set_allowed(by=staff, user=colleague)
    assert not user_password_set_allowed(by=staff, user=editor)
    assert not user_password_set_allowed(by=staff, user=superuser)
    assert user_password_set_allowed(by=superuser, user=colleague)


def test_the_service_refuses_a_role_above_yours_and_records_nothing():
    coordinator = UserFactory(roles=[Role.LEARNER, Role.COORDINATOR])
    coordinator.user_permissions.add(Permission.objects.get(codename="assign_roles"))
    learner = UserFactory(roles=[Role.LEARNER])

    with pytest.raises(RoleAboveYours):
        user_role_assign(user=learner, role=Role.EDITOR, by=coordinator)

    learner.refresh_from_db()
    assert not learner.is_staff
    assert not learner.groups.filter(name=Role.EDITOR).exists()
    assert not AuditLog.objects.filter(target_id=str(learner.pk)).exists()


def test_the_service_refuses_to_change_a_superusers_roles():
    staff = UserFactory(roles=[Role.LEARNER, Role.STAFF], is_staff=True)
    boss = UserFactory(roles=[Role.LEARNER], is_superuser=True, is_staff=True)

    with pytest.raises(RoleAboveYours):
        user_role_revoke(user=boss, role=Role.LEARNER, by=staff)

    assert boss.groups.filter(name=Role.LEARNER).exists()


def test_a_grant_records_the_roles_and_the_staff_flag_before_and_after():
    boss = UserFactory(roles=[Role.STAFF])
    learner = UserFactory(roles=[Role.LEARNER])

    user_role_assign(user=learner, role=Role.EDITOR, by=boss)

    entry = AuditLog.objects.get(target_id=str(learner.pk))
    assert entry.before == {"roles": ["learner"], "is_staff": False}
    assert entry.after == {"roles": ["editor", "learner"], "is_staff": True}


def test_granting_a_role_already_held_or_revoking_one_not_held_records_nothing():
    volunteer = UserFactory(roles=[Role.LEARNER, Role.VOLUNTEER])

    user_role_assign(user=volunteer, role=Role.VOLUNTEER, by=None)
    user_role_revoke(user=volunteer, role=Role.EDITOR, by=None)

    assert not AuditLog.objects.filter(target_id=str(volunteer.pk)).exists()
