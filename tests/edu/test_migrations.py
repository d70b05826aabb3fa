"""Migration edu 0004 moves certificate files between storages row by row: a failure
half-way leaves every row pointing at a file that exists, and running it again goes on."""

from __future__ import annotations

import importlib
from pathlib import Path

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.db import DatabaseError, connection
from django.db.migrations.executor import MigrationExecutor
from django.utils import timezone

from edu.models import Certificate
from tests.db_failures import RowUpdateRefused, where_it_is
from tests.factories import UserFactory

move_to_private = importlib.import_module("edu.migrations.0004_certificate_private_files")


@pytest.fixture(autouse=True)
def storage_folders(settings, tmp_path: Path) -> None:
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "private"


def public_certificates(course, n: int) -> list[Certificate]:
    """Certificates rendered before 0004: their files in the public media storage."""
    public = storages["default"]
    made = []
    for i in range(n):
        certificate = Certificate.objects.create(
            serial=f"AQ-2026-MOVE{i}-MOVE{i}",
            user=UserFactory(),
            course=course,
            course_version=1,
            learner_name=f"学员{i}",
            course_title_zh=course.title_zh,
            issued_at=timezone.now(),
        )
        png = public.save(f"edu/certificates/{certificate.serial}.png", ContentFile(b"png"))
        pdf = public.save(f"edu/certificates/{certificate.serial}.pdf", ContentFile(b"pdf"))
        Certificate.objects.filter(pk=certificate.pk).update(png=png, pdf=pdf)
        made.append(certificate)
    return made


def apps_before_0004():
    return MigrationExecutor(connection).loader.project_state(("edu", "0003_reach_sources")).apps


def test_the_file_move_runs_outside_one_transaction():
    assert move_to_private.Migration.atomic is False


@pytest.mark.django_db(transaction=True)
def test_a_move_that_fails_half_way_leaves_every_row_at_an_existing_file_and_a_rerun_ends_it(
    course,
):
    # Given three certificates whose files are in the public storage
    _, second, third = public_certificates(course, 3)

    # When the move runs and the database refuses to update the second row
    with (
        RowUpdateRefused("edu_certificate", second.pk),
        pytest.raises(DatabaseError, match="row refused"),
    ):
        move_to_private.to_private(apps_before_0004(), None)

    # Then every row points at files that exist, each in one storage: moved rows (taken
    # newest first) in the private one, the refused row's still in the public one
    places = {
        c.pk: [where_it_is(c.png.name), where_it_is(c.pdf.name)] for c in Certificate.objects.all()
    }
    assert places[second.pk] == [{"default"}, {"default"}]
    assert all(p in ([{"private"}] * 2, [{"default"}] * 2) for p in places.values()), places
    assert places[third.pk] == [{"private"}, {"private"}]  # issued last, moved first

    # When it runs again
    move_to_private.to_private(apps_before_0004(), None)

    # Then every row points at its files in the private storage, and no copy is left over
    for certificate in Certificate.objects.all():
        assert where_it_is(certificate.png.name) == {"private"}
        assert where_it_is(certificate.pdf.name) == {"private"}
        assert certificate.png.read() == b"png"
    assert len(storages["private"].listdir("edu/certificates")[1]) == 6
    assert storages["default"].listdir("edu/certificates")[1] == []
