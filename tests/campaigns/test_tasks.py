"""Photo processing through the real broker and a real Celery worker."""

import time
import uuid

import pytest
from django.core.files.storage import storages
from django.utils import timezone

from campaigns.models import PhotoStatus, SessionPhoto
from campaigns.services import SessionInput, session_log_sync, session_photo_attach
from tests.campaigns.factories import (
    CampaignFactory,
    exif_with_gps,
    jpeg_bytes,
    region_tree,
    volunteer_in,
)
from tests.storage import OBJECT_STORAGE, new_location, object_storage_env, use_object_storage

pytestmark = [pytest.mark.worker, pytest.mark.django_db(transaction=True)]

# On the services run the worker and this process share the object store's buckets, as a
# worker host and a web host would; on the SQLite run, the test settings' media folders.
LOCATION = new_location()


@pytest.fixture(scope="module")
def worker_env() -> dict[str, str]:
    return object_storage_env(LOCATION) if OBJECT_STORAGE else {}


@pytest.fixture(autouse=True)
def _same_storage_as_the_worker(settings) -> None:
    if OBJECT_STORAGE:
        use_object_storage(settings, LOCATION)


def wait_for(predicate, timeout=60):
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def test_a_worker_processes_an_uploaded_photo_and_strips_its_exif(celery_worker, settings):
    # The worker stores the files where this process reads them (see LOCATION above).
    regions = region_tree()
    campaign = CampaignFactory()
    campaign.target_counties.add(regions["leishan"])
    volunteer = volunteer_in(campaign, regions["leishan"])
    log, _ = session_log_sync(
        volunteer=volunteer,
        data=SessionInput(
            client_uuid=uuid.uuid4(),
            campaign_id=campaign.pk,
            county_code="522634",
            held_on=timezone.localdate(),
            venue_type="school",
            venue_name="雷山县第一中学",
            attendees={"students": 240},
        ),
    )

    photo, created = session_photo_attach(
        log=log, volunteer=volunteer, client_photo_id="a", data=jpeg_bytes(exif=exif_with_gps())
    )

    assert created
    wait_for(lambda: SessionPhoto.objects.get(pk=photo.pk).status != PhotoStatus.PROCESSING)
    photo.refresh_from_db()
    assert photo.status == PhotoStatus.READY
    with storages["private"].open(photo.image.name) as stored:
        assert b"VolunteerPhone" not in stored.read()


def test_a_worker_builds_a_requested_export_into_the_storage(celery_worker):
    from campaigns.exports import export_request
    from campaigns.models import Export, SessionLog, Status

    regions = region_tree()
    campaign = CampaignFactory()
    campaign.target_counties.add(regions["leishan"], regions["congjiang"])
    volunteer = volunteer_in(campaign, regions["leishan"])
    for n in range(30):
        SessionLog.objects.create(
            campaign=campaign,
            volunteer=volunteer,
            county=regions["leishan"],
            held_on=timezone.localdate(),
            venue_type="market",
            venue_name=f"集市{n}",
            attendees_total=10,
            attendees_farmers=10,
            status=Status.APPROVED,
        )

    export = export_request(campaign=campaign, kind="sessions.csv", by=None)

    wait_for(lambda: Export.objects.get(pk=export.pk).done_at is not None)
    export.refresh_from_db()
    assert export.rows == 30
    with storages["private"].open(export.file.name) as stored:
        lines = stored.read().decode("utf-8-sig").splitlines()
    assert len(lines) == 31 and "集市29" in lines[-1]
