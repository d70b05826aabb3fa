"""A rejected log corrected by its volunteer and sent again: one log, its UUID and history
kept, back in the coordinator's queue; sending the same correction twice counts once."""

import uuid

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from campaigns.models import SessionLog, SessionPhoto, Status
from campaigns.services import session_log_review
from core.audit import AuditAction
from core.models import AuditLog
from tests.campaigns.factories import coordinator_of, jpeg_bytes, volunteer_in

pytestmark = pytest.mark.django_db
URL = "/api/v1/campaign-sessions"


@pytest.fixture
def volunteer(campaign, regions):
    return volunteer_in(campaign, regions["leishan"], username="lanmajia")


@pytest.fixture
def coordinator(campaign):
    return coordinator_of(campaign, username="chenjing")


@pytest.fixture
def api(volunteer):
    client = APIClient()
    client.force_authenticate(volunteer)
    return client


def body(campaign, **overrides):
    data = {
        "campaign": campaign.pk,
        "county": "522634",
        "held_on": str(timezone.localdate()),
        "venue_type": "village_committee",
        "venue_name": "西江村村委会",
        "attendees": {"elderly": 31, "farmers": 12},
    }
    data.update(overrides)
    return data


@pytest.fixture
def rejected(api, campaign, coordinator):
    """A log with two photos, sent by the volunteer and rejected by the coordinator."""
    client_uuid = str(uuid.uuid4())
    assert (
        api.post(URL, {"client_uuid": client_uuid, **body(campaign)}, format="json").status_code
        == 201
    )
    for photo_id, color in (("p1", (200, 0, 0)), ("p2", (0, 200, 0))):
        api.post(
            f"{URL}/{client_uuid}/photos",
            {
                "client_photo_id": photo_id,
                "file": SimpleUploadedFile("a.jpg", jpeg_bytes(color=color)),
            },
            format="multipart",
        )
    log = SessionLog.objects.get(client_uuid=client_uuid)
    session_log_review(log=log, reviewer=coordinator, decision=Status.REJECTED, note="人数写错了")
    return log


def test_a_rejected_log_corrected_twice_over_a_bad_link_changes_once_and_is_back_in_review(
    api, campaign, rejected, coordinator
):
    # Given a rejected log; the volunteer corrects the attendees and takes one photo off
    revision = str(uuid.uuid4())
    correction = {
        **body(campaign, attendees={"elderly": 21, "farmers": 12}),
        "revision": revision,
        "remove_photos": ["p2"],
    }

    # When the phone sends the correction, loses the answer and sends it again
    first = api.post(f"{URL}/{rejected.client_uuid}/resubmit", correction, format="json")
    again = api.post(f"{URL}/{rejected.client_uuid}/resubmit", correction, format="json")

    # Then it is the same log, pending again, with the new figures and one photo
    assert first.status_code == again.status_code == 200
    assert first.json() == again.json()
    assert first.json()["status"] == "pending"
    assert SessionLog.objects.count() == 1
    log = SessionLog.objects.get()
    assert (log.client_uuid, log.attendees_total, log.status) == (
        rejected.client_uuid,
        33,
        Status.PENDING,
    )
    assert list(log.photos.values_list("client_photo_id", flat=True)) == ["p1"]
    # ... the history is kept: the rejection, then one resubmission with what changed
    actions = list(
        AuditLog.objects.filter(target_id=str(log.pk), action__startswith="session_log.")
        .order_by("id")
        .values_list("action", flat=True)
    )
    assert actions == [AuditAction.SESSION_LOG_REJECTED, AuditAction.SESSION_LOG_RESUBMITTED]
    entry = AuditLog.objects.get(action=AuditAction.SESSION_LOG_RESUBMITTED)
    assert entry.actor == log.volunteer
    assert entry.before == {
        "status": "rejected",
        "attendees_elderly": "31",
        "attendees_total": "43",
    }
    assert entry.after == {"status": "pending", "attendees_elderly": "21", "attendees_total": "33"}
    assert entry.data["photos_removed"] == ["p2"] and entry.data["rejection"] == "人数写错了"
    # ... and the coordinator sees it in the queue again, marked as corrected
    client = APIClient()
    client.force_login(coordinator)
    page = client.get("/campaigns/review/").content.decode()
    assert f'data-log="{log.client_uuid}"' in page and "已修改并重新提交" in page
    assert "人数写错了" in page


def test_only_a_rejected_log_can_be_corrected(api, campaign, rejected, coordinator):
    # Given the log was corrected once and is waiting for review
    first = {**body(campaign), "revision": str(uuid.uuid4())}
    assert (
        api.post(f"{URL}/{rejected.client_uuid}/resubmit", first, format="json").status_code == 200
    )

    # When another correction (another revision) is sent
    second = {**body(campaign, venue_name="别的村"), "revision": str(uuid.uuid4())}
    answer = api.post(f"{URL}/{rejected.client_uuid}/resubmit", second, format="json")

    # Then it is refused, saying why, and the log is as it was
    assert answer.status_code == 409
    assert answer.json()["type"].endswith("/session-log-not-editable")
    assert SessionLog.objects.get().venue_name == "西江村村委会"


