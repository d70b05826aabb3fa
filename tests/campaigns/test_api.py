"""The volunteers' sync API: idempotent logs and photos, clear problems, kept data."""

import io
import uuid
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone
from rest_framework.test import APIClient

from campaigns.models import Flag, PhotoStatus, SessionLog, SessionPhoto
from campaigns.services import session_photo_process
from tests.campaigns.factories import (
    CampaignFactory,
    exif_with_gps,
    jpeg_bytes,
    png_bomb,
    volunteer_in,
)

pytestmark = pytest.mark.django_db
URL = "/api/v1/campaign-sessions"


def body(campaign, county, **overrides):
    data = {
        "client_uuid": str(uuid.uuid4()),
        "campaign": campaign.pk,
        "county": county.code,
        "held_on": str(timezone.localdate()),
        "venue_type": "village_committee",
        "venue_name": "西江村村委会",
        "attendees": {"elderly": 31, "farmers": 12, "women": 9},
        "topics": "防范养老诈骗；认识96110",
        "notes": "村广播通知后来了很多老人",
    }
    data.update(overrides)
    return data


@pytest.fixture
def volunteer(campaign, regions):
    return volunteer_in(campaign, regions["leishan"])


@pytest.fixture
def client(volunteer):
    api = APIClient()
    api.force_authenticate(volunteer)
    return api


def upload(client, log_uuid, data, photo_id="p1", name="sheet.jpg"):
    return client.post(
        f"{URL}/{log_uuid}/photos",
        {"client_photo_id": photo_id, "file": SimpleUploadedFile(name, data, "image/jpeg")},
        format="multipart",
    )


def test_sending_the_same_log_a_hundred_times_makes_one_record(client, campaign, regions):
    # Given one log filled on a phone
    log = body(campaign, regions["leishan"])

    # When the phone sends it a hundred times (lost answers, retries)
    answers = [client.post(URL, log, format="json") for _ in range(100)]

    # Then the first creates it, every other answers with the same log, and there is one row
    assert answers[0].status_code == 201
    assert {a.status_code for a in answers[1:]} == {200}
    assert {a.json()["client_uuid"] for a in answers} == {log["client_uuid"]}
    assert SessionLog.objects.filter(client_uuid=log["client_uuid"]).count() == 1
    assert answers[-1].json()["attendees_total"] == 52


def test_a_resend_with_changed_fields_never_overwrites_the_saved_log(client, campaign, regions):
    log = body(campaign, regions["leishan"])
    client.post(URL, log, format="json")

    again = client.post(URL, {**log, "venue_name": "别的地方"}, format="json")

    assert again.status_code == 200
    assert SessionLog.objects.get().venue_name == "西江村村委会"


def test_a_volunteer_cannot_log_for_a_campaign_they_are_not_in(client, regions):
    other = CampaignFactory()

    answer = client.post(URL, body(other, regions["leishan"]), format="json")

    assert answer.status_code == 403
    assert answer["Content-Type"] == "application/problem+json"
    assert answer.json()["type"] == "/problems/not-in-campaign"
    assert not SessionLog.objects.exists()


def test_someone_without_the_volunteer_role_cannot_log(campaign, regions):
    from tests.factories import UserFactory

    api = APIClient()
    api.force_authenticate(UserFactory())
    answer = api.post(URL, body(campaign, regions["leishan"]), format="json")
    assert answer.status_code == 403


def test_another_volunteer_reusing_a_client_uuid_gets_a_conflict(client, campaign, regions):
    log = body(campaign, regions["leishan"])
    client.post(URL, log, format="json")
    other = APIClient()
    other.force_authenticate(volunteer_in(campaign, regions["kaiyang"]))

    answer = other.post(URL, log, format="json")

    assert answer.status_code == 409
    assert answer.json()["type"] == "/problems/session-log-of-another-volunteer"


def test_invalid_fields_are_listed_with_json_pointers(client, campaign, regions):
    answer = client.post(
        URL,
        body(campaign, regions["leishan"], venue_type="disco", attendees={"elderly": -3}),
        format="json",
    )
    assert answer.status_code == 400
    pointers = {e["pointer"] for e in answer.json()["errors"]}
    assert pointers == {"#/venue_type", "#/attendees/elderly"}


@pytest.mark.parametrize(
    ("overrides", "pointer"),
    [
        ({"surprise": "x"}, "#/surprise"),
        ({"attendees": {"elderly": 31, "eldery": 4}}, "#/attendees/eldery"),
        ({"attendees": {"elderly": "31"}}, "#/attendees/elderly"),
        ({"attendees": {"elderly": True}}, "#/attendees/elderly"),
        ({"attendees": {"elderly": 31.5}}, "#/attendees/elderly"),
        ({"campaign": "1"}, "#/campaign"),
        ({"campaign": 2**70}, "#/campaign"),  # was a server error: the driver overflowed
        ({"venue_name": 12}, "#/venue_name"),
        ({"county": 522634}, "#/county"),
        ({"client_uuid": 5}, "#/client_uuid"),
        ({"held_on": 20260301}, "#/held_on"),
        ({"gps_consent": "true"}, "#/gps_consent"),
        ({"gps_consent": True, "latitude": 26.38, "longitude": "108.070000"}, "#/latitude"),
    ],
)
def test_unknown_fields_and_wrong_types_are_refused_not_coerced(
    client, campaign, regions, overrides, pointer
):
    # Given a log with one unknown field or one value of the wrong JSON type
    log = {**body(campaign, regions["leishan"]), **overrides}

    # When the phone sends it
    answer = client.post(URL, log, format="json")

    # Then it is a validation problem naming that field, and nothing is stored
    assert answer.status_code == 400
    assert answer.json()["type"] == "/problems/validation-error"
    assert [e["pointer"] for e in answer.json()["errors"]] == [pointer]
    assert not SessionLog.objects.exists()


