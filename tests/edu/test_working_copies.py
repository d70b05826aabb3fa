"""Changing a published course: a draft version learners do not see, a staff-only preview,
publishing in one step without losing anyone's progress, and discarding."""

from __future__ import annotations

import pytest
from django.urls import reverse
from PIL import Image

from core.audit import AuditAction
from core.models import AuditLog
from edu import services
from edu.models import Certificate, Course, Enrollment, Lesson, LessonImage, LessonProgress
from edu.packages import PackageError, course_package_import, read_folder
from tests.edu.conftest import FIXTURE_COURSE
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db

SLUGS = ["no-safe-account", "hang-up", "call-96110"]


@pytest.fixture
def editor():
    from accounts.roles import Role

    return UserFactory(roles=[Role.LEARNER, Role.EDITOR], is_staff=True)


def complete(user, course, *slugs):
    for slug in slugs:
        services.lesson_complete(user=user, lesson=course.lessons.get(slug=slug))


def add_lesson(draft: Course, slug: str, *, module_index: int = -1, body: str = "新课内容。"):
    module = list(draft.modules.order_by("position"))[module_index]
    return Lesson.objects.create(
        course=draft,
        module=module,
        position=99,
        slug=slug,
        title_zh=f"新课 {slug}",
        title_en=f"New lesson {slug}",
        body_zh=body,
    )


def test_a_learner_does_not_see_a_pending_edit(course, client, editor):
    # Given a draft version with an edited lesson and a new one
    draft = services.course_draft_start(course=course, by=editor)
    draft.lessons.filter(slug="no-safe-account").update(body_zh="草稿里的新说法。")
    add_lesson(draft, "report-it")

    # When a learner reads the course
    lesson_page = client.get("/courses/fixture-course/no-safe-account/").content.decode()
    course_page = client.get("/courses/fixture-course/").content.decode()

    # Then they see the published text and no trace of the draft
    assert "草稿里的新说法" not in lesson_page
    assert "新课 report-it" not in course_page
    assert client.get("/courses/fixture-course/report-it/").status_code == 404
    assert client.get(f"/courses/{draft.slug}/").status_code == 404
    assert "fixture-course" in client.get("/courses/").content.decode()
    assert draft.slug not in client.get("/api/v1/courses/").content.decode()


def test_staff_preview_shows_the_pending_version_under_a_not_published_banner(
    course, client, editor
):
    # Given a draft version with an edited lesson and a new one
    draft = services.course_draft_start(course=course, by=editor)
    draft.lessons.filter(slug="no-safe-account").update(body_zh="草稿里的**新说法**。")
    add_lesson(draft, "report-it")
    client.force_login(editor)

    # When the editor opens the preview
    course_page = client.get("/courses-preview/fixture-course/").content.decode()
    lesson_page = client.get("/courses-preview/fixture-course/no-safe-account/").content.decode()
    new_page = client.get("/courses-preview/fixture-course/report-it/")

    # Then they see the pending version as a learner would, bannered, with preview links
    assert "预览——尚未发布。" in course_page and "预览——尚未发布。" in lesson_page
    assert "学员看到的仍是已发布的版本" in course_page
    assert "新课 report-it" in course_page
    assert 'href="/courses-preview/fixture-course/report-it/"' in course_page
    assert "<strong>新说法</strong>" in lesson_page
    assert 'action="/courses-preview/fixture-course/no-safe-account/complete/"' in lesson_page
    assert new_page.status_code == 200
    # and "done" in the preview walks on without saving anything
    response = client.post("/courses-preview/fixture-course/no-safe-account/complete/")
    assert response.headers["Location"] == "/courses-preview/fixture-course/hang-up/"
    assert not LessonProgress.objects.exists()
    assert not Enrollment.objects.exists()


@pytest.mark.parametrize("who", ["guest", "learner"])
def test_a_non_editor_gets_404_on_every_preview_address(course, client, editor, who):
    # Given a published course with pending changes
    services.course_draft_start(course=course, by=editor)
    if who == "learner":
        client.force_login(UserFactory())

    # When someone without the editor's permission asks for the preview
    responses = [
        client.get("/courses-preview/fixture-course/"),
        client.get("/courses-preview/fixture-course/no-safe-account/"),
        client.post("/courses-preview/fixture-course/no-safe-account/complete/"),
    ]

    # Then it does not exist for them
    assert [r.status_code for r in responses] == [404, 404, 404]


def test_the_preview_of_a_course_without_pending_changes_is_the_course_itself(
    course, client, editor
):
    client.force_login(editor)

    response = client.get("/courses-preview/fixture-course/hang-up/")

    assert response.status_code == 302
    assert response.headers["Location"] == "/courses/fixture-course/hang-up/"


