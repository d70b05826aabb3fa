"""Retention periods (docs/privacy.md), applied by the nightly jobs in a real Celery worker:
rows past their period are purged, rows inside it are not, and the figures do not move."""

from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
from django.core import checks
from django.core.files.base import ContentFile
from django.utils import timezone
from django_celery_beat.models import PeriodicTask

from campaigns import tasks as campaign_tasks
from campaigns.models import SessionPhoto
from core import tasks as core_tasks
from core.audit import AuditAction
from core.models import AuditLog, JobRun
from core.storage import private_storage
from quizzes import tasks as quiz_tasks
from quizzes.models import TransferCheck, WebhookEvent
from quizzes.services import transfer_check_subjects_purge
from reach.services import reach_rebuild
from tests.campaigns.factories import CampaignFactory, SessionLogFactory, region_tree
from tests.reach.factories import World, snapshot


def days_ago(days: float):
    return timezone.now() - timedelta(days=days)


def wait_for_run(job: str, timeout: float = 60) -> JobRun:
    deadline = time.monotonic() + timeout
    while True:
        run = JobRun.objects.filter(job=job).exclude(outcome="running").first()
        if run is not None:
            return run
        assert time.monotonic() < deadline, f"the worker did not run {job}"
        time.sleep(0.3)


def checks_at(world: World, days: float, n: int) -> list[TransferCheck]:
    return [world.check(created_at=days_ago(days), status="heeded") for _ in range(n)]


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_blanks_old_subject_references_and_the_figures_stay(celery_worker):
    # Given checks on either side of 180 days, one old one announced by a webhook
    world = World(seed=3)
    old, recent = checks_at(world, 181, 5), checks_at(world, 179, 3)
    event = WebhookEvent.objects.create(
        client=world.client, check_ref=old[0], event_type="transfer_check.completed",
        payload={"type": "transfer_check.completed", "data": {"subject_ref": old[0].subject_ref}},
    )  # fmt: skip
    reach_rebuild()
    before = snapshot()

    # When beat's task reaches the worker
    quiz_tasks.check_subjects_purge.delay()

    # Then only the old ones lost their reference, and nothing counted changed
    run = wait_for_run("quizzes.check_subjects_purge")
    assert (run.outcome, run.rows_changed) == (JobRun.Outcome.OK, 5)
    assert set(TransferCheck.objects.filter(subject_ref="").values_list("pk", flat=True)) == {
        c.pk for c in old
    }
    assert all(TransferCheck.objects.get(pk=c.pk).subject_ref == c.subject_ref for c in recent)
    event.refresh_from_db()
    assert event.payload["data"]["subject_ref"] == ""
    reach_rebuild()
    assert snapshot() == before


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_removes_photos_90_days_after_their_campaign_ends(celery_worker):
    # Given a photo of a campaign that ended 91 days ago and one of a campaign 89 days ago
    county = region_tree()["leishan"]
    today = timezone.localdate()
    photos = {}
    for name, ended in (("old", 91), ("kept", 89)):
        campaign = CampaignFactory(
            starts_on=today - timedelta(days=ended + 30), ends_on=today - timedelta(days=ended)
        )
        log = SessionLogFactory(campaign=campaign, county=county)
        photo = SessionPhoto(log=log, client_photo_id=name, content_hash=name * 8)
        photo.image.save(f"retention-{name}.jpg", ContentFile(b"jpeg"), save=False)
        photo.thumbnail.save(f"retention-{name}-thumb.jpg", ContentFile(b"jpeg"), save=False)
        photo.save()
        photos[name] = photo

    # When beat's task reaches the worker
    campaign_tasks.session_photos_purge_task.delay()

    # Then the old photo's row and both its files are gone; the other is untouched
    run = wait_for_run("campaigns.session_photos_purge")
    assert (run.outcome, run.rows_changed) == (JobRun.Outcome.OK, 1)
    old, kept = photos["old"], photos["kept"]
    assert not SessionPhoto.objects.filter(pk=old.pk).exists()
    assert not private_storage().exists(old.image.name)
    assert not private_storage().exists(old.thumbnail.name)
    assert SessionPhoto.objects.filter(pk=kept.pk).exists()
    assert private_storage().exists(kept.image.name)
    assert old.log.__class__.objects.filter(pk=old.log_id).exists()  # the log stays
    for name in (kept.image.name, kept.thumbnail.name):
        private_storage().delete(name)