def test_a_photo_upload_with_an_unknown_form_field_is_refused(client, campaign, regions):
    log = body(campaign, regions["leishan"])
    client.post(URL, log, format="json")

    answer = client.post(
        f"{URL}/{log['client_uuid']}/photos",
        {
            "client_photo_id": "p1",
            "caption": "x",
            "file": SimpleUploadedFile("sheet.jpg", jpeg_bytes(), "image/jpeg"),
        },
        format="multipart",
    )

    assert answer.status_code == 400
    assert [e["pointer"] for e in answer.json()["errors"]] == ["#/caption"]
    assert not SessionPhoto.objects.exists()


def test_a_prefecture_code_is_not_a_county(client, campaign, regions):
    answer = client.post(URL, body(campaign, regions["qiandongnan"]), format="json")
    assert answer.json()["type"] == "/problems/not-a-county"


def test_gps_is_refused_without_consent_and_kept_with_it(client, campaign, regions):
    without = body(campaign, regions["leishan"], latitude="26.380000", longitude="108.070000")
    refused = client.post(URL, without, format="json")
    assert refused.status_code == 400
    assert refused.json() == {
        "type": "/problems/validation-error",
        "title": "请求无效",
        "status": 400,
        "detail": "请求中有无效字段，详见 errors。",
        "instance": URL,
        "errors": [
            {
                "pointer": "#/gps_consent",
                "detail": "GPS is accepted only with the volunteer's consent.",
                "code": "invalid",
            }
        ],
    }

    consented = {**without, "gps_consent": True}
    assert client.post(URL, consented, format="json").status_code == 201
    log = SessionLog.objects.get()
    assert (str(log.latitude), str(log.longitude)) == ("26.380000", "108.070000")


def test_automatic_flags_point_out_likely_mistakes(client, campaign, regions):
    future = str(timezone.localdate() + timedelta(days=3))
    client.post(
        URL,
        body(
            campaign,
            regions["wanzhou"],
            held_on=future,
            venue_type="nursing_home",
            attendees={"elderly": 400},
        ),
        format="json",
    )
    log = SessionLog.objects.get()
    assert set(log.flags) == {
        Flag.DATE_IN_FUTURE,
        Flag.TOO_MANY_ATTENDEES,
        Flag.COUNTY_OUTSIDE_CAMPAIGN,
    }


def test_two_logs_of_the_same_venue_and_day_flag_each_other(client, campaign, regions):
    client.post(URL, body(campaign, regions["leishan"]), format="json")
    client.post(URL, body(campaign, regions["leishan"], venue_name=" 西江村 村委会"), format="json")

    assert [log.flags for log in SessionLog.objects.all()] == [[Flag.SAME_VENUE_AND_DAY]] * 2


def test_an_old_session_is_flagged_as_long_past(client, campaign, regions):
    old = str(timezone.localdate() - timedelta(days=200))
    client.post(URL, body(campaign, regions["leishan"], held_on=old), format="json")
    assert SessionLog.objects.get().flags == [Flag.DATE_LONG_PAST]


def test_an_interrupted_photo_upload_retried_attaches_once(client, campaign, regions):
    # Given a log already sent, and a photo whose first upload lost its answer
    log = body(campaign, regions["leishan"])
    client.post(URL, log, format="json")
    photo = jpeg_bytes()
    first = upload(client, log["client_uuid"], photo)

    # When the phone retries it, and then sends the same bytes under another id
    retry = upload(client, log["client_uuid"], photo)
    same_bytes = upload(client, log["client_uuid"], photo, photo_id="p2")

    # Then one photo is attached
    assert (first.status_code, retry.status_code, same_bytes.status_code) == (201, 200, 200)
    assert SessionPhoto.objects.count() == 1


def test_a_non_image_is_refused_clearly_and_the_log_is_kept(client, campaign, regions):
    log = body(campaign, regions["leishan"])
    client.post(URL, log, format="json")

    answer = upload(client, log["client_uuid"], b"MZ\x90\x00 an executable", name="photo.jpg")

    assert answer.status_code == 422
    assert answer.json()["type"] == "/problems/photo-refused"
    assert answer.json()["code"] == "not_an_image"
    assert SessionLog.objects.filter(client_uuid=log["client_uuid"]).exists()
    assert not SessionPhoto.objects.exists()