def test_publishing_makes_the_edit_visible_and_keeps_progress(course, client, editor):
    # Given a learner who has done the first lesson, and a draft that edits it and adds one
    learner = UserFactory()
    complete(learner, course, "no-safe-account")
    first = course.lessons.get(slug="no-safe-account")
    progress = LessonProgress.objects.get(user=learner, lesson=first)
    draft = services.course_draft_start(course=course, by=editor)
    draft.lessons.filter(slug="no-safe-account").update(body_zh="新版本的说法。")
    draft.title_en = "Seeing through fake police, second edition"
    draft.save()
    add_lesson(draft, "report-it")

    # When the editor publishes it
    live = services.course_publish(course=draft, by=editor)

    # Then learners see the new content, on the same lesson rows, with their progress
    assert live.pk == course.pk and live.version == 2
    assert not Course.objects.filter(pk=draft.pk).exists()
    assert Course.objects.count() == 1
    first.refresh_from_db()
    assert first.body_zh == "新版本的说法。"
    assert LessonProgress.objects.get(user=learner, lesson=first).pk == progress.pk
    assert live.title_en == "Seeing through fake police, second edition"
    client.force_login(learner)
    assert "新版本的说法" in client.get("/courses/fixture-course/no-safe-account/").content.decode()
    course_page = client.get("/courses/fixture-course/").content.decode()
    assert 'value="1"' in course_page and 'max="4"' in course_page
    audit = AuditLog.objects.get(action=AuditAction.COURSE_PUBLISHED, actor=editor)
    assert audit.data["version"] == 2
    assert audit.data["added"] == ["report-it"]
    assert audit.data["changed"] == ["no-safe-account"]


def test_a_learner_who_completed_keeps_the_certificate_when_a_lesson_is_added(
    course, client, editor
):
    # Given a learner who completed the course and holds its certificate
    learner = UserFactory()
    complete(learner, course, *SLUGS)
    certificate = Certificate.objects.get(user=learner)
    completed_at = Enrollment.objects.get(user=learner).completed_at
    draft = services.course_draft_start(course=course, by=editor)
    add_lesson(draft, "report-it")

    # When a version with one more lesson is published
    services.course_publish(course=draft, by=editor)

    # Then the completion and certificate stay, and the new lesson shows as still to read
    enrollment = Enrollment.objects.get(user=learner)
    assert enrollment.completed_at == completed_at and enrollment.completed_version == 1
    certificate.refresh_from_db()
    assert certificate.is_valid and certificate.course_version == 1
    client.force_login(learner)
    course_page = client.get("/courses/fixture-course/").content.decode()
    assert reverse("edu:certificate", args=[certificate.serial]) in course_page
    assert "新增了课时" in course_page
    assert 'href="/courses/fixture-course/report-it/"' in course_page
    mine = client.get("/courses/my/").content.decode()
    assert 'value="3"' in mine and 'max="4"' in mine
    # and reading the new lesson issues nothing new
    complete(learner, course, "report-it")
    assert Certificate.objects.filter(user=learner).count() == 1


def test_a_learner_part_way_needs_the_added_lesson_to_complete(course, editor):
    learner = UserFactory()
    complete(learner, course, "no-safe-account", "hang-up")
    draft = services.course_draft_start(course=course, by=editor)
    add_lesson(draft, "report-it")
    services.course_publish(course=draft, by=editor)

    complete(learner, course, "call-96110")
    assert not Certificate.objects.filter(user=learner).exists()

    complete(learner, course, "report-it")
    assert Certificate.objects.filter(user=learner).exists()


