"""Figures on the reach pages read as people read them in the page's language: grouped
numbers (27,425 人次), money with its symbol and cents (¥15,000.00), dates in words."""

from __future__ import annotations

from decimal import Decimal

import pytest

from accounts.roles import Role
from reach import services
from tests.factories import UserFactory
from tests.reach.factories import START, World, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def big(world: World) -> World:
    # A campaign week of 27,424 attendees in one county, and one heeded check of ¥15,000
    # that the platform then cancelled: 27,425 person-times.
    leishan = world.regions["leishan"]
    world.session(
        county=leishan,
        held_on=START,
        attendees_elderly=27424,
        attendees_students=0,
        attendees_farmers=0,
        attendees_women=0,
        attendees_other=0,
        attendees_total=27424,
    )
    world.check(
        region_code=leishan.code,
        created_at=at(START),
        status="heeded",
        age_band="60_plus",
        scam_types=["impersonating_police"],
        amount=Decimal("15000.00"),
        resolution="cancelled",
    )
    services.reach_refresh()
    return world


def test_the_impact_page_in_chinese_groups_numbers_shows_yuan_and_dates_in_chinese(client, big):
    page = client.get(
        "/impact/?start=2026-03-01&end=2026-03-31", HTTP_ACCEPT_LANGUAGE="zh-hans"
    ).content.decode()

    assert "覆盖 27,425 人次" in page
    assert "¥15,000.00" in page
    assert "2026年3月1日" in page and "2026年3月31日" in page
    assert "2026-03-01</" not in page  # the ISO form stays in links only


def test_the_impact_page_in_english_reads_as_english(client, big):
    page = client.get(
        "/impact/?start=2026-03-01&end=2026-03-31", HTTP_ACCEPT_LANGUAGE="en"
    ).content.decode()

    assert "Reached 27,425 person-times" in page
    assert "¥15,000.00" in page
    assert "March 1, 2026" in page


def test_the_staff_overview_and_the_check_figures_show_money_the_same_way(client, big):
    client.force_login(UserFactory(roles=[Role.STAFF], is_staff=True))

    overview = client.get("/impact/overview/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()
    checks = client.get("/quizzes/figures/", HTTP_ACCEPT_LANGUAGE="zh-hans").content.decode()

    assert "27,425" in overview and "¥15,000.00" in overview
    assert "¥15,000.00" in checks
    assert "¥¥" not in overview + checks
