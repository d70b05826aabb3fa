"""The coordinators' review queue as they use it: a total, pages, filters and orders, their
place kept after each decision, several logs approved at once; and the campaign page's
pickers and the dashboard of one area."""

import csv
import io
import re
from datetime import timedelta

import pytest
from django.utils import timezone

from campaigns.models import SessionLog, Status
from core.audit import AuditAction
from core.models import AuditLog
from reach.services import reach_refresh
from tests.campaigns.factories import (
    CampaignFactory,
    SessionLogFactory,
    coordinator_of,
    volunteer_in,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def coordinator(campaign):
    return coordinator_of(campaign, username="chenjing")


def cards(page: str) -> list[str]:
    """The venue names of the cards on a queue page, in order."""
    return re.findall(r'<label for="pick-\d+">(.+?) · ', page)


def logs(campaign, county, n, **kwargs):
    today = timezone.localdate()
    return [
        SessionLogFactory(
            campaign=campaign,
            county=county,
            venue_name=f"村{i:02d}",
            held_on=today - timedelta(days=n - i),
            **kwargs,
        )
        for i in range(n)
    ]


def test_the_queue_shows_its_total_and_pages_through_everything(
    client, campaign, regions, coordinator
):
    # Given 25 logs waiting
    logs(campaign, regions["leishan"], 25)
    client.force_login(coordinator)

    # When the coordinator opens the queue, then its second page
    first = client.get("/campaigns/review/").content.decode()
    second = client.get("/campaigns/review/?page=2").content.decode()

    # Then the total is said, 20 on the first page (oldest session first), 5 on the second
    assert 'data-total="25"' in first and "共 25 条记录" in first and "第 1 页，共 2 页" in first
    assert cards(first) == [f"村{i:02d}" for i in range(20)]
    assert cards(second) == [f"村{i:02d}" for i in range(20, 25)]
    assert 'rel="next"' in first and 'rel="prev"' in second


def test_the_queue_filters_by_county_volunteer_and_flag_and_sorts(
    client, campaign, regions, coordinator
):
    # Given logs of two volunteers in two counties, one of them flagged
    ahua = volunteer_in(campaign, regions["leishan"], username="ahua")
    xiaowu = volunteer_in(campaign, regions["congjiang"], username="xiaowu")
    SessionLogFactory(campaign=campaign, county=regions["leishan"], volunteer=ahua, venue_name="甲")
    SessionLogFactory(
        campaign=campaign,
        county=regions["congjiang"],
        volunteer=xiaowu,
        venue_name="乙",
        flags=["too_many_attendees"],
        attendees_total=500,
    )
    SessionLogFactory(
        campaign=campaign, county=regions["congjiang"], volunteer=ahua, venue_name="丙"
    )
    client.force_login(coordinator)

    def shown(query):
        return sorted(cards(client.get(f"/campaigns/review/?{query}").content.decode()))

    # Then each filter narrows the queue, and they combine
    assert shown("county=522633") == ["丙", "乙"]
    assert shown(f"volunteer={ahua.pk}") == ["丙", "甲"]
    assert shown(f"county=522633&volunteer={ahua.pk}") == ["丙"]
    assert shown("flag=too_many_attendees") == ["乙"]
    assert shown("flag=any") == ["乙"]
    assert shown("flag=date_in_future") == []
    most = client.get("/campaigns/review/?sort=-attendees_total").content.decode()
    assert cards(most)[0] == "乙"
    # ... and a filter value that makes no sense is ignored rather than an error
    assert client.get("/campaigns/review/?county=abc&flag=nonsense&sort=x").status_code == 200


def test_after_a_decision_the_coordinator_is_back_on_the_same_page_at_the_next_card(
    client, campaign, regions, coordinator
):
    # Given the second page of a filtered queue
    made = logs(campaign, regions["leishan"], 24)
    client.force_login(coordinator)
    here = f"/campaigns/review/?campaign={campaign.pk}&page=2"
    page = client.get(here).content.decode()
    assert cards(page) == ["村20", "村21", "村22", "村23"]

    # When they approve the first card of that page
    answer = client.post(
        f"/campaigns/review/{made[20].pk}/",
        {"decision": "approved", "next": here, "after": made[21].pk},
    )

    # Then they are taken back to that page, at the card that followed
    assert answer.status_code == 302
    assert answer["Location"] == f"{here}#log-{made[21].pk}"
    made[20].refresh_from_db()
    assert made[20].status == Status.APPROVED


def test_a_refused_decision_is_shown_on_its_own_card(client, campaign, regions, coordinator):
    # Given a page of the queue
    made = logs(campaign, regions["leishan"], 3)
    client.force_login(coordinator)

    # When the coordinator rejects the second log without a reason
    answer = client.post(
        f"/campaigns/review/{made[1].pk}/",
        {"decision": "rejected", "note": "  ", "next": "/campaigns/review/"},
    )

    # Then the queue is shown again, the error inside that card (not at the top of the page)
    assert answer.status_code == 400
    page = answer.content.decode()
    card = page.split(f'id="log-{made[1].pk}"')[1].split(f'id="log-{made[2].pk}"')[0]
    assert "请向志愿者说明退回的理由" in card
    assert 'role="alert"' in card and "autofocus" in card
    assert page.count('role="alert"') == 1
    # ... and its forms still lead back to the queue, not to the address of the decision
    assert f'action="/campaigns/review/{made[1].pk}/"' in page
    assert 'name="next" value="/campaigns/review/?page=1"' not in page
    assert page.count('name="next" value="/campaigns/review/"') == 4  # bulk form and 3 cards
    made[1].refresh_from_db()
    assert made[1].status == Status.PENDING


def test_several_logs_are_approved_at_once_each_audited(client, campaign, regions, coordinator):
    # Given three waiting logs and one of another coordinator's campaign
    made = logs(campaign, regions["leishan"], 3)
    theirs = SessionLogFactory(campaign=CampaignFactory(), county=regions["kaiyang"])
    client.force_login(coordinator)

    # When two of theirs and the other campaign's are ticked and approved together
    answer = client.post(
        "/campaigns/review/approve/",
        {"logs": [made[0].pk, made[2].pk, theirs.pk], "next": "/campaigns/review/"},
        follow=True,
    )

    # Then their two are approved, each with its own audit row; the other is untouched
    statuses = dict(SessionLog.objects.values_list("pk", "status"))
    assert statuses[made[0].pk] == statuses[made[2].pk] == Status.APPROVED
    assert statuses[made[1].pk] == statuses[theirs.pk] == Status.PENDING
    audited = AuditLog.objects.filter(action=AuditAction.SESSION_LOG_APPROVED)
    assert sorted(audited.values_list("target_id", flat=True)) == sorted(
        [str(made[0].pk), str(made[2].pk)]
    )
    assert {a.actor for a in audited} == {coordinator}
    page = answer.content.decode()
    assert "已通过 2 条记录" in page and "1 条记录未通过" in page
    assert cards(page) == ["村01"]


@pytest.mark.parametrize("n", [1, 20])
def test_the_queue_reads_any_page_in_the_same_number_of_queries(
    client, campaign, regions, coordinator, django_assert_num_queries, n
):
    # Given n logs with photos of volunteers, filtered by county
    for log in logs(campaign, regions["leishan"], n, flags=["too_many_attendees"]):
        log.photos.create(client_photo_id="p", content_hash=f"{log.pk:064d}")
    client.force_login(coordinator)

    # session, user, 2 permissions, total, page of logs, photos, campaigns, and the
    # counties and volunteers of the filters
    with django_assert_num_queries(10):
        page = client.get("/campaigns/review/?county=522634&flag=any").content.decode()

    assert len(cards(page)) == n


def test_an_area_of_the_dashboard_shows_its_share_of_the_goals_and_exports_its_data(
    client, campaign, regions, coordinator
):
    # Given a campaign over 3 counties (2 in Qiandongnan) with goals of 90 sessions, 3000 people
    campaign.goal_sessions, campaign.goal_people = 90, 3000
    campaign.save()
    for county, venue in (("leishan", "雷山村"), ("kaiyang", "开阳村")):
        SessionLogFactory(
            campaign=campaign, county=regions[county], venue_name=venue, status=Status.APPROVED
        )
    reach_refresh()
    client.force_login(coordinator)

    # When the coordinator drills into Qiandongnan
    page = client.get(f"/campaigns/{campaign.pk}/?area=522600").content.decode()

    # Then its goals are its share (2 of 3 counties), and its exports are of it alone
    assert "黔东南苗族侗族自治州目标 60" in page and "黔东南苗族侗族自治州目标 2,000" in page
    link = f"/campaigns/{campaign.pk}/export/sessions.csv?area=522600"
    assert link in page
    rows = list(csv.reader(io.StringIO(client.get(link).getvalue().decode("utf-8-sig"))))
    assert [row[7] for row in rows[1:]] == ["雷山村"]
    counties = client.get(f"/campaigns/{campaign.pk}/export/counties.csv?area=522600")
    assert "522600" in counties["Content-Disposition"]
    rows = list(csv.reader(io.StringIO(counties.getvalue().decode("utf-8-sig"))))
    assert sorted(row[0] for row in rows[1:]) == ["522633", "522634"]
    # ... while the nation-wide view keeps the campaign's goals
    nation = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert "目标 90" in nation and "目标 3,000" in nation
    assert (
        client.get(f"/campaigns/{campaign.pk}/export/sessions.csv?area=999999").status_code == 404
    )


def test_the_pickers_find_volunteers_and_regions_by_name(client, campaign, regions, coordinator):
    from tests.factories import UserFactory

    volunteer_in(CampaignFactory(), username="wangfang", display_name="王芳")
    UserFactory(username="wanglearner", display_name="王学员")  # a learner, not a volunteer
    client.force_login(coordinator)

    people = client.get("/campaigns/pickers/volunteers/?q=王").json()["results"]
    places = client.get("/campaigns/pickers/regions/?q=黔东南").json()["results"]
    counties = client.get("/campaigns/pickers/counties/?q=县").json()["results"]

    assert people == [{"value": "王芳（wangfang）", "label": "王芳 · wangfang"}]
    assert places == [
        {
            "value": "黔东南苗族侗族自治州（522600）",
            "label": "黔东南苗族侗族自治州（贵州省，522600）",
        }
    ]
    assert {c["value"] for c in counties} == {
        "雷山县（522634）",
        "从江县（522633）",
        "开阳县（520121）",
    }
    assert client.get("/campaigns/pickers/volunteers/?q=").json() == {"results": []}
    client.force_login(volunteer_in(campaign))
    assert client.get("/campaigns/pickers/volunteers/?q=王").status_code == 403


def test_without_script_a_volunteer_and_a_region_are_named_as_typed(
    client, campaign, regions, coordinator
):
    # Given a volunteer called 王芳 and the manage page
    volunteer = volunteer_in(CampaignFactory(), username="wangfang", display_name="王芳")
    client.force_login(coordinator)
    url = f"/campaigns/{campaign.pk}/manage/"

    # When the coordinator types names instead of codes, or what a picker fills in
    client.post(url, {"action": "regions", "codes": "重庆市"})
    client.post(
        url, {"action": "assign", "username": "王芳", "team_name": "雷山队", "county": "雷山县"}
    )
    picked = client.post(
        url,
        {
            "action": "assign",
            "username": "王芳（wangfang）",
            "team_name": "从江队",
            "county": "从江县（522633）",
        },
    )

    # Then the same regions and volunteer are found as by their codes
    assert picked.status_code == 302
    assert campaign.target_counties.filter(code="500101").exists()
    assignments = volunteer.campaign_assignments.filter(team__campaign=campaign)
    assert sorted(assignments.values_list("county_id", flat=True)) == ["522633", "522634"]
