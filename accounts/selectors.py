from __future__ import annotations

from .models import User
from .roles import Role


def user_roles(*, user: User) -> list[Role]:
    """The user's roles, in the order of ``Role``."""
    names = set(user.groups.values_list("name", flat=True))
    return [role for role in Role if role.value in names]