@pytest.mark.worker
@pytest.mark.django_db(transaction=True)
def test_the_worker_archives_audit_rows_after_180_days_and_keeps_younger_ones(celery_worker):
    # Given audit rows 181 and 179 days old
    rows = {}
    for name, age in (("old", 181), ("young", 179)):
        row = AuditLog.objects.create(action=AuditAction.ROLE_GRANTED, data={"role": name})
        AuditLog.objects.filter(pk=row.pk).update(created_at=days_ago(age))
        rows[name] = row

    # When beat's task reaches the worker
    core_tasks.audit_log_archive.delay()

    # Then the old row is in an archive file in the private storage, and only there
    run = wait_for_run("core.audit_log_archive")
    assert (run.outcome, run.rows_changed) == (JobRun.Outcome.OK, 1)
    assert not AuditLog.objects.filter(pk=rows["old"].pk).exists()
    assert AuditLog.objects.filter(pk=rows["young"].pk).exists()
    archived = AuditLog.objects.get(action=AuditAction.AUDIT_LOG_ARCHIVED)
    assert archived.data["rows"] == 1
    with private_storage().open(archived.data["file"]) as handle:
        lines = [json.loads(line) for line in handle.read().decode().splitlines()]
    assert [(line["id"], line["data"]) for line in lines] == [(rows["old"].pk, {"role": "old"})]
    private_storage().delete(archived.data["file"])


@pytest.mark.django_db
def test_the_purge_goes_in_batches_and_starts_where_the_last_run_ended(
    django_assert_max_num_queries,
):
    world = World(seed=4)
    old = checks_at(world, 200, 7)

    # In batches of 3: three batches, every old check blanked
    assert transfer_check_subjects_purge(batch_size=3) == 7
    assert not TransferCheck.objects.filter(pk__in=[c.pk for c in old]).exclude(subject_ref="")
    run = JobRun.objects.get(job="quizzes.check_subjects_purge")
    assert run.details["cursor"] >= days_ago(181).isoformat()[:10]

    # The next run reads from the cursor: nothing to do, in a handful of queries
    with django_assert_max_num_queries(6):
        assert transfer_check_subjects_purge(batch_size=3) == 0


@pytest.mark.django_db
def test_the_retention_jobs_are_scheduled_nightly_for_the_admin_to_edit():
    tasks = set(PeriodicTask.objects.values_list("task", flat=True))
    assert {
        "quizzes.check_subjects_purge",
        "campaigns.session_photos_purge",
        "core.audit_log_archive",
    } <= tasks


def test_audit_rows_cannot_be_set_to_go_before_180_days(settings):
    from core.checks import audit_log_retention_check

    settings.RETENTION_AUDIT_LOG_DAYS = 90
    errors = audit_log_retention_check()
    assert [e.id for e in errors] == ["core.E021"]
    assert all(isinstance(e, checks.Error) for e in errors)
    settings.RETENTION_AUDIT_LOG_DAYS = 180
    assert audit_log_retention_check() == []


@pytest.mark.django_db
def test_one_photo_is_erased_with_its_files_on_request(django_capture_on_commit_callbacks):
    from campaigns.services import session_photo_erase

    log = SessionLogFactory(county=region_tree()["leishan"])
    photo = SessionPhoto(log=log, client_photo_id="sheet", content_hash="a" * 64)
    photo.image.save("erase-me.jpg", ContentFile(b"jpeg"), save=False)
    photo.save()

    with django_capture_on_commit_callbacks(execute=True):
        assert session_photo_erase(photo_id=photo.pk) is True

    assert not SessionPhoto.objects.filter(pk=photo.pk).exists()
    assert not private_storage().exists(photo.image.name)
    assert session_photo_erase(photo_id=photo.pk) is False
