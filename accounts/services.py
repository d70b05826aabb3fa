"""Writes about accounts: sign-up, roles, preferences."""

from __future__ import annotations

from typing import Any

from django.contrib.auth.models import Group, Permission
from django.db import transaction

from core.audit import AuditAction
from core.exceptions import DomainError
from core.services import audit_log_record

from .consents import consent_set
from .models import Purpose, User
from .roles import ADMIN_ROLES, ROLE_PERMISSIONS, Role, role_rank


class RoleAboveYours(DomainError):
    """The role, or the user to change, is above what the acting user may hand out."""

    code = "permission-denied"


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
    *,
    username: str,
    password: str,
    display_name: str = "",
    language: str = "",
    email: str = "",
    notice_accepted: bool = False,
) -> User:
    """Create a learner account. Atomic: the user exists with its role (and, when the form
    had the privacy notice accepted, that consent, audited) or not at all."""
    user = User(username=username, display_name=display_name, email=email)
    if language:
        user.language = language
    user.set_password(password)
    user.full_clean(exclude=["password"])
    user.save()
    user.groups.add(Group.objects.get(name=Role.LEARNER))
    if notice_accepted:
        consent_set(user=user, purpose=Purpose.NOTICE, given=True, source="signup")
    return user


def user_roles(user: Any) -> list[Role]:
    """The roles ``user`` holds, lowest first."""
    names = set(user.groups.filter(name__in=list(Role)).values_list("name", flat=True))
    return sorted((Role(name) for name in names), key=role_rank)


def _rank_of(user: Any) -> int:
    """The rank of the highest role ``user`` holds; -1 for none."""
    return max((role_rank(role) for role in user_roles(user)), default=-1)


def role_grant_allowed(*, by: Any, role: Role | str) -> bool:
    """Whether ``by`` may grant or revoke ``role``: a superuser any role; anyone else needs
    the ``accounts.assign_roles`` permission and only roles up to the highest they hold."""
    if not getattr(by, "is_active", False):
        return False
    if by.is_superuser:
        return True
    return bool(by.has_perm("accounts.assign_roles")) and role_rank(role) <= _rank_of(by)


def user_change_allowed(*, by: Any, user: User) -> bool:
    """Whether ``by`` may change ``user`` (roles, details) at all: a superuser anyone; anyone
    else nobody who is a superuser, holds a role above all of theirs, or has permissions
    of their own (only a superuser gives those, so only a superuser changes such users).
    Nobody changes an erased account: its erasure cannot be undone, not even by staff."""
    if not getattr(by, "is_active", False) or user.erased_at is not None:
        return False
    if by.is_superuser:
        return True
    if user.is_superuser or user.user_permissions.exists():
        return False
    return _rank_of(user) <= _rank_of(by)


def user_password_set_allowed(*, by: Any, user: User) -> bool:
    """Whether ``by`` may set ``user``'s password in the admin: a superuser anyone's, anyone
    their own; others only for users they may change who do not work in the admin."""
    if not getattr(by, "is_active", False):
        return False
    if by.is_superuser or by.pk == user.pk:
        return True
    return not user.is_staff and user_change_allowed(by=by, user=user)


def _role_state(user: User) -> dict[str, Any]:
    return {"roles": sorted(str(role) for role in user_roles(user)), "is_staff": user.is_staff}


def _user_lock(user: User) -> None:
    """Lock the user's row for the transaction and read its flags as stored."""
    User.objects.select_for_update().filter(pk=user.pk).first()
    user.refresh_from_db(fields=["is_staff", "is_superuser"])


def _role_change_check(*, user: User, role: Role, by: Any | None) -> None:
    # None is the system (migrations, demo data, commands): not limited.
    if by is None:
        return
    if not role_grant_allowed(by=by, role=role) or not user_change_allowed(by=by, user=user):
        raise RoleAboveYours()


def _role_change_record(
    *, action: AuditAction, user: User, role: Role, by: Any | None, before: dict[str, Any]
) -> None:
    after = _role_state(user)
    changed = sorted(name for name in after if before[name] != after[name])
    if not changed:
        return  # already so: nothing granted or revoked, nothing recorded
    audit_log_record(
        actor=by,
        action=action,
        target=user,
        data={"role": str(role)},
        before={name: before[name] for name in changed},
        after={name: after[name] for name in changed},
    )


@transaction.atomic
def user_role_assign(*, user: User, role: Role | str, by: Any | None) -> None:
    """Give ``user`` a role; admin roles also open the Django admin. Audited with the roles
    (and the staff flag) before and after; a role already held changes and records nothing.
    Raises :class:`RoleAboveYours` if ``by`` may not grant it (see ``role_grant_allowed``)."""
    role = Role(role)
    _user_lock(user)
    _role_change_check(user=user, role=role, by=by)
    before = _role_state(user)
    user.groups.add(Group.objects.get(name=role))
    if role in ADMIN_ROLES and not user.is_staff:
        user.is_staff = True
        user.save(update_fields=["is_staff"])
    _role_change_record(action=AuditAction.ROLE_GRANTED, user=user, role=role, by=by, before=before)


@transaction.atomic
def user_role_revoke(*, user: User, role: Role | str, by: Any | None) -> None:
    """Take a role away; leaving the last admin role closes the admin. Audited like
    ``user_role_assign``; a role not held changes and records nothing."""
    role = Role(role)
    _user_lock(user)
    _role_change_check(user=user, role=role, by=by)
    before = _role_state(user)
    user.groups.remove(Group.objects.get(name=role))
    still_admin = user.groups.filter(name__in=[str(r) for r in ADMIN_ROLES]).exists()
    if user.is_staff and not still_admin and not user.is_superuser:
        user.is_staff = False
        user.save(update_fields=["is_staff"])
    _role_change_record(action=AuditAction.ROLE_REVOKED, user=user, role=role, by=by, before=before)


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