def test_removing_a_lesson_keeps_its_progress_and_breaks_no_page(course, client, editor):
    # Given a learner who did the first two lessons and last opened the third,
    # and another who did only the third
    learner = UserFactory()
    complete(learner, course, "no-safe-account", "hang-up")
    third = course.lessons.get(slug="call-96110")
    services.lesson_visit(user=learner, lesson=third)
    other = UserFactory()
    complete(other, course, "call-96110")
    draft = services.course_draft_start(course=course, by=editor)
    draft.lessons.filter(slug="call-96110").update(retired=True)

    # When the version without the third lesson is published
    services.course_publish(course=draft, by=editor)

    # Then the lesson is retired, not deleted, and everybody's progress rows are kept
    third.refresh_from_db()
    assert third.retired
    assert LessonProgress.objects.filter(user=other, lesson=third).exists()
    # and the first learner, who now has every lesson, completes the course at once
    assert Certificate.objects.filter(user=learner).exists()
    assert not Certificate.objects.filter(user=other).exists()
    audit = AuditLog.objects.get(action=AuditAction.COURSE_PUBLISHED, actor=editor)
    assert audit.data["removed"] == ["call-96110"]
    # and "my learning", resume and the progress bars still work
    client.force_login(learner)
    mine = client.get("/courses/my/")
    assert mine.status_code == 200
    assert "/courses/fixture-course/call-96110/" not in mine.content.decode()
    assert 'value="2"' in mine.content.decode() and 'max="2"' in mine.content.decode()
    assert client.get("/courses/fixture-course/").status_code == 200
    assert client.get("/courses/fixture-course/call-96110/").status_code == 404
    client.force_login(other)
    page = client.get("/courses/my/").content.decode()
    assert 'value="0"' in page and 'max="2"' in page
    course_page = client.get("/courses/fixture-course/").content.decode()
    assert "/courses/fixture-course/no-safe-account/" in course_page
    # and the emptied module is no longer shown
    assert "第二单元" not in course_page
    # and the API agrees: two lessons, no resume point on the removed one
    client.force_login(learner)
    [row] = client.get("/api/v1/me/courses/").json()
    assert (row["lessons_done"], row["lessons_total"], row["last_lesson"]) == (2, 2, None)
    lessons = client.get("/api/v1/me/courses/fixture-course/").json()["lessons"]
    assert [lesson["slug"] for lesson in lessons] == ["no-safe-account", "hang-up"]


def test_reordering_and_renaming_lessons_keeps_their_identity(course, editor):
    # Given progress on two lessons, and a draft that swaps their slugs and their order
    learner = UserFactory()
    complete(learner, course, "no-safe-account")
    first, second = course.lessons.get(slug="no-safe-account"), course.lessons.get(slug="hang-up")
    draft = services.course_draft_start(course=course, by=editor)
    copy_first = draft.lessons.get(slug="no-safe-account")
    copy_second = draft.lessons.get(slug="hang-up")
    copy_second.slug = "swap"  # as an editor would: slugs are unique within the draft too
    copy_second.save()
    copy_first.slug, copy_first.position = "hang-up", 5
    copy_first.save()
    copy_second.slug, copy_second.position = "no-safe-account", 0
    copy_second.save()

    # When it is published
    services.course_publish(course=draft, by=editor)

    # Then the same rows carry the new slugs and order, and progress follows the lesson
    first.refresh_from_db()
    second.refresh_from_db()
    assert (first.slug, first.position) == ("hang-up", 5)
    assert (second.slug, second.position) == ("no-safe-account", 0)
    assert LessonProgress.objects.filter(user=learner, lesson=first).exists()


def test_a_new_lesson_reusing_a_removed_lessons_slug_takes_its_place(course, editor):
    learner = UserFactory()
    complete(learner, course, "call-96110")
    third = course.lessons.get(slug="call-96110")
    draft = services.course_draft_start(course=course, by=editor)
    draft.lessons.filter(slug="call-96110").delete()  # a superuser may delete in a draft
    add_lesson(draft, "call-96110", body="重写的一课。")

    services.course_publish(course=draft, by=editor)

    third.refresh_from_db()
    assert third.body_zh == "重写的一课。" and not third.retired
    assert LessonProgress.objects.filter(user=learner, lesson=third).exists()


def test_discarding_the_draft_leaves_the_published_course_as_it_was(course, client, editor):
    draft = services.course_draft_start(course=course, by=editor)
    draft.lessons.filter(slug="hang-up").update(title_zh="被放弃的标题")

    services.course_draft_discard(course=draft, by=editor)

    assert not Course.objects.filter(pk=draft.pk).exists()
    assert course.lessons.get(slug="hang-up").title_zh == "挂断电话再核实"
    assert Lesson.objects.count() == 3
    assert AuditLog.objects.filter(action=AuditAction.COURSE_DRAFT_DISCARDED, actor=editor).exists()
    client.force_login(editor)
    assert client.get("/courses-preview/fixture-course/").status_code == 302


def test_starting_a_draft_twice_gives_the_same_draft(course, editor):
    draft = services.course_draft_start(course=course, by=editor)

    assert services.course_draft_start(course=course, by=editor).pk == draft.pk
    assert services.course_draft_start(course=draft, by=editor).pk == draft.pk
    assert AuditLog.objects.filter(action=AuditAction.COURSE_DRAFT_STARTED).count() == 1
    assert sorted(draft.lessons.values_list("slug", flat=True)) == sorted(SLUGS)
    assert set(draft.lessons.values_list("origin__course", flat=True)) == {course.pk}


