"""Private by default: every file field of every model of ours is either in the private
storage or an allowlisted content asset in public media, and every private file is served
only by a view that checks who asks, with the 404 of an unknown file for everyone else."""

from __future__ import annotations

import importlib
import re
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.db import models
from django.test import Client
from django.urls import clear_url_caches, reverse
from django.utils import timezone

from accounts.models import User
from accounts.roles import Role
from campaigns.exports import export_build
from campaigns.models import Campaign, Export, SessionPhoto
from campaigns.services import session_photo_attach, session_photo_process
from core.audit import AuditAction
from core.models import AuditLog
from core.storage import private_storage
from edu.models import Certificate
from tests.campaigns.factories import (
    CampaignFactory,
    SessionLogFactory,
    coordinator_of,
    jpeg_bytes,
    region_tree,
    volunteer_in,
)
from tests.edu.factories import CourseFactory
from tests.factories import UserFactory
from tests.storage import files_of_this_test

pytestmark = pytest.mark.django_db

OUR_APPS = {"core", "accounts", "regions", "quizzes", "edu", "campaigns", "reach", "notifications"}
# Content assets an editor publishes for everyone: the only files in public media.
PUBLIC_CONTENT = {
    "quizzes.Question.image",
    "edu.LessonImage.image",
    "edu.Lesson.audio",
}
# Personal data, each with the view that serves it (or why none does).
PRIVATE = {
    "edu.Certificate.png",
    "edu.Certificate.pdf",
    "campaigns.SessionPhoto.upload",
    "campaigns.SessionPhoto.image",
    "campaigns.SessionPhoto.thumbnail",
    "campaigns.Export.file",
}
NEVER_SERVED = {
    # The original, with its EXIF and GPS, is read by the worker only and deleted once the
    # photo is processed; the re-encoded image and the thumbnail are what people see.
    "campaigns.SessionPhoto.upload",
}


def file_fields() -> dict[str, models.FileField]:
    return {
        f"{model._meta.app_label}.{model.__name__}.{field.name}": field
        for model in apps.get_models()
        if model._meta.app_label in OUR_APPS
        for field in model._meta.get_fields()
        if isinstance(field, models.FileField)
    }


@pytest.fixture(autouse=True)
def storage_folders(request, settings, tmp_path: Path) -> None:
    # On the services run, in the buckets of the S3-compatible server.
    files_of_this_test(request, settings, tmp_path)


def test_every_file_field_is_private_or_an_allowlisted_content_asset():
    # Given every FileField and ImageField of every model of our apps
    fields = file_fields()

    # Then each one is classified, and a new field must be added to one of the lists
    assert set(fields) == PUBLIC_CONTENT | PRIVATE
    # ... the personal-data ones use the private storage, which has no URL at all
    for label in PRIVATE:
        field = fields[label]
        assert getattr(field, "_storage_callable", None) is private_storage, label
        # (the same backend, even after a test points STORAGES at the object store)
        assert field.storage.__class__ is type(storages["private"]), label
        with pytest.raises(ValueError, match="no public URL"):
            field.storage.url("any/name")
    # ... and content assets the public default storage
    for label in PUBLIC_CONTENT:
        assert getattr(fields[label], "_storage_callable", None) is None, label
        assert fields[label].storage is default_storage, label


# --- Who gets each private file ------------------------------------------------------------


@dataclass
class Served:
    """A stored private file, its view's URL, the URL of an unknown file of the same kind,
    who must get it and who must get the 404 of the unknown one (None: signed out)."""

    url: str
    unknown_url: str
    allowed: dict[str, User]
    refused: dict[str, User | None]
    disposition: str


