"""Volunteers plan sessions, see them listed, log them from the plan or say they were not
held; a log of the same campaign and county within a day of the plan counts."""

from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns import selectors, services
from campaigns.models import PlannedSession, Status
from core.audit import AuditAction
from core.models import AuditLog
from tests.campaigns.factories import (
    CampaignFactory,
    SessionLogFactory,
    coordinator_of,
    volunteer_in,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def volunteer(campaign, regions):
    return volunteer_in(campaign, regions["congjiang"])


def plan_for(volunteer, campaign, county, days_from_today, **fields):
    return services.planned_session_create(
        by=volunteer,
        volunteer=volunteer,
        data=services.PlanInput(
            campaign_id=campaign.pk,
            county_code=county.code,
            planned_on=timezone.localdate() + timedelta(days=days_from_today),
            venue_type=fields.get("venue_type", "market"),
            venue_name=fields.get("venue_name", "丙妹镇集市"),
            expected_audience=fields.get("expected_audience", 60),
        ),
    )


def test_a_volunteer_plans_a_session_without_javascript_and_sees_it_listed(
    client, volunteer, campaign
):
    # Given a volunteer on the plans page
    client.force_login(volunteer)
    day = timezone.localdate() + timedelta(days=5)

    # When they post the form (no script involved)
    answer = client.post(
        "/campaigns/plans/",
        {
            "campaign": campaign.pk,
            "county": "522633",
            "planned_on": day.isoformat(),
            "venue_type": "market",
            "venue_name": "丙妹镇集市",
            "expected_audience": "80",
        },
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )

    # Then the plan is stored and listed among the coming sessions
    plan = PlannedSession.objects.get()
    assert (plan.volunteer, plan.county_id, plan.planned_on) == (volunteer, "522633", day)
    assert plan.expected_audience == 80 and plan.planned_by == volunteer
    page = answer.content.decode()
    assert "Session planned." in page
    assert f'data-plan="{plan.pk}"' in page and "丙妹镇集市" in page


def test_a_date_long_past_gets_a_clear_message_and_nothing_is_stored(client, volunteer, campaign):
    client.force_login(volunteer)

    answer = client.post(
        "/campaigns/plans/",
        {
            "campaign": campaign.pk,
            "county": "522633",
            "planned_on": (timezone.localdate() - timedelta(days=30)).isoformat(),
            "venue_type": "market",
            "venue_name": "集市",
            "expected_audience": "10",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    assert answer.status_code == 200
    assert "Choose a date from a week ago onwards." in answer.content.decode()
    assert not PlannedSession.objects.exists()


def test_a_past_plan_offers_its_log_form_already_filled_in(client, volunteer, campaign, regions):
    # Given a plan of three days ago that was not logged
    plan = plan_for(volunteer, campaign, regions["congjiang"], -3, venue_name="加榜乡小学")
    client.force_login(volunteer)

    # When the volunteer follows "Log this session"
    page = client.get("/campaigns/plans/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "Not logged yet" in page
    assert f"/campaigns/log/?plan={plan.pk}" in page
    form = client.get(f"/campaigns/log/?plan={plan.pk}").content.decode()

    # Then the log form carries the plan's date and venue
    assert f'value="{plan.planned_on.isoformat()}"' in form
    assert 'value="加榜乡小学"' in form


def test_a_log_within_a_day_of_the_plan_in_its_county_counts_as_logged(
    volunteer, campaign, regions
):
    # Given four plans two days ago, and logs a day later, in another county, or too late
    congjiang, leishan = regions["congjiang"], regions["leishan"]
    matched = plan_for(volunteer, campaign, congjiang, -10)
    other_county = plan_for(volunteer, campaign, congjiang, -20)
    too_late = plan_for(volunteer, campaign, congjiang, -30)
    nothing = plan_for(volunteer, campaign, congjiang, -40)
    for plan, county, shift in (
        (matched, congjiang, 1),
        (other_county, leishan, 0),
        (too_late, congjiang, 2),
    ):
        SessionLogFactory(
            campaign=campaign,
            volunteer=volunteer,
            county=county,
            held_on=plan.planned_on + timedelta(days=shift),
            status=Status.REJECTED,  # any status: the volunteer did log it
        )

    # When the plans are read
    logged = {p.pk: p.logged for p in selectors.planned_sessions_of_volunteer(volunteer=volunteer)}

    # Then only the plan with a log of its county within a day counts as logged
    assert logged == {
        matched.pk: True,
        other_county.pk: False,
        too_late.pk: False,
        nothing.pk: False,
    }


def test_only_the_volunteer_or_a_coordinator_of_the_campaign_plans(volunteer, campaign, regions):
    # A volunteer of another campaign cannot plan for this one
    stranger = volunteer_in(CampaignFactory(), regions["leishan"])
    with pytest.raises(services.NotInCampaign):
        plan_for(stranger, campaign, regions["leishan"], 3)
    # Another campaign's coordinator cannot plan for this campaign's volunteer
    outsider = coordinator_of(CampaignFactory())
    with pytest.raises(services.PlanNotAllowed):
        services.planned_session_create(
            by=outsider,
            volunteer=volunteer,
            data=services.PlanInput(campaign.pk, "522633", timezone.localdate(), "school", "小学"),
        )
    # The campaign's coordinator can, and it is on record
    coordinator = coordinator_of(campaign)
    plan = services.planned_session_create(
        by=coordinator,
        volunteer=volunteer,
        data=services.PlanInput(campaign.pk, "522633", timezone.localdate(), "school", "小学"),
    )
    assert plan.planned_by == coordinator and plan.volunteer == volunteer
    assert AuditLog.objects.filter(action=AuditAction.PLAN_CREATED, actor=coordinator).count() == 1


def test_marking_a_plan_as_not_held_is_for_its_volunteer_only(client, volunteer, campaign, regions):
    plan = plan_for(volunteer, campaign, regions["congjiang"], -3)
    other = volunteer_in(campaign, regions["congjiang"])
    client.force_login(other)
    assert client.post(f"/campaigns/plans/{plan.pk}/not-held/").status_code == 404

    client.force_login(volunteer)
    answer = client.post(f"/campaigns/plans/{plan.pk}/not-held/", follow=True)

    plan.refresh_from_db()
    assert plan.cancelled_at is not None
    assert "/campaigns/log/?plan=" not in answer.content.decode()


def test_the_plans_page_reads_a_fixed_number_of_queries(
    client, volunteer, campaign, regions, django_assert_max_num_queries
):
    for n in range(8):
        plan_for(volunteer, campaign, regions["congjiang"], n - 4, venue_name=f"村{n}")
    client.force_login(volunteer)

    with django_assert_max_num_queries(9):
        page = client.get("/campaigns/plans/").content.decode()

    assert page.count("data-plan=") == 8


def test_a_coordinator_plans_a_session_for_a_volunteer_on_the_manage_page(
    client, volunteer, campaign
):
    # Given the campaign's coordinator on the manage page
    coordinator = coordinator_of(campaign)
    client.force_login(coordinator)
    day = timezone.localdate() + timedelta(days=2)

    # When they plan a session for the volunteer, and one for an unknown user name
    answer = client.post(
        f"/campaigns/{campaign.pk}/manage/",
        {
            "action": "plan",
            "username": volunteer.username,
            "county": "522633",
            "planned_on": day.isoformat(),
            "venue_type": "school",
            "venue_name": "从江县第一中学",
            "expected_audience": "300",
        },
        follow=True,
        HTTP_ACCEPT_LANGUAGE="en",
    )
    unknown = client.post(
        f"/campaigns/{campaign.pk}/manage/",
        {
            "action": "plan",
            "username": "nobody",
            "county": "522633",
            "planned_on": day.isoformat(),
            "venue_type": "school",
            "venue_name": "小学",
            "expected_audience": "3",
        },
        HTTP_ACCEPT_LANGUAGE="en",
    )

    # Then the volunteer has the plan, and the unknown name gets a message
    assert "Session planned for" in answer.content.decode()
    plan = PlannedSession.objects.get()
    assert (plan.volunteer, plan.planned_by, plan.planned_on) == (volunteer, coordinator, day)
    assert "No volunteer has this name or user name." in unknown.content.decode()
    client.force_login(volunteer)
    assert "从江县第一中学" in client.get("/campaigns/plans/").content.decode()
