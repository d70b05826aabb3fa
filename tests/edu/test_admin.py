"""Editors in the admin: publish, export, import (hostile archives refused), revoke."""

from __future__ import annotations

import io
import zipfile

import pytest
from django.core.serializers.json import DjangoJSONEncoder
from django.urls import reverse

from accounts.roles import Role
from core.audit import AuditAction
from core.models import AuditLog
from edu import services
from edu.models import Certificate, Course
from edu.packages import read_folder
from tests.edu.conftest import FIXTURE_COURSE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = UserFactory(roles=[Role.LEARNER, Role.EDITOR], is_staff=True)
    client.force_login(user)
    return user


def zip_of(files: dict[str, bytes]) -> io.BytesIO:
    out = io.BytesIO()
    with zipfile.ZipFile(out, "w") as archive:
        for name, data in files.items():
            archive.writestr(name, data)
    out.seek(0)
    out.name = "package.zip"
    return out


def test_an_editor_sees_both_languages_on_one_form(course, client, editor):
    draft = services.course_draft_start(course=course, by=editor)

    html = client.get(reverse("admin:edu_course_change", args=[draft.pk])).content.decode()

    assert 'name="title_zh"' in html and 'name="title_en"' in html
    assert "/courses-preview/fixture-course/" in html  # "view on site": the preview


def test_publishing_from_the_admin_raises_the_version_and_is_audited(course, client, editor):
    client.post(
        reverse("admin:edu_course_changelist"),
        {"action": "publish", "_selected_action": [course.pk]},
    )

    course.refresh_from_db()
    assert course.version == 2
    assert AuditLog.objects.filter(action=AuditAction.COURSE_PUBLISHED, actor=editor).exists()


def test_the_export_action_downloads_a_package(course, client, editor):
    response = client.post(
        reverse("admin:edu_course_changelist"),
        {"action": "export_packages", "_selected_action": [course.pk]},
    )

    assert response["Content-Type"] == "application/zip"
    names = zipfile.ZipFile(io.BytesIO(response.content)).namelist()
    assert "course.json" in names and "lessons/no-safe-account.zh-hans.md" in names


def test_importing_a_package_in_the_admin_creates_the_course(client, editor):
    response = client.post(
        reverse("admin:edu_course_import"),
        {"archive": zip_of(read_folder(FIXTURE_COURSE)), "publish": "on"},
    )

    assert response.status_code == 302
    assert Course.objects.get(slug="fixture-course").is_published


def test_a_hostile_package_in_the_admin_shows_why_and_changes_nothing(course, client, editor):
    files = {**read_folder(FIXTURE_COURSE), "../evil.md": b"x"}

    response = client.post(reverse("admin:edu_course_import"), {"archive": zip_of(files)})

    assert response.status_code == 200
    assert "../evil.md" in response.content.decode()
    assert Course.objects.get().version == 1


def test_staff_revoke_a_certificate_from_the_admin_and_it_is_audited(course, client):
    learner = UserFactory()
    for lesson in course.lessons.all():
        services.lesson_complete(user=learner, lesson=lesson)
    certificate = Certificate.objects.get()
    staff = UserFactory(roles=[Role.LEARNER, Role.STAFF], is_staff=True)
    client.force_login(staff)

    changelist = reverse("admin:edu_certificate_changelist")

    asked = client.post(changelist, {"action": "revoke", "_selected_action": [certificate.pk]})
    certificate.refresh_from_db()
    revoked_before_reason = certificate.revoked_at is not None
    client.post(
        changelist,
        {
            "action": "revoke",
            "_selected_action": [certificate.pk],
            "apply": "1",
            "reason": "answers copied",
        },
    )

    assert 'name="reason"' in asked.content.decode()
    assert not revoked_before_reason
    certificate.refresh_from_db()
    assert certificate.revoked_at is not None
    entry = AuditLog.objects.get(action=AuditAction.CERTIFICATE_REVOKED)
    assert entry.actor == staff and entry.data["reason"] == "answers copied"