@pytest.fixture
def people() -> dict[str, User]:
    regions = region_tree()
    campaign = CampaignFactory(name="蓝马甲进村")
    campaign.target_counties.set([regions["leishan"]])
    other = CampaignFactory(name="校园反诈")
    other.target_counties.set([regions["kaiyang"]])
    return {
        "volunteer": volunteer_in(campaign, regions["leishan"]),
        "another volunteer": volunteer_in(campaign, regions["leishan"]),
        "coordinator": coordinator_of(campaign),
        "coordinator of another campaign": coordinator_of(other),
        "staff": UserFactory(roles=[Role.STAFF], is_staff=True),
        "editor": UserFactory(roles=[Role.LEARNER, Role.EDITOR], is_staff=True),
        "learner": UserFactory(),
    }


def _campaign() -> Campaign:
    return Campaign.objects.get(name="蓝马甲进村")


def _photo(people: dict[str, User]) -> SessionPhoto:
    volunteer = people["volunteer"]
    log = SessionLogFactory(campaign=_campaign(), county_id="522634", volunteer=volunteer)
    photo, _ = session_photo_attach(
        log=log, volunteer=volunteer, client_photo_id="a", data=jpeg_bytes(), enqueue=False
    )
    return session_photo_process(photo_id=photo.pk) or photo


def _photo_served(kind: str) -> Callable[[dict[str, User]], Served]:
    def build(people: dict[str, User]) -> Served:
        photo = _photo(people)
        return Served(
            url=reverse("campaigns:photo-file", args=[photo.pk, kind]),
            unknown_url=reverse("campaigns:photo-file", args=[photo.pk + 1000, kind]),
            allowed={k: people[k] for k in ("volunteer", "coordinator", "staff")},
            refused={
                "signed out": None,
                **{
                    k: people[k]
                    for k in ("another volunteer", "coordinator of another campaign", "editor")
                },
            },
            disposition="inline",
        )

    return build


def _export_served(people: dict[str, User]) -> Served:
    campaign = _campaign()
    SessionLogFactory(campaign=campaign, county_id="522634", volunteer=people["volunteer"])
    export = Export.objects.create(
        campaign=campaign, kind="sessions_csv", requested_by=people["coordinator"]
    )
    export_build(export_id=export.pk)
    return Served(
        url=reverse("campaigns:export-download", args=[campaign.pk, export.pk]),
        unknown_url=reverse("campaigns:export-download", args=[campaign.pk, export.pk + 1000]),
        allowed={k: people[k] for k in ("coordinator", "staff")},
        refused={
            "signed out": None,
            **{k: people[k] for k in ("volunteer", "coordinator of another campaign", "editor")},
        },
        disposition="attachment",
    )


def _certificate_served(kind: str) -> Callable[[dict[str, User]], Served]:
    def build(people: dict[str, User]) -> Served:
        course = CourseFactory()
        certificate = Certificate.objects.create(
            serial="AQ-2026-ABCDE-FGHIJ",
            user=people["learner"],
            course=course,
            course_version=1,
            learner_name="李华",
            course_title_zh=course.title_zh,
            issued_at=timezone.now(),
            rendered_at=timezone.now(),
        )
        certificate.png.save("c.png", ContentFile(b"\x89PNG fake"), save=False)
        certificate.pdf.save("c.pdf", ContentFile(b"%PDF fake"), save=False)
        certificate.save()
        return Served(
            url=reverse("edu:certificate-file", args=[certificate.serial, kind]),
            unknown_url=reverse("edu:certificate-file", args=["AQ-2026-NOPE1-NOPE2", kind]),
            allowed={k: people[k] for k in ("learner", "staff")},
            refused={
                "signed out": None,
                **{k: people[k] for k in ("volunteer", "coordinator", "editor")},
            },
            disposition="attachment",
        )

    return build


SERVED: dict[str, Callable[[dict[str, User]], Served]] = {
    "edu.Certificate.png": _certificate_served("png"),
    "edu.Certificate.pdf": _certificate_served("pdf"),
    "campaigns.SessionPhoto.image": _photo_served("image"),
    "campaigns.SessionPhoto.thumbnail": _photo_served("thumbnail"),
    "campaigns.Export.file": _export_served,
}


def test_every_private_file_has_a_serving_view_or_is_never_served():
    assert set(SERVED) | NEVER_SERVED == PRIVATE
    assert not set(SERVED) & NEVER_SERVED


