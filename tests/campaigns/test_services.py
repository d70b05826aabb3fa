"""Campaign set-up, exports of a large campaign and the demo content."""

import csv
import io
import uuid
from decimal import Decimal

import pytest
from django.core.files.storage import default_storage
from django.http import StreamingHttpResponse
from django.utils import timezone
from openpyxl import load_workbook

from campaigns.exports import export_build, stream_response
from campaigns.models import Export, SessionLog, Status
from campaigns.selectors import campaigns_of_volunteer
from campaigns.services import (
    GpsWithoutConsent,
    RejectionWithoutReason,
    SessionInput,
    campaign_create,
    session_log_review,
    session_log_sync,
    team_assign,
)
from core.audit import AuditAction
from core.models import AuditLog
from tests.campaigns.factories import (
    CampaignFactory,
    SessionLogFactory,
    coordinator_of,
    volunteer_in,
)
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


def test_a_whole_province_or_prefecture_becomes_target_counties_at_once(regions):
    # When a campaign is made over Guizhou province and Chongqing's district
    campaign = campaign_create(
        name="金融教育进百县",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        region_codes=["520000", "500101"],
        by=UserFactory(),
    )

    # Then every county of Guizhou (under both prefectures) and the district are targets
    assert set(campaign.target_counties.values_list("name", flat=True)) == {
        "雷山县",
        "从江县",
        "开阳县",
        "万州区",
    }
    assert AuditLog.objects.filter(
        action=AuditAction.CAMPAIGN_CREATED, target_id=str(campaign.pk)
    ).exists()


def test_a_prefecture_brings_only_its_own_counties(regions):
    campaign = campaign_create(
        name="黔东南",
        starts_on=timezone.localdate(),
        ends_on=timezone.localdate(),
        region_codes=["522600"],
    )
    assert set(campaign.target_counties.values_list("code", flat=True)) == {"522633", "522634"}


def test_a_volunteer_in_two_teams_gets_each_campaigns_default_county(campaign, regions):
    volunteer = volunteer_in(campaign, regions["leishan"])
    other = CampaignFactory(name="校园反诈")
    team_assign(campaign=other, team_name="万州队", volunteer=volunteer, county=regions["wanzhou"])

    mine = {
        c.campaign.name: c.default_county.name for c in campaigns_of_volunteer(volunteer=volunteer)
    }

    assert mine == {campaign.name: "雷山县", "校园反诈": "万州区"}


def large_campaign(campaign, county, n):
    volunteer = UserFactory()
    SessionLog.objects.bulk_create(
        SessionLog(
            client_uuid=uuid.uuid4(),
            campaign=campaign,
            volunteer=volunteer,
            county=county,
            held_on=timezone.localdate(),
            venue_type="school",
            venue_name=f"第{i}中学",
            attendees_students=100,
            attendees_total=100,
            status=Status.APPROVED,
        )
        for i in range(n)
    )


def test_a_large_campaign_streams_as_csv_row_by_row(campaign, regions):
    # Given a campaign with 5,000 sessions
    large_campaign(campaign, regions["leishan"], 5000)

    # When the sessions are exported
    response = stream_response(campaign=campaign, kind="sessions.csv")

    # Then the answer is streamed in pieces, one line per session after the header
    assert isinstance(response, StreamingHttpResponse)
    chunks = list(response.streaming_content)
    assert len(chunks) == 5001
    rows = list(csv.reader(io.StringIO(b"".join(chunks).decode("utf-8-sig"))))
    assert len(rows) == 5001
    assert rows[-1][7] == "第4999中学"


def test_a_celery_built_export_lands_in_the_storage(campaign, regions):
    large_campaign(campaign, regions["leishan"], 1200)
    export = Export.objects.create(campaign=campaign, kind="sessions_xlsx")

    export_build(export_id=export.pk)
    export_build(export_id=export.pk)  # a second delivery changes nothing

    export.refresh_from_db()
    assert export.rows == 1200 and export.done_at is not None
    with default_storage.open(export.file) as stored:
        sheet = load_workbook(io.BytesIO(stored.read()), read_only=True).active
        assert sum(1 for _ in sheet.iter_rows()) == 1201


