"""Media and private files on a real S3-compatible server (SeaweedFS, started by
scripts/services.py): content assets public at the bucket's URL, personal files in a bucket
nobody reads without our keys, one host's file readable by another's process."""

from __future__ import annotations

import os
import subprocess
import sys
import urllib.error
import urllib.request

import pytest
from django.core.files.base import ContentFile
from django.core.files.storage import default_storage, storages
from django.urls import reverse
from django.utils import timezone

from config.settings.storage import media_origin, media_storage, private_storage
from core.storage import private_storage as private_storage_of_fields
from tests.conftest import ROOT, process_env
from tests.storage import object_storage_env, use_object_storage

pytestmark = [pytest.mark.services, pytest.mark.django_db]


@pytest.fixture
def location(settings) -> str:
    return use_object_storage(settings)


def _anonymous_get(url: str) -> tuple[int, bytes]:
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return answer.status, answer.read()
    except urllib.error.HTTPError as error:
        return error.code, b""


def test_the_environment_names_the_buckets_and_nothing_else_switches_storage():
    # Given the production variables of an object store, and none
    env = object_storage_env("site")

    # Then media go to the public bucket with plain URLs, private files to the private one
    media, private = media_storage(env), private_storage(env)
    assert media is not None and private is not None
    assert media["BACKEND"] == "core.storage_s3.PublicS3Storage"
    assert media["OPTIONS"]["querystring_auth"] is False
    assert private["BACKEND"] == "core.storage_s3.PrivateS3Storage"
    assert media["OPTIONS"]["bucket_name"] != private["OPTIONS"]["bucket_name"]
    assert media["OPTIONS"]["file_overwrite"] is private["OPTIONS"]["file_overwrite"] is False
    # ... the pages may load content images from the bucket's origin
    assert media_origin(env | {"AWS_S3_ENDPOINT_URL": _endpoint()}) == _endpoint()
    # ... and without a bucket name the disk stays the default
    assert media_storage({}) is None and private_storage({}) is None and media_origin({}) is None


def test_a_private_file_is_refused_to_anyone_without_our_keys(location):
    # Given a session photo's bytes in the private storage (the one the file fields use)
    storage = private_storage_of_fields()
    name = storage.save("campaigns/photos/face.jpg", ContentFile(b"\xff\xd8 a face"))
    bucket_url = f"{_endpoint()}/{storages['private'].bucket_name}/{location}/{name}"

    # When someone asks the object store for it without signing, or with a wrong key
    anonymous = _anonymous_get(bucket_url)
    wrong_key = subprocess.run(
        [sys.executable, "-c", _READ_WITH_WRONG_KEY, bucket_url], capture_output=True, text=True
    )

    # Then the store refuses both; only our keys read it, and it has no URL to hand out
    assert anonymous == (403, b"")
    assert "SignatureDoesNotMatch" in wrong_key.stdout + wrong_key.stderr, wrong_key.stderr
    with storage.open(name) as stored:
        assert stored.read() == b"\xff\xd8 a face"
    with pytest.raises(ValueError, match="no public URL"):
        storage.url(name)


_READ_WITH_WRONG_KEY = """
import os, sys, boto3
from urllib.parse import urlsplit
endpoint = os.environ["AWS_S3_ENDPOINT_URL"]
bucket, key = urlsplit(sys.argv[1]).path.lstrip("/").split("/", 1)
client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1",
                      aws_access_key_id=os.environ["AWS_ACCESS_KEY_ID"],
                      aws_secret_access_key="not-" + os.environ["AWS_SECRET_ACCESS_KEY"])
try:
    client.get_object(Bucket=bucket, Key=key)
    print("READ")
except Exception as error:
    print(type(error).__name__, error)
"""


def _endpoint() -> str:
    return os.environ["AWS_S3_ENDPOINT_URL"].rstrip("/")


def test_a_content_asset_is_public_at_the_bucket_url(location):
    # Given a question image an editor published (public media)
    name = default_storage.save("quizzes/questions/poster.png", ContentFile(b"\x89PNG poster"))

    # When anyone follows its URL, unsigned
    url = default_storage.url(name)
    status, body = _anonymous_get(url)

    # Then the store serves it, at a plain URL in the public bucket
    assert url.startswith(f"{_endpoint()}/{storages['default'].bucket_name}/{location}/")
    assert "Signature" not in url and "X-Amz" not in url
    assert (status, body) == (200, b"\x89PNG poster")


def test_two_files_of_the_same_name_are_both_kept(location):
    storage = private_storage_of_fields()

    first = storage.save("campaigns/photos/IMG_0001.jpg", ContentFile(b"one"))
    second = storage.save("campaigns/photos/IMG_0001.jpg", ContentFile(b"two"))

    assert first != second
    assert [storage.open(n).read() for n in (first, second)] == [b"one", b"two"]


@pytest.mark.django_db(transaction=True)
def test_a_file_another_process_wrote_is_served_by_this_one_through_the_checked_view(
    settings, client
):
    # Given a certificate rendered by another process (as a worker on another host would),
    # configured only by the production environment variables
    from edu.models import Certificate
    from tests.edu.factories import CourseFactory
    from tests.factories import UserFactory

    location = use_object_storage(settings)
    owner = UserFactory()
    course = CourseFactory()
    certificate = Certificate.objects.create(
        serial="AQ-2026-S3S3S-OBJEC", user=owner, course=course, course_version=1,
        learner_name="李华", course_title_zh=course.title_zh, issued_at=timezone.now(),
        rendered_at=timezone.now(),
    )  # fmt: skip
    script = (
        "from django.core.files.base import ContentFile; from edu.models import Certificate; "
        f"c = Certificate.objects.get(pk={certificate.pk}); "
        "c.pdf.save('c.pdf', ContentFile(b'%PDF from another host')); print(c.pdf.name)"
    )
    written = subprocess.run(
        [sys.executable, "manage.py", "shell", "-c", script],
        cwd=ROOT, env=process_env(**object_storage_env(location)),
        capture_output=True, text=True, check=True,
    )  # fmt: skip

    # When its owner downloads it here
    client.force_login(owner)
    response = client.get(reverse("edu:certificate-file", args=[certificate.serial, "pdf"]))

    # Then the bytes come from the bucket, through the view, never to be cached
    certificate.refresh_from_db()
    assert certificate.pdf.name == written.stdout.strip().splitlines()[-1]
    assert response.status_code == 200
    assert b"".join(response.streaming_content) == b"%PDF from another host"
    assert "no-store" in response["Cache-Control"]
    assert not storages["default"].exists(certificate.pdf.name)