def _get(url: str, user: User | None):
    client = Client()
    if user is not None:
        client.force_login(user)
    return client.get(url)


def _page(response, url: str) -> str:
    html = response.content.decode().replace(url, "URL")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


@pytest.mark.parametrize("label", sorted(SERVED))
def test_the_right_people_get_a_private_file_and_nobody_else_learns_it_exists(label, people):
    # Given a stored private file
    served = SERVED[label](people)

    # When the people who may see it ask, they get it, never to be cached or sniffed
    for who, user in served.allowed.items():
        response = _get(served.url, user)
        assert response.status_code == 200, (label, who)
        assert b"".join(response.streaming_content), (label, who)
        assert "private" in response["Cache-Control"], (label, who)
        assert "no-store" in response["Cache-Control"], (label, who)
        assert response["X-Content-Type-Options"] == "nosniff"
        assert response["Content-Disposition"].startswith(f"{served.disposition}; filename=")

    # ... and everyone else gets the very 404 of a file that does not exist
    for who, user in served.refused.items():
        response = _get(served.url, user)
        unknown = _get(served.unknown_url, user)
        assert (response.status_code, unknown.status_code) == (404, 404), (label, who)
        assert _page(response, served.url) == _page(unknown, served.unknown_url), (label, who)


@pytest.mark.local_files  # on the object store: tests/core/test_object_storage.py
def test_a_private_file_is_not_reachable_under_the_media_url(people):
    # Given a processed photo, stored under a name in the private storage
    photo = _photo(people)
    client = Client(raise_request_exception=False)
    client.force_login(people["staff"])

    # When its storage name is asked for under /media/ (also climbing out of it)
    answers = [
        client.get(f"/media/{photo.image.name}"),
        client.get(f"/media/../private/{photo.image.name}"),
    ]

    # Then there is nothing there (the climb is refused as suspicious)
    assert [a.status_code for a in answers] == [404, 400]


def test_media_are_served_by_the_app_only_in_dev_and_test(settings):
    import config.urls

    def media_route(module) -> bool:
        return any(str(p.pattern).startswith("media/") for p in module.urlpatterns)

    assert media_route(config.urls)
    try:
        settings.SETTINGS_PROFILE = "production"
        assert not media_route(importlib.reload(config.urls))
    finally:
        settings.SETTINGS_PROFILE = "test"
        importlib.reload(config.urls)
        clear_url_caches()


# --- Audit of access by others -------------------------------------------------------------


def _audit(action: AuditAction) -> list[tuple[str, str, str]]:
    return [
        (entry.actor.username if entry.actor else "", entry.target_id, entry.data.get("file", ""))
        for entry in AuditLog.objects.filter(action=action).order_by("id")
    ]


def test_a_coordinator_opening_a_photo_is_audited_and_the_volunteer_is_not(people):
    # Given a processed photo
    photo = _photo(people)
    image = reverse("campaigns:photo-file", args=[photo.pk, "image"])
    thumbnail = reverse("campaigns:photo-file", args=[photo.pk, "thumbnail"])
    coordinator, volunteer = people["coordinator"], people["volunteer"]

    # When its volunteer looks at it, and the coordinator sees the thumbnail on two visits of
    # the queue and opens the image twice, and another volunteer tries
    for url in (image, thumbnail):
        assert _get(url, volunteer).status_code == 200
    for url in (thumbnail, thumbnail, image, image):
        assert _get(url, coordinator).status_code == 200
    assert _get(image, people["another volunteer"]).status_code == 404

    # Then the coordinator's thumbnail is recorded once and each opening of the image
    pk, name = str(photo.pk), coordinator.username
    assert _audit(AuditAction.SESSION_PHOTO_VIEWED) == [
        (name, pk, "thumbnail"),
        (name, pk, "image"),
        (name, pk, "image"),
    ]
    entry = AuditLog.objects.filter(action=AuditAction.SESSION_PHOTO_VIEWED).first()
    assert entry is not None and entry.data["as"] == "coordinator"
    assert entry.data["volunteer"] == volunteer.pk


