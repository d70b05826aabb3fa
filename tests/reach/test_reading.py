"""The impact page, the staff overview and the API read the summary tables."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest

from accounts.roles import Role
from reach import services
from tests.factories import UserFactory
from tests.reach.factories import START, World, at

pytestmark = pytest.mark.django_db


@pytest.fixture
def counted(world: World) -> World:
    # Two approved sessions in two Guizhou counties, one in Chongqing; a heeded check
    leishan, kaiyang, wanzhou = (world.regions[k] for k in ("leishan", "kaiyang", "wanzhou"))
    for county, people in ((leishan, 40), (kaiyang, 25), (wanzhou, 10)):
        world.session(
            county=county,
            held_on=START,
            attendees_elderly=people,
            attendees_students=0,
            attendees_farmers=0,
            attendees_women=0,
            attendees_other=0,
            attendees_total=people,
        )
    world.check(
        region_code=leishan.code,
        created_at=at(START),
        status="heeded",
        age_band="60_plus",
        scam_types=["impersonating_police", "fake_credit_record"],
        amount=Decimal("5000.00"),
        resolution="cancelled",
    )
    world.check(
        region_code=kaiyang.code,
        created_at=at(START),
        status="proceeded",
        age_band="18_34",
        scam_types=["impersonating_police"],
        resolution="completed",
    )
    world.lesson_done(completed=at(START + timedelta(days=1)))
    services.reach_refresh()
    return world


def test_impact_page_publishes_the_headline_in_chinese(client, counted):
    # When anyone opens the impact page in Chinese
    response = client.get("/impact/", HTTP_ACCEPT_LANGUAGE="zh-hans")

    # Then it shows 75 attendees + 2 checks + 1 online learner, 3 sessions, 3 counties
    page = response.content.decode()
    assert response.status_code == 200
    assert "覆盖 78 人次 · 3 场 · 3 个县（区）" in page
    assert "¥5,000" in page or "¥5000" in page


def test_impact_page_drills_down_to_a_province(client, counted):
    response = client.get("/impact/?area=520000", HTTP_ACCEPT_LANGUAGE="en")

    page = response.content.decode()
    assert "Reached 67 person-times · 2 sessions · 2 counties" in page
    assert 'data-area="522600"' in page and 'data-area="520100"' in page
    assert 'data-area="500000"' not in page


def test_impact_page_answers_bad_filters_with_a_message(client, counted):
    response = client.get("/impact/?start=yesterday&area=999999", HTTP_ACCEPT_LANGUAGE="en")

    page = response.content.decode()
    assert response.status_code == 200
    assert "Enter a valid date." in page
    assert "There is no region with code 999999." in page


def test_impact_page_reads_a_fixed_number_of_queries(
    client, counted, django_assert_max_num_queries
):
    for n in range(5):  # more sessions in more days do not add queries
        counted.session(held_on=START + timedelta(days=n + 3))
    services.reach_refresh()
    with django_assert_max_num_queries(6):
        assert client.get("/impact/").status_code == 200


def test_overview_is_for_staff_only(client, counted):
    client.force_login(UserFactory(roles=[Role.LEARNER]))
    assert client.get("/impact/overview/").status_code == 403


def test_overview_shows_coverage_and_the_last_job_run(
    client, counted, django_assert_max_num_queries
):
    services.reach_job("reach.refresh")
    client.force_login(UserFactory(roles=[Role.STAFF]))

    with django_assert_max_num_queries(14):
        response = client.get("/impact/overview/", HTTP_ACCEPT_LANGUAGE="en")

    page = response.content.decode()
    assert response.status_code == 200
    assert 'data-job="reach.refresh"' in page
    # the heeding rate by age band and by scam type, read from the summary tables
    assert '<table class="data-table" data-checks="age_band">' in page
    assert '<tr data-group="60_plus">' in page and "60 and over" in page
    assert '<tr data-group="impersonating_police">' in page and "50%" in page
    campaigns = {s.campaign_id for s in counted.campaigns[0].sessions.all()} | {
        s.campaign_id for s in counted.campaigns[1].sessions.all()
    }
    assert all(f'data-campaign="{c}"' in page for c in campaigns)


def test_api_summary_gives_anyone_the_totals_and_areas_the_impact_page_shows(
    client, counted, django_assert_max_num_queries
):
    with django_assert_max_num_queries(7):
        response = client.get("/api/v1/reach?area=520000")

    body = response.json()
    assert response.status_code == 200
    assert body["totals"]["person_times"] == 67
    assert body["totals"]["sessions"] == 2
    assert body["totals"]["heeding_rate"] == 0.5
    assert body["totals"]["protected_funds"] == "5000.00"
    assert {a["code"] for a in body["areas"]} == {"522600", "520100"}
    # and nothing finer than the impact page: the breakdowns are the staff overview's
    assert "by_age_band" not in body and "by_scam_type" not in body


def test_api_summary_gives_staff_the_breakdowns_by_age_band_and_scam_type(
    client, counted, django_assert_max_num_queries
):
    client.force_login(UserFactory(roles=[Role.STAFF]))
    with django_assert_max_num_queries(12):
        body = client.get("/api/v1/reach?area=520000").json()

    bands = {g["code"]: (g["heeding_rate"], g["protected_funds"]) for g in body["by_age_band"]}
    assert bands == {"60_plus": (1.0, "5000.00"), "18_34": (0.0, "0.00")}
    types = {g["code"]: (g["checks_shown"], g["heeding_rate"]) for g in body["by_scam_type"]}
    assert types == {"impersonating_police": (2, 0.5), "fake_credit_record": (1, 1.0)}
    assert body["by_scam_type"][0]["name"] == "冒充公检法"


def test_api_summary_splits_the_checks_of_the_chosen_area_only(client, counted):
    client.force_login(UserFactory(roles=[Role.STAFF]))
    body = client.get("/api/v1/reach?area=522600").json()  # Leishan's prefecture
    assert [g["code"] for g in body["by_age_band"]] == ["60_plus"]


def test_api_summary_answers_bad_input_with_a_problem(client, counted):
    response = client.get("/api/v1/reach?start=2026-05-01&end=2026-04-01")

    assert response.status_code == 400
    assert response["Content-Type"].startswith("application/problem+json")


def test_api_summary_refuses_an_unknown_parameter_rather_than_showing_the_nation(client, counted):
    response = client.get("/api/v1/reach?aera=520000")

    assert response.status_code == 400
    assert [e["pointer"] for e in response.json()["errors"]] == ["#/aera"]


def test_api_campaigns_needs_permission_and_reports_coverage(client, counted):
    assert client.get("/api/v1/reach/campaigns").status_code in (401, 403)
    client.force_login(UserFactory(roles=[Role.COORDINATOR]))

    rows = client.get("/api/v1/reach/campaigns").json()

    assert sum(r["sessions"] for r in rows) == 3
    assert all(r["target_counties"] == 3 for r in rows)
    assert sum(r["counties_reached"] for r in rows) >= 1


def test_api_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/reach" in schema and "reach_campaigns_list" in schema
