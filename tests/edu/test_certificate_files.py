"""Certificate files are private: only their owner (while valid) and staff allowed to view
certificates download them; the public verification page shows what a verifier needs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.storage import storages
from django.core.management import call_command
from django.core.management.base import SystemCheckError
from django.urls import reverse

from accounts.roles import Role
from core.audit import AuditAction
from core.models import AuditLog
from edu import services
from edu.models import Certificate
from tests.edu.test_certificates import complete_course
from tests.factories import UserFactory
from tests.storage import files_of_this_test, stored_names

pytestmark = pytest.mark.django_db

NAME = "李𠮷华"


@pytest.fixture(autouse=True)
def storage_folders(request, settings, tmp_path: Path) -> None:
    # On the services run, in the buckets of the S3-compatible server.
    files_of_this_test(request, settings, tmp_path)


@pytest.fixture
def owner():
    return UserFactory(display_name=NAME)


@pytest.fixture
def certificate(course, owner) -> Certificate:
    """An issued certificate whose PNG and PDF the worker's service has rendered."""
    issued = complete_course(owner, course)
    services.certificate_render(certificate_id=issued.pk)
    issued.refresh_from_db()
    return issued


def file_url(certificate: Certificate, kind: str) -> str:
    return reverse("edu:certificate-file", args=[certificate.serial, kind])


def without_serial(response, serial: str) -> str:
    # The page differs only by the path asked for and its per-request CSRF token.
    html = response.content.decode().replace(serial, "SERIAL")
    return re.sub(r'name="csrfmiddlewaretoken" value="[^"]*"', "", html)


def test_the_owner_downloads_the_image_and_the_pdf(certificate, owner, client):
    client.force_login(owner)

    png = client.get(file_url(certificate, "png"))
    pdf = client.get(file_url(certificate, "pdf"))

    assert png.status_code == 200 and b"".join(png.streaming_content).startswith(b"\x89PNG")
    assert pdf.status_code == 200 and b"".join(pdf.streaming_content).startswith(b"%PDF")
    assert png["Content-Type"] == "image/png"
    assert pdf["Content-Disposition"].startswith("attachment")
    assert "no-store" in png["Cache-Control"] and "private" in png["Cache-Control"]


@pytest.mark.parametrize("who", ["guest", "another learner", "an editor"])
def test_anyone_else_gets_the_404_of_a_serial_that_does_not_exist(certificate, client, who):
    # Given someone who is not the owner and may not view certificates
    if who == "another learner":
        client.force_login(UserFactory())
    elif who == "an editor":
        client.force_login(UserFactory(roles=[Role.LEARNER, Role.EDITOR], is_staff=True))
    unknown = reverse("edu:certificate-file", args=["AQ-2026-NOPE1-NOPE2", "png"])

    # When they ask for the files of a real certificate, and of one that does not exist
    responses = [client.get(file_url(certificate, kind)) for kind in ("png", "pdf")]
    missing = client.get(unknown)

    # Then the answers are the same 404: nothing tells the certificate exists
    assert [r.status_code for r in responses] == [404, 404] == [missing.status_code] * 2
    assert without_serial(responses[0], certificate.serial) == without_serial(
        missing, "AQ-2026-NOPE1-NOPE2"
    )
    assert NAME not in responses[0].content.decode()


def test_staff_who_may_view_certificates_download_them_and_each_download_is_audited(
    certificate, client, owner
):
    staff = UserFactory(roles=[Role.STAFF], is_staff=True)
    client.force_login(staff)

    assert client.get(file_url(certificate, "pdf")).status_code == 200

    audit = AuditLog.objects.get(action=AuditAction.CERTIFICATE_DOWNLOADED)
    assert (audit.actor, audit.target_id) == (staff, str(certificate.pk))
    assert audit.data == {"file": "pdf", "learner": owner.pk}


def test_the_owner_s_own_downloads_are_not_audited(certificate, client, owner):
    client.force_login(owner)
    client.get(file_url(certificate, "png"))

    assert not AuditLog.objects.filter(action=AuditAction.CERTIFICATE_DOWNLOADED).exists()


def test_the_files_are_not_in_public_media_and_have_no_public_url(certificate, client):
    public = stored_names(storages["default"])
    private = stored_names(storages["private"])

    assert public == []
    assert private == sorted([certificate.png.name, certificate.pdf.name])
    assert client.get(f"/media/{certificate.png.name}").status_code == 404
    with pytest.raises(ValueError, match="no public URL"):
        certificate.png.url  # noqa: B018


def test_a_revoked_certificate_is_withdrawn_from_its_owner_and_kept_for_staff(
    certificate, owner, client
):
    # Given a certificate staff revoked
    services.certificate_revoke(certificate=certificate, by=None, reason="copied answers")

    # When the owner opens the verification page and the file links
    client.force_login(owner)
    page = client.get(reverse("edu:certificate", args=[certificate.serial])).content.decode()
    owner_file = client.get(file_url(certificate, "png"))
    client.force_login(UserFactory(roles=[Role.STAFF], is_staff=True))
    staff_file = client.get(file_url(certificate, "png"))

    # Then the page says revoked without download links; staff still reach the file
    assert "此证书已被撤销" in page
    assert "certificate.png" not in page
    assert owner_file.status_code == 404
    assert staff_file.status_code == 200


def test_the_verification_page_shows_a_verifier_the_facts_and_no_file(certificate, client, owner):
    url = reverse("edu:certificate", args=[certificate.serial])

    public = client.get(url).content.decode()
    client.force_login(owner)
    mine = client.get(url).content.decode()

    assert "此证书有效" in public
    assert NAME in public and certificate.serial in public
    assert certificate.course_title_zh in public
    assert str(certificate.issued_at.year) in public
    assert file_url(certificate, "png") not in public and "/media/" not in public
    assert file_url(certificate, "png") in mine and file_url(certificate, "pdf") in mine


def test_upgrading_moves_rendered_files_out_of_public_media(course, owner):
    # Given a certificate rendered before files were private (in the public media storage)
    certificate = complete_course(owner, course)
    name = storages["default"].save("edu/certificates/OLD.png", ContentFile(b"\x89PNG old"))
    Certificate.objects.filter(pk=certificate.pk).update(png=name)
    migration = __import__("edu.migrations.0004_certificate_private_files", fromlist=["to_private"])

    # When the migration's data step runs
    migration.to_private(apps, None)

    # Then the file is in the private storage only, under the name the row records
    certificate.refresh_from_db()
    assert not storages["default"].exists(name)
    with certificate.png.open("rb") as handle:
        assert handle.read() == b"\x89PNG old"


@pytest.mark.local_files
def test_a_private_root_inside_the_media_root_fails_the_system_check(settings, tmp_path):
    settings.PRIVATE_MEDIA_ROOT = tmp_path / "media" / "private"

    with pytest.raises(SystemCheckError, match=r"core\.E010"):
        call_command("check")


@pytest.mark.local_files
def test_a_deploy_check_warns_when_media_are_shared_but_private_files_are_local(settings):
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "storages.backends.s3.S3Storage"},
    }

    with pytest.raises(SystemCheckError, match=r"core\.W011"):
        call_command("check", "--deploy", "--fail-level", "WARNING", "--tag", "security")