def test_a_coordinator_requests_a_background_export_and_downloads_it(
    client, campaign, regions, django_capture_on_commit_callbacks
):
    from tests.campaigns.factories import coordinator_of

    SessionLogFactory(campaign=campaign, county=regions["leishan"], status=Status.APPROVED)
    client.force_login(coordinator_of(campaign))

    # When the coordinator asks for a background export, a task is queued after commit
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(f"/campaigns/{campaign.pk}/exports/", {"kind": "counties.xlsx"})
    assert len(callbacks) == 1
    export = Export.objects.get()
    assert export.done_at is None

    # ... and once built (the task's own work; test_tasks runs it in a real worker)
    export_build(export_id=export.pk)
    page = client.get(f"/campaigns/{campaign.pk}/").content.decode()
    assert f"/campaigns/{campaign.pk}/exports/{export.pk}" in page
    download = client.get(f"/campaigns/{campaign.pk}/exports/{export.pk}")
    sheet = load_workbook(io.BytesIO(b"".join(download.streaming_content))).active
    assert sheet.max_row == 4


def test_the_demo_campaigns_are_meaningful_and_seeding_twice_changes_nothing():
    from django.core.management import call_command

    from accounts.models import User
    from campaigns.models import Campaign
    from reach.selectors import campaign_dashboard

    call_command("seed_demo", stdout=io.StringIO())
    counts = (Campaign.objects.count(), SessionLog.objects.count())
    call_command("seed_demo", stdout=io.StringIO())

    assert (Campaign.objects.count(), SessionLog.objects.count()) == counts
    assert counts[0] == 2 and counts[1] >= 300
    for campaign in Campaign.objects.all():
        figures = campaign_dashboard(campaign=campaign)
        assert figures.sessions > 50 and 0 < figures.reached < figures.targets
        assert figures.pending > 10
        assert campaign.coordinators.filter(username="coordinator").exists()
    volunteer = User.objects.get(username="volunteer")
    mine = campaigns_of_volunteer(volunteer=volunteer)
    assert {c.default_county.name for c in mine} == {"雷山县", "武昌区"}
    assert SessionLog.objects.filter(photos__status="ready").count() > 100


def test_a_position_without_the_volunteers_consent_is_refused_by_the_service(campaign, regions):
    # Given a volunteer of the campaign
    volunteer = volunteer_in(campaign, regions["leishan"])
    sent = {
        "campaign_id": campaign.pk,
        "county_code": "522634",
        "held_on": timezone.localdate(),
        "venue_type": "school",
        "venue_name": "雷山县第一中学",
        "attendees": {"students": 240},
        "latitude": Decimal("26.380000"),
        "longitude": Decimal("108.070000"),
    }

    # When a log arrives with a position but no consent, whoever calls the service
    with pytest.raises(GpsWithoutConsent) as refused:
        session_log_sync(volunteer=volunteer, data=SessionInput(client_uuid=uuid.uuid4(), **sent))

    # Then nothing is stored and the refusal points at the consent field; with consent it is kept
    assert (refused.value.field, SessionLog.objects.count()) == ("gps_consent", 0)
    log, created = session_log_sync(
        volunteer=volunteer,
        data=SessionInput(client_uuid=uuid.uuid4(), gps_consent=True, **sent),
    )
    assert created and log.latitude == Decimal("26.380000")


def test_a_rejection_without_a_reason_is_refused_by_the_service(campaign, regions):
    # Given a pending log and a coordinator of its campaign
    log = SessionLogFactory(campaign=campaign, county=regions["leishan"])
    coordinator = coordinator_of(campaign)

    # When they reject it with a blank note, Then the service refuses, naming the note field
    with pytest.raises(RejectionWithoutReason) as refused:
        session_log_review(log=log, reviewer=coordinator, decision=Status.REJECTED, note="  ")
    assert refused.value.field == "note"
    log.refresh_from_db()
    assert log.status == Status.PENDING