def test_a_staff_member_opening_a_photo_is_audited_as_staff(people):
    photo = _photo(people)

    _get(reverse("campaigns:photo-file", args=[photo.pk, "image"]), people["staff"])

    entry = AuditLog.objects.get(action=AuditAction.SESSION_PHOTO_VIEWED)
    assert (entry.actor, entry.data["as"]) == (people["staff"], "staff")


def test_a_background_export_is_downloaded_through_the_real_view_by_its_coordinator_only(
    people, django_capture_on_commit_callbacks
):
    # Given a coordinator who asks for a background export of their campaign
    coordinator = people["coordinator"]
    campaign = _campaign()
    SessionLogFactory(
        campaign=campaign, county_id="522634", volunteer=people["volunteer"], venue_name="西江村"
    )
    client = Client()
    client.force_login(coordinator)
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        client.post(reverse("campaigns:export-build", args=[campaign.pk]), {"kind": "sessions.csv"})
    assert len(callbacks) == 1
    export = Export.objects.get()
    # ... and the task's work (test_tasks runs it in a real worker)
    export_build(export_id=export.pk)
    export.refresh_from_db()
    url = reverse("campaigns:export-download", args=[campaign.pk, export.pk])

    # When the coordinator follows the dashboard's link, and others try the same URL
    page = client.get(reverse("figures:campaign", args=[campaign.pk])).content.decode()
    download = client.get(url)
    others = {
        who: _get(url, people.get(who))
        for who in ("signed out", "volunteer", "coordinator of another campaign", "editor")
    }

    # Then the coordinator gets the file, named for the export, not its storage path
    assert f'href="{url}"' in page
    assert download.status_code == 200
    assert "西江村" in b"".join(download.streaming_content).decode("utf-8-sig")
    assert download["Content-Disposition"].startswith("attachment; filename=")
    assert "campaigns/exports" not in download["Content-Disposition"]
    # ... the others get 404 (signed out too: no sign-in redirect that tells it exists)
    assert {who: r.status_code for who, r in others.items()} == dict.fromkeys(others, 404)
    # ... the file is in the private storage and not in public media
    assert storages["private"].exists(export.file.name)
    assert not default_storage.exists(export.file.name)
    # ... and the download is audited
    assert _audit(AuditAction.EXPORT_DOWNLOADED) == [(coordinator.username, str(export.pk), "")]


def test_staff_see_photos_and_exports_in_the_admin_through_the_checked_views(people, client):
    # Given a processed photo and a built export
    photo = _photo(people)
    served = _export_served(people)
    client.force_login(UserFactory(roles=[Role.STAFF], is_staff=True, is_superuser=True))

    # When staff open the session log and the export in the admin
    log_page = client.get(reverse("admin:campaigns_sessionlog_change", args=[photo.log_id]))
    export = Export.objects.get()
    export_page = client.get(reverse("admin:campaigns_export_change", args=[export.pk]))

    # Then the photo's thumbnail and image, and the export's file, link the checked views
    assert log_page.status_code == 200 and export_page.status_code == 200
    assert f'src="{photo.thumbnail_url}"' in log_page.content.decode()
    assert f'href="{photo.image_url}"' in log_page.content.decode()
    assert f'href="{served.url}"' in export_page.content.decode()


def test_staff_see_a_certificate_in_the_admin_with_its_files_linked_to_the_checked_view(
    people, client
):
    # Given a rendered certificate, and staff allowed to view certificates
    served = SERVED["edu.Certificate.png"](people)
    certificate = Certificate.objects.get()
    client.force_login(people["staff"])

    # When they open it in the admin
    page = client.get(reverse("admin:edu_certificate_change", args=[certificate.pk]))

    # Then the page shows (it used to fail asking the private storage for a URL), and links
    # the files through the view
    assert page.status_code == 200
    assert f'href="{served.url}"' in page.content.decode()