def test_revoking_in_the_admin_writes_one_audit_row_with_before_and_after(course, client):
    # Given an issued certificate
    learner = UserFactory()
    for lesson in course.lessons.all():
        services.lesson_complete(user=learner, lesson=lesson)
    certificate = Certificate.objects.get()
    staff = UserFactory(roles=[Role.LEARNER, Role.STAFF], is_staff=True)
    client.force_login(staff)

    # When staff revoke it with a reason
    client.post(
        reverse("admin:edu_certificate_changelist"),
        {
            "action": "revoke",
            "_selected_action": [certificate.pk],
            "apply": "1",
            "reason": "answers copied",
        },
    )

    # Then exactly one row says who revoked it, and when, from not revoked
    certificate.refresh_from_db()
    entry = AuditLog.objects.get(target_type="edu.certificate", target_id=str(certificate.pk))
    assert entry.action == AuditAction.CERTIFICATE_REVOKED
    assert entry.actor == staff
    assert entry.before == {"revoked_at": None}
    assert entry.after == {
        "revoked_at": DjangoJSONEncoder().default(certificate.revoked_at),
        "revoked_reason": "answers copied",
    }


def test_certificates_cannot_be_changed_or_deleted_in_the_admin(course, client):
    learner = UserFactory()
    for lesson in course.lessons.all():
        services.lesson_complete(user=learner, lesson=lesson)
    certificate = Certificate.objects.get()
    client.force_login(UserFactory(roles=[Role.LEARNER, Role.STAFF], is_staff=True))

    delete = client.post(
        reverse("admin:edu_certificate_delete", args=[certificate.pk]), {"post": "yes"}
    )

    assert delete.status_code == 403
    assert Certificate.objects.filter(pk=certificate.pk).exists()


def test_an_editor_cannot_revoke_certificates(course, client, editor):
    response = client.get(reverse("admin:edu_certificate_changelist"))

    assert response.status_code == 403


def test_an_editor_ticks_audiences_and_scam_types_instead_of_typing_json(client, editor):
    response = client.post(
        reverse("admin:edu_course_add"),
        {
            "slug": "new-course",
            "topic": "anti_fraud",
            "audiences": ["elderly", "rural"],
            "scam_types": ["romance"],
            "position": "0",
            "title_zh": "新课程",
            "title_en": "",
            "summary_zh": "",
            "summary_en": "",
            "modules-TOTAL_FORMS": "0",
            "modules-INITIAL_FORMS": "0",
            "lessons-TOTAL_FORMS": "0",
            "lessons-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    course = Course.objects.get(slug="new-course")
    assert course.audiences == ["elderly", "rural"]
    assert course.scam_types == ["romance"]
    assert course.status == "draft"


def test_an_editor_writes_a_lesson_with_a_knowledge_check_and_previews_it(course, client, editor):
    draft = services.course_draft_start(course=course, by=editor)
    module = draft.modules.first()
    response = client.post(
        reverse("admin:edu_lesson_add"),
        {
            "course": draft.pk,
            "module": module.pk,
            "position": "9",
            "slug": "report-fraud",
            "minutes": "4",
            "title_zh": "如何报案",
            "title_en": "How to report",
            "body_zh": "## 报案\n\n拨打 **110**。",
            "body_en": "",
            "video_url": "",
            "check_scam_types": ["impersonating_police"],
            "check_question_count": "3",
            "images-TOTAL_FORMS": "0",
            "images-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 302, response.content.decode()[:2000]
    lesson = draft.lessons.get(slug="report-fraud")
    assert lesson.check_scam_types == ["impersonating_police"]
    preview = client.get(f"/courses-preview/{course.slug}/report-fraud/").content.decode()
    assert "<strong>110</strong>" in preview
    assert client.get(f"/courses/{course.slug}/report-fraud/").status_code == 404


def test_an_editor_writes_a_traditional_version_that_readers_get_after_publishing(
    course, client, editor
):
    from django.conf import settings as django_settings

    from tests.admin_forms import change_form_data

    draft = services.course_draft_start(course=course, by=editor)
    url = reverse("admin:edu_course_change", args=[draft.pk])
    page = client.get(url)
    assert "繁体中文（可选）" in page.content.decode()  # the optional section, in zh-hans

    saved = client.post(url, change_form_data(page, title_zh_hant="識破假冒公檢法（編輯版）"))
    assert saved.status_code == 302, saved.content.decode()[:2000]
    services.course_publish(course=draft, by=editor)
    reader = type(client)()
    reader.cookies[django_settings.LANGUAGE_COOKIE_NAME] = "zh-hant"

    assert "識破假冒公檢法（編輯版）" in reader.get("/courses/").content.decode()
