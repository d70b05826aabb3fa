"""A reminder's text gives its day as people write it in the reader's language."""

from __future__ import annotations

from datetime import date, datetime
from zoneinfo import ZoneInfo

import pytest
from django.core import mail

from accounts.roles import Role
from campaigns.models import Status
from notifications import services
from tests.campaigns.factories import CampaignFactory, SessionLogFactory, region_tree
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db
NOON = datetime(2026, 11, 20, 12, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.mark.parametrize(
    ("language", "day"), [("zh-hans", "2026年11月18日"), ("en", "Nov. 18, 2026")]
)
def test_a_returned_log_is_named_by_its_day_in_the_volunteers_language(language, day):
    volunteer = UserFactory(email="v@example.cn", roles=[Role.VOLUNTEER], language=language)
    SessionLogFactory(
        campaign=CampaignFactory(),
        volunteer=volunteer,
        county=region_tree()["leishan"],
        held_on=date(2026, 11, 18),
        venue_name="西江村",
        status=Status.REJECTED,
        reviewed_at=NOON,
        review_note="照片看不清",
    )

    services.reminders_plan(now=NOON)
    services.reminders_send_due(now=NOON)

    (message,) = mail.outbox
    assert day in message.body
    assert "2026-11-18" not in message.body