def test_a_decompression_bomb_is_refused_on_upload(client, campaign, regions):
    log = body(campaign, regions["leishan"])
    client.post(URL, log, format="json")

    answer = upload(client, log["client_uuid"], png_bomb(), name="bomb.png")

    assert answer.status_code == 422
    assert answer.json()["code"] == "too_many_pixels"


def test_an_oversized_file_is_refused(client, campaign, regions, settings, monkeypatch):
    monkeypatch.setattr("campaigns.api.DEFAULT_MAX_BYTES", 1000)
    log = body(campaign, regions["leishan"])
    client.post(URL, log, format="json")

    answer = upload(client, log["client_uuid"], jpeg_bytes((900, 900), color=None) + b"x" * 2000)

    assert answer.status_code == 422
    assert answer.json()["code"] == "too_large"


def test_a_tenth_photo_is_refused(client, campaign, regions):
    log = body(campaign, regions["leishan"])
    client.post(URL, log, format="json")
    for n in range(9):
        assert (
            upload(
                client, log["client_uuid"], jpeg_bytes(color=(n * 25, 0, 0)), f"p{n}"
            ).status_code
            == 201
        )

    answer = upload(client, log["client_uuid"], jpeg_bytes(color=(0, 250, 0)), "p10")

    assert answer.json()["type"] == "/problems/too-many-photos"


def test_processing_strips_exif_and_gps_and_makes_a_thumbnail(client, campaign, regions):
    # Given a photo uploaded with GPS in its EXIF
    log = body(campaign, regions["leishan"])
    client.post(URL, log, format="json")
    upload(client, log["client_uuid"], jpeg_bytes((1200, 900), exif=exif_with_gps()))
    photo = SessionPhoto.objects.get()

    # When it is processed
    session_photo_process(photo_id=photo.pk)

    # Then the stored image and thumbnail carry no EXIF, and the original is gone
    from django.core.files.storage import storages
    from PIL import Image

    original = photo.upload.name
    photo.refresh_from_db()
    assert photo.status == PhotoStatus.READY
    for name in (photo.image.name, photo.thumbnail.name):
        with storages["private"].open(name) as stored:
            img = Image.open(io.BytesIO(stored.read()))
            assert not img.getexif()
    assert not photo.upload and not storages["private"].exists(original)
    assert (photo.width, photo.height) == (1200, 900)
    assert SessionLog.objects.get().latitude is None  # EXIF GPS never becomes the log's GPS


def test_a_photo_reused_in_another_session_flags_both(client, campaign, regions):
    photo = jpeg_bytes(color=(10, 20, 30))
    uuids = []
    for venue in ("西江村", "郎德村"):
        log = body(campaign, regions["leishan"], venue_name=venue)
        client.post(URL, log, format="json")
        upload(client, log["client_uuid"], photo)
        uuids.append(log["client_uuid"])

    for each in SessionPhoto.objects.all():
        session_photo_process(photo_id=each.pk)

    for log in SessionLog.objects.all():
        assert Flag.DUPLICATE_PHOTO in log.flags


def test_processing_twice_changes_nothing(client, campaign, regions):
    log = body(campaign, regions["leishan"])
    client.post(URL, log, format="json")
    upload(client, log["client_uuid"], jpeg_bytes())
    photo = SessionPhoto.objects.get()
    session_photo_process(photo_id=photo.pk)
    first = SessionPhoto.objects.get().image

    session_photo_process(photo_id=photo.pk)

    assert SessionPhoto.objects.get().image == first


def test_a_volunteer_lists_their_own_logs_in_a_fixed_number_of_queries(
    client, campaign, regions, django_assert_num_queries
):
    for n in range(5):
        log = body(campaign, regions["leishan"], venue_name=f"第{n}村")
        client.post(URL, log, format="json")
        upload(client, log["client_uuid"], jpeg_bytes(color=(n * 40, 1, 2)))

    with django_assert_num_queries(2):  # logs with campaign and county, then photos
        answer = client.get(URL)

    assert len(answer.json()) == 5


def test_the_sync_api_is_in_the_openapi_schema(client):
    schema = client.get("/api/schema/?format=json").json()
    assert "/api/v1/campaign-sessions" in schema["paths"]
    assert "/api/v1/campaign-sessions/{client_uuid}/photos" in schema["paths"]


def test_a_photo_that_fails_to_decode_is_marked_refused_and_the_volunteer_sees_why(
    client, campaign, regions, volunteer
):
    # Given a photo whose header is fine but whose data was cut off on the way
    log = body(campaign, regions["leishan"])
    client.post(URL, log, format="json")
    data = jpeg_bytes((1600, 1200), color=None)
    assert upload(client, log["client_uuid"], data[: len(data) // 3]).status_code == 201

    # When the worker processes it
    session_photo_process(photo_id=SessionPhoto.objects.get().pk)

    # Then it is refused with a reason the volunteer reads on their logs page
    photo = SessionPhoto.objects.get()
    assert photo.status == PhotoStatus.FAILED and photo.error
    from django.test import Client

    browser = Client()
    browser.force_login(volunteer)
    page = browser.get("/campaigns/mine/").content.decode()
    assert photo.error in page
