"""Migration campaigns 0004 moves session photos and exports from public media to the private
storage row by row: a failure half-way leaves every row pointing at a file that exists, and
running it again goes on from there."""

from __future__ import annotations

import importlib

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor

from campaigns.models import Export, PhotoStatus, SessionPhoto
from tests.campaigns.factories import SessionLogFactory
from tests.db_failures import RowUpdateRefused, where_it_is

move = importlib.import_module("campaigns.migrations.0004_private_files")

pytestmark = [pytest.mark.local_files, pytest.mark.django_db(transaction=True)]


def public_photos(campaign, county, n: int) -> list[SessionPhoto]:
    """Processed photos of before 0004: image and thumbnail in the public media storage."""
    public = storages["default"]
    made = []
    for i in range(n):
        log = SessionLogFactory(campaign=campaign, county=county)
        base = f"campaigns/photos/{log.client_uuid}/{i:016x}"
        photo = SessionPhoto.objects.create(
            log=log,
            client_photo_id="a",
            content_hash=f"{i:064x}",
            status=PhotoStatus.READY,
            image=public.save(f"{base}.jpg", ContentFile(b"jpeg")),
            thumbnail=public.save(f"{base}-thumb.jpg", ContentFile(b"thumb")),
        )
        made.append(photo)
    return made


def public_export(campaign) -> Export:
    name = storages["default"].save("campaigns/exports/c-1.csv", ContentFile(b"a,b"))
    return Export.objects.create(campaign=campaign, kind="sessions_csv", file=name)


def apps_of_0004():
    """The models as the migration's RunPython sees them (after its AlterFields)."""
    return (
        MigrationExecutor(connection).loader.project_state(("campaigns", "0004_private_files")).apps
    )


def places(photo: SessionPhoto) -> list[set[str]]:
    photo.refresh_from_db()
    return [where_it_is(photo.image.name), where_it_is(photo.thumbnail.name)]


def test_the_file_move_runs_outside_one_transaction():
    assert move.Migration.atomic is False


def test_a_move_that_fails_half_way_leaves_every_row_at_an_existing_file_and_a_rerun_ends_it(
    campaign, regions
):
    # Given three processed photos and an export whose files are in public media
    first, second, third = public_photos(campaign, regions["leishan"], 3)
    export = public_export(campaign)

    # When the move runs and the database refuses to update the second photo's row
    with (
        RowUpdateRefused("campaigns_sessionphoto", second.pk),
        pytest.raises(DatabaseError, match="row refused"),
    ):
        move.to_private(apps_of_0004(), None)

    # Then the first photo is private, the refused one still public, the rest untouched
    assert places(first) == [{"private"}, {"private"}]
    assert places(second) == [{"default"}, {"default"}]
    assert places(third) == [{"default"}, {"default"}]

    # When it runs again
    move.to_private(apps_of_0004(), None)

    # Then every file is in the private storage only, the export's too
    for photo in (first, second, third):
        assert places(photo) == [{"private"}, {"private"}]
    export.refresh_from_db()
    assert where_it_is(export.file.name) == {"private"}
    with storages["private"].open(export.file.name) as stored:
        assert stored.read() == b"a,b"


def test_a_file_copied_before_a_failure_is_not_copied_twice(campaign, regions):
    # Given a photo whose image an earlier run copied but whose old copy it did not delete
    (photo,) = public_photos(campaign, regions["leishan"], 1)
    with storages["default"].open(photo.image.name) as handle:
        storages["private"].save(photo.image.name, handle)

    # When the move runs again
    move.to_private(apps_of_0004(), None)

    # Then the image is in the private storage once, under the row's name, and public no more
    assert places(photo) == [{"private"}, {"private"}]
    folder = storages["private"].path(photo.image.name).rsplit("/", 1)[0]
    assert len(storages["private"].listdir(folder)[1]) == 2  # the image and the thumbnail


def test_the_move_back_returns_the_files_to_public_media(campaign, regions):
    (photo,) = public_photos(campaign, regions["leishan"], 1)
    move.to_private(apps_of_0004(), None)

    move.to_public(apps_of_0004(), None)

    assert places(photo) == [{"default"}, {"default"}]
