"""Writes about accounts: sign-up, roles, preferences."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from core.audit import AuditAction
from core.services import audit_log_record

from .models import User
from .roles import ADMIN_ROLES, ROLE_PERMISSIONS, Role


def _permissions(names: list[str], using: str) -> list[Permission]:
    wanted = {tuple(name.split(".", 1)) for name in names}
    found = list(
        Permission.objects.using(using)
        .select_related("content_type")
        .filter(codename__in={codename for _, codename in wanted})
    )
    found = [p for p in found if (p.content_type.app_label, p.codename) in wanted]
    missing = wanted - {(p.content_type.app_label, p.codename) for p in found}
    if missing:
        raise LookupError(f"Unknown permissions in accounts.roles: {sorted(missing)}")
    return found


@transaction.atomic
def roles_sync(*, using: str = "default") -> dict[str, int]:
    """Create one group per role with exactly the permissions of ``accounts.roles``.

    Idempotent; runs after every migrate. Returns the number of permissions per role."""
    counts: dict[str, int] = {}
    for role, names in ROLE_PERMISSIONS.items():
        group, _ = Group.objects.using(using).get_or_create(name=role)
        permissions = _permissions(names, using)
        group.permissions.set(permissions)
        counts[str(role)] = len(permissions)
    return counts


@transaction.atomic
def user_signup(
    *, username: str, password: str, display_name: str = "", language: str = "", email: str = ""
) -> User:
    """Create a learner account. Atomic: the user exists with its role or not at all."""
    user = User(username=username, display_name=display_name, email=email)
    if language:
        user.language = language
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.add(Group.objects.get(name=Role.LEARNER))
    return user


@transaction.atomic
def user_role_assign(*, user: User, role: Role | str, by: Any | None) -> None:
    """Give ``user`` a role; admin roles also open the Django admin. Audited; idempotent."""
    role = Role(role)
    user.groups.add(Group.objects.get(name=role))
    if role in ADMIN_ROLES and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    audit_log_record(
        actor=by, action=AuditAction.ROLE_GRANTED, target=user, data={"role": str(role)}
    )


@transaction.atomic
def user_role_revoke(*, user: User, role: Role | str, by: Any | None) -> None:
    """Take a role away; leaving the last admin role closes the admin. Audited; idempotent."""
    role = Role(role)
    user.groups.remove(Group.objects.get(name=role))
    still_admin = user.groups.filter(name__in=[str(r) for r in ADMIN_ROLES]).exists()
    if user.is_staff and not still_admin and not user.is_superuser:
        user.is_staff = False
        user.save(update_fields=["is_staff"])
    audit_log_record(
        actor=by, action=AuditAction.ROLE_REVOKED, target=user, data={"role": str(role)}
    )


def user_preferences_update(
    *, user: Any, language: str | None = None, elder_mode: bool | None = None
) -> None:
    """Store display preferences on the account, so they follow the user to a new device."""
    fields = []
    if language is not None and user.language != language:
        user.language = language
        fields.append("language")
    if elder_mode is not None and user.elder_mode != elder_mode:
        user.elder_mode = elder_mode
        fields.append("elder_mode")
    if fields:
        user.save(update_fields=fields)
