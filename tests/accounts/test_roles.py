import pytest
from django.contrib.auth.models import Group

from accounts.roles import ROLE_PERMISSIONS, Role
from accounts.services import roles_sync, user_role_assign, user_role_revoke
from core.audit import AuditAction
from core.models import AuditLog
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
    form = page.context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list)}
    data.update(
        username=learner.username,
        display_name=learner.display_name,
        language="zh-hans",
        time_zone="Asia/Shanghai",
        date_joined_0="2026-11-01",
        date_joined_1="10:00:00",
        is_active="on",
        groups=[Group.objects.get(name=Role.LEARNER).pk, Group.objects.get(name=Role.VOLUNTEER).pk],
    )
    data.pop("password", None)
    data.pop("last_login", None)

    response = client.post(f"/admin/accounts/user/{learner.pk}/change/", data)

    assert response.status_code == 302, response.context["adminform"].form.errors
    entry = AuditLog.objects.get(target_id=str(learner.pk))
    assert entry.action == AuditAction.USER_CHANGED
    assert entry.actor == superuser
    assert entry.before == {"groups": ["learner"]}
    assert entry.after == {"groups": ["learner", "volunteer"]}
    assert entry.data == {"via": "admin"}