def test_another_volunteer_cannot_correct_a_log(campaign, regions, rejected):
    other = APIClient()
    other.force_authenticate(volunteer_in(campaign, regions["leishan"]))

    answer = other.post(
        f"{URL}/{rejected.client_uuid}/resubmit",
        {**body(campaign), "revision": str(uuid.uuid4())},
        format="json",
    )

    assert answer.status_code == 403
    assert SessionLog.objects.get().status == Status.REJECTED


def test_without_javascript_the_volunteer_corrects_a_rejected_log_on_its_page(
    client, volunteer, campaign, rejected
):
    # Given the volunteer's logs page shows the rejection and a way to correct it
    client.force_login(volunteer)
    mine = client.get("/campaigns/mine/").content.decode()
    edit = f"/campaigns/mine/{rejected.client_uuid}/edit/"
    assert "人数写错了" in mine and f'href="{edit}"' in mine
    page = client.get(edit).content.decode()
    assert 'value="西江村村委会"' in page and 'name="remove_photos" value="p2"' in page
    revision = page.split('name="revision" value="')[1].split('"')[0]

    # When they post the corrected form with a new photo, twice (a double tap)
    form = {
        "revision": revision,
        "campaign": campaign.pk,
        "county": "522634",
        "held_on": str(timezone.localdate()),
        "venue_type": "village_committee",
        "venue_name": "西江村村委会",
        "attendees_elderly": "25",
        "attendees_students": "0",
        "attendees_farmers": "12",
        "attendees_women": "0",
        "attendees_other": "0",
        "remove_photos": ["p1"],
    }
    photo = SimpleUploadedFile("新照片.jpg", jpeg_bytes(color=(0, 0, 200)), "image/jpeg")
    answer = client.post(edit, {**form, "photos": photo})
    client.post(edit, form)

    # Then the log is pending again with its new figures and photos, changed once
    assert answer.status_code == 302 and answer["Location"] == "/campaigns/mine/"
    log = SessionLog.objects.get()
    assert (log.status, log.attendees_total, log.client_uuid) == (
        Status.PENDING,
        37,
        rejected.client_uuid,
    )
    assert SessionPhoto.objects.filter(log=log).count() == 2  # p2 kept, one added
    assert not log.photos.filter(client_photo_id="p1").exists()
    assert AuditLog.objects.filter(action=AuditAction.SESSION_LOG_RESUBMITTED).count() == 1
    assert "已于" in client.get("/campaigns/mine/").content.decode()


def test_the_log_form_refuses_a_county_outside_the_chosen_campaign(client, volunteer, campaign):
    # Given a volunteer of a campaign over Leishan, Congjiang and Kaiyang
    client.force_login(volunteer)

    # When the form is posted with Wanzhou (another campaign's county, not on the list)
    page = client.post(
        "/campaigns/log/",
        {
            "campaign": campaign.pk,
            "county": "500101",
            "held_on": str(timezone.localdate()),
            "venue_type": "market",
            "venue_name": "集市",
            "attendees_elderly": "4",
            "attendees_students": "0",
            "attendees_farmers": "0",
            "attendees_women": "0",
            "attendees_other": "0",
        },
    ).content.decode()

    # Then nothing is saved and the county field says why
    assert not SessionLog.objects.exists()
    assert "has-error" in page


def test_bulk_approval_needs_the_review_permission(campaign, regions, volunteer, rejected):
    from campaigns.services import ReviewNotAllowed, session_logs_approve

    # Given a volunteer who is (wrongly) listed as a coordinator of the campaign
    campaign.coordinators.add(volunteer)
    rejected.status = Status.PENDING
    rejected.save()

    # When they try to approve logs at once, then it is refused and nothing changes
    with pytest.raises(ReviewNotAllowed):
        session_logs_approve(log_ids=[rejected.pk], reviewer=volunteer)
    assert SessionLog.objects.get().status == Status.PENDING
    assert not AuditLog.objects.filter(action=AuditAction.SESSION_LOG_APPROVED).exists()


def test_a_photo_taken_off_a_log_leaves_no_file_behind(
    api, campaign, rejected, django_capture_on_commit_callbacks
):
    from core.storage import private_storage

    photo = rejected.photos.get(client_photo_id="p2")
    kept = [f.name for f in (photo.upload, photo.image, photo.thumbnail) if f]
    assert kept and all(private_storage().exists(name) for name in kept)

    with django_capture_on_commit_callbacks(execute=True):
        answer = api.post(
            f"{URL}/{rejected.client_uuid}/resubmit",
            {**body(campaign), "revision": str(uuid.uuid4()), "remove_photos": ["p2"]},
            format="json",
        )

    assert answer.status_code == 200
    assert not any(private_storage().exists(name) for name in kept)
