"""Session photos under concurrency, on PostgreSQL: the cap per log holds for simultaneous
uploads, a photo is processed once when two workers take it at once, and a processing that
does not commit leaves no files behind."""

from __future__ import annotations

import threading
import time
from pathlib import Path

import pytest
from django.conf import settings
from django.db import DatabaseError, connection, connections, transaction

from campaigns.models import PhotoStatus, SessionLog, SessionPhoto
from campaigns.services import session_photo_attach, session_photo_process
from campaigns.services.errors import MAX_PHOTOS_PER_LOG, TooManyPhotos
from tests.campaigns.factories import SessionLogFactory, jpeg_bytes, region_tree

pytestmark = [
    pytest.mark.services,
    pytest.mark.local_files,
    pytest.mark.django_db(transaction=True),
]


class Worker(threading.Thread):
    """Runs ``call`` on its own database connection, keeping its result or exception."""

    def __init__(self, call):
        super().__init__(daemon=True)
        self.call, self.result, self.error = call, None, None

    def run(self):
        try:
            self.result = self.call()
        except Exception as exc:
            self.error = exc
        finally:
            connections.close_all()


def waiting_on_locks() -> int:
    with connection.cursor() as cursor:
        # pg_locks is live (pg_stat_activity is a snapshot per transaction)
        cursor.execute("SELECT count(DISTINCT pid) FROM pg_locks WHERE NOT granted")
        return cursor.fetchone()[0]


def run_together_behind_a_lock(row_lock, *calls) -> list[Worker]:
    """Start ``calls`` in threads while this connection holds ``row_lock`` (a queryset to
    lock), wait until each is blocked on a database lock, then let them go at once."""
    workers = [Worker(call) for call in calls]
    with transaction.atomic():
        list(row_lock.select_for_update())
        for worker in workers:
            worker.start()
        deadline = time.monotonic() + 10
        while waiting_on_locks() < len(workers):
            assert time.monotonic() < deadline, [(w.is_alive(), repr(w.error)) for w in workers]
            time.sleep(0.05)
    for worker in workers:
        worker.join(30)
    return workers


@pytest.fixture
def log():
    return SessionLogFactory(county=region_tree()["leishan"])


def media_files() -> list[Path]:
    """The files of session photos, all in the private storage (public media stay empty)."""
    assert not [p for p in Path(settings.MEDIA_ROOT).rglob("*") if p.is_file()]
    return sorted(p for p in Path(settings.PRIVATE_MEDIA_ROOT).rglob("*") if p.is_file())


def test_two_uploads_at_once_never_pass_the_cap_of_photos_per_log(log):
    # Given a log one photo short of the cap
    for n in range(MAX_PHOTOS_PER_LOG - 1):
        session_photo_attach(
            log=log,
            volunteer=log.volunteer,
            client_photo_id=f"p{n}",
            data=jpeg_bytes(color=(n * 25, 0, 0)),
            enqueue=False,
        )

    # When the last two photos arrive at the same moment
    def attach(photo_id: str, color: tuple[int, int, int]):
        fresh = SessionLog.objects.get(pk=log.pk)
        return lambda: session_photo_attach(
            log=fresh,
            volunteer=fresh.volunteer,
            client_photo_id=photo_id,
            data=jpeg_bytes(color=color),
            enqueue=False,
        )

    workers = run_together_behind_a_lock(
        SessionLog.objects.filter(pk=log.pk), attach("p9", (0, 250, 0)), attach("p10", (0, 0, 250))
    )

    # Then one is stored and the other refused, and no file of the refused one is kept
    assert SessionPhoto.objects.filter(log=log).count() == MAX_PHOTOS_PER_LOG
    errors = [w.error for w in workers if w.error is not None]
    assert len(errors) == 1 and isinstance(errors[0], TooManyPhotos)
    assert len(media_files()) == MAX_PHOTOS_PER_LOG


def test_a_photo_taken_by_two_workers_at_once_is_processed_once(log):
    # Given an uploaded photo
    photo, _ = session_photo_attach(
        log=log, volunteer=log.volunteer, client_photo_id="a", data=jpeg_bytes(), enqueue=False
    )

    # When two workers process it at the same moment
    workers = run_together_behind_a_lock(
        SessionPhoto.objects.filter(pk=photo.pk),
        lambda: session_photo_process(photo_id=photo.pk),
        lambda: session_photo_process(photo_id=photo.pk),
    )

    # Then it is ready, with one image and one thumbnail and nothing else in the storage
    assert [w.error for w in workers] == [None, None]
    photo.refresh_from_db()
    assert photo.status == PhotoStatus.READY
    root = Path(settings.PRIVATE_MEDIA_ROOT)
    assert media_files() == sorted([root / photo.image.name, root / photo.thumbnail.name])


def test_a_processing_whose_update_fails_leaves_no_file_behind(log):
    # Given an uploaded photo, and a database that refuses to store a processed one
    photo, _ = session_photo_attach(
        log=log, volunteer=log.volunteer, client_photo_id="a", data=jpeg_bytes(), enqueue=False
    )
    table = SessionPhoto._meta.db_table
    with connection.cursor() as cursor:
        cursor.execute(
            "CREATE FUNCTION refuse_ready() RETURNS trigger LANGUAGE plpgsql AS"
            " $$ BEGIN RAISE EXCEPTION 'disk full'; END $$"
        )
        cursor.execute(
            f"CREATE TRIGGER refuse_ready BEFORE UPDATE ON {table} FOR EACH ROW"
            " WHEN (NEW.status = 'ready') EXECUTE FUNCTION refuse_ready()"
        )
    try:
        # When it is processed
        with pytest.raises(DatabaseError, match="disk full"):
            session_photo_process(photo_id=photo.pk)
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"DROP TRIGGER refuse_ready ON {table}")
            cursor.execute("DROP FUNCTION refuse_ready()")

    # Then the photo waits to be processed again, and only its upload is in the storage
    photo.refresh_from_db()
    assert photo.status == PhotoStatus.PROCESSING
    assert media_files() == [Path(settings.PRIVATE_MEDIA_ROOT) / photo.upload.name]