def test_images_survive_a_draft_and_its_alt_text_edits_are_published(
    course, fixture_folder, editor
):
    # Given a published lesson with an image
    live_image, _files = _course_with_an_image(course, fixture_folder)
    draft = services.course_draft_start(course=course, by=editor)
    draft_image = LessonImage.objects.get(lesson__course=draft)
    assert draft_image.image.name == live_image.image.name
    assert draft_image.renditions == live_image.renditions

    # When the draft edits the description and is published
    draft_image.alt_zh = "陌生来电界面"
    draft_image.save()
    services.course_publish(course=draft, by=editor)

    # Then the live image row stays, with the new description and its renditions
    live_image.refresh_from_db()
    assert live_image.alt_zh == "陌生来电界面"
    assert live_image.renditions and live_image.image.storage.exists(live_image.image.name)
    assert LessonImage.objects.count() == 1


def test_reimporting_a_published_course_still_updates_it_in_place(course):
    learner = UserFactory()
    complete(learner, course, "no-safe-account")
    files = read_folder(FIXTURE_COURSE)
    files["lessons/no-safe-account.zh-hans.md"] = "更新后的正文。".encode()

    result = course_package_import(files=files, by=None, publish=True)

    assert result.course.pk == course.pk and result.course.version == 2
    first = course.lessons.get(slug="no-safe-account")
    assert first.body_zh == "更新后的正文。"
    assert LessonProgress.objects.filter(user=learner, lesson=first).exists()


def test_reimporting_while_a_draft_is_pending_is_refused_and_changes_nothing(course, editor):
    draft = services.course_draft_start(course=course, by=editor)
    files = read_folder(FIXTURE_COURSE)
    files["lessons/no-safe-account.zh-hans.md"] = "更新后的正文。".encode()

    with pytest.raises(PackageError, match="未发布的修改"):
        course_package_import(files=files, by=None, publish=True)

    assert course.lessons.get(slug="no-safe-account").body_zh != "更新后的正文。"
    assert Course.objects.filter(pk=draft.pk).exists()
    # the very same package as before is still a harmless no-op
    assert not course_package_import(files=read_folder(FIXTURE_COURSE), by=None).changed


def _course_with_an_image(course, fixture_folder):
    import json

    data = json.loads((fixture_folder / "course.json").read_text())
    data["modules"][0]["lessons"][0]["images"] = [
        {"file": "images/call.png", "alt": {"zh-hans": "来电界面", "en": "An incoming call"}}
    ]
    (fixture_folder / "course.json").write_text(json.dumps(data))
    (fixture_folder / "images").mkdir()
    Image.new("RGB", (800, 450), (30, 90, 160)).save(fixture_folder / "images" / "call.png")
    course_package_import(files=read_folder(fixture_folder), by=None, publish=True)
    image = LessonImage.objects.get(lesson__course=course)
    return image, [image.image.name, *image.renditions.values()]


def test_an_image_a_published_draft_dropped_leaves_storage(
    course, fixture_folder, editor, django_capture_on_commit_callbacks
):
    # Given a live image, and a draft version that removed it
    from django.core.files.storage import default_storage

    _image, files = _course_with_an_image(course, fixture_folder)
    draft = services.course_draft_start(course=course, by=editor)
    with django_capture_on_commit_callbacks(execute=True):
        LessonImage.objects.filter(lesson__course=draft).delete()
    assert all(default_storage.exists(name) for name in files)  # the live row still shows it
    # When the draft is published
    with django_capture_on_commit_callbacks(execute=True):
        services.course_publish(course=draft, by=editor)
    # Then the image row and its files are gone
    assert not LessonImage.objects.exists()
    assert not any(default_storage.exists(name) for name in files)


def test_discarding_a_draft_keeps_the_files_the_live_course_shows(
    course, fixture_folder, editor, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    image, files = _course_with_an_image(course, fixture_folder)
    draft = services.course_draft_start(course=course, by=editor)
    with django_capture_on_commit_callbacks(execute=True):
        services.course_draft_discard(course=draft, by=editor)
    assert LessonImage.objects.get() == image
    assert all(default_storage.exists(name) for name in files)


def test_an_image_deleted_in_the_admin_leaves_storage(
    course, fixture_folder, django_capture_on_commit_callbacks
):
    from django.core.files.storage import default_storage

    image, files = _course_with_an_image(course, fixture_folder)
    with django_capture_on_commit_callbacks(execute=True):
        image.delete()
    assert not any(default_storage.exists(name) for name in files)
