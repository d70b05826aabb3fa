"""Demo accounts, one for every role: seed_demo's part for accounts. Idempotent."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction
from django.utils.translation import gettext as _

from .models import User
from .roles import Role
from .services import user_role_assign

DEMO_PASSWORD = "anquan-demo-2026"  # noqa: S105 - public on purpose, refused in production


@dataclass(frozen=True)
class DemoUser:
    username: str
    display_name: str
    roles: tuple[Role, ...]
    elder_mode: bool = False


DEMO_USERS = [
    DemoUser("learner", "王秀英", (Role.LEARNER,)),
    # A rare character outside the BMP (𠮷), as real names have; elder mode on.
    DemoUser("elder", "张𠮷英", (Role.LEARNER,), elder_mode=True),
    DemoUser("volunteer", "李强（蓝马甲）", (Role.LEARNER, Role.VOLUNTEER)),
    DemoUser("coordinator", "陈静", (Role.LEARNER, Role.COORDINATOR)),
    DemoUser("editor", "刘洋", (Role.LEARNER, Role.EDITOR)),
    DemoUser("staff", "周敏", (Role.LEARNER, Role.STAFF)),
]


@transaction.atomic
def demo_users_seed() -> list[DemoUser]:
    """Create the demo accounts if missing; reset their password and roles if present."""
    for demo in DEMO_USERS:
        user, created = User.objects.get_or_create(
            username=demo.username,
            defaults={"display_name": demo.display_name, "elder_mode": demo.elder_mode},
        )
        if created or not user.check_password(DEMO_PASSWORD):
            user.set_password(DEMO_PASSWORD)
            user.save(update_fields=["password"])
        have = set(user.groups.values_list("name", flat=True))
        for role in demo.roles:
            if role.value not in have:
                user_role_assign(user=user, role=role, by=None)
    return DEMO_USERS


def demo_seed() -> list[str]:
    """seed_demo's part: the demo logins, and the lines that tell them."""
    lines = [_("Demo logins (password for all: %(password)s):") % {"password": DEMO_PASSWORD}]
    for demo in demo_users_seed():
        roles = ", ".join(str(role.label) for role in demo.roles)
        lines.append(f"  {demo.username:<12} {demo.display_name}  [{roles}]")
    return lines
