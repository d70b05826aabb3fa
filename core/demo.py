"""Demo content for trying the product: ``manage.py seed_demo``. Idempotent.

Every app adds its part here by calling its own services, so demo data obeys the same rules
as real data."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import transaction

from accounts.models import User
from accounts.roles import Role
from accounts.services import user_role_assign
from regions.services import DEFAULT_SOURCE, region_rows_parse, regions_load

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


def demo_seed() -> dict[str, object]:
    """Load regions and every app's demo content. Safe to run any number of times."""
    from campaigns.demo import campaign_demo_seed
    from edu.demo import edu_demo_seed
    from quizzes.demo import demo_questions_seed
    from reach.demo import reach_demo_seed

    regions = regions_load(rows=region_rows_parse(DEFAULT_SOURCE.read_text("utf-8").splitlines()))
    users = demo_users_seed()
    return {
        "regions": regions,
        "users": users,
        "questions": demo_questions_seed(),
        "courses": edu_demo_seed(),
        "campaigns": campaign_demo_seed(),
        "reach": reach_demo_seed(),  # last: it counts what the others seeded
    }
