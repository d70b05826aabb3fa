"""Editors change a published course through the admin pages: draft version, preview,
publish, discard; the live course itself is read-only there."""

from __future__ import annotations

from html.parser import HTMLParser

import pytest
from django.contrib.auth.models import Permission
from django.urls import reverse

from accounts.roles import Role
from core.audit import AuditAction
from core.models import AuditLog
from edu import services
from edu.models import Course, LessonProgress
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = UserFactory(roles=[Role.LEARNER, Role.EDITOR], is_staff=True)
    client.force_login(user)
    return user


class _FormReader(HTMLParser):
    """The values a browser would submit from the form with ``form_id``."""

    def __init__(self, form_id: str) -> None:
        super().__init__()
        self.form_id = form_id
        self.inside = False
        self.data: list[tuple[str, str]] = []
        self.select: str | None = None
        self.textarea: str | None = None
        self.text = ""

    def handle_starttag(self, tag, attrs):  # type: ignore[no-untyped-def]
        a = dict(attrs)
        if tag == "form":
            self.inside = a.get("id") == self.form_id
        if not self.inside or not a.get("name"):
            if tag == "option" and self.select and "selected" in a:
                self.data.append((self.select, a.get("value") or ""))
            return
        if tag == "input":
            kind = a.get("type", "text")
            if kind in ("checkbox", "radio") and "checked" not in a:
                return
            if kind not in ("submit", "button", "file"):
                default = "on" if kind == "checkbox" else ""
                self.data.append((a["name"], a.get("value") or default))
        elif tag == "select":
            self.select = a["name"]
        elif tag == "textarea":
            self.textarea, self.text = a["name"], ""

    def handle_data(self, data):  # type: ignore[no-untyped-def]
        if self.textarea:
            self.text += data

    def handle_endtag(self, tag):  # type: ignore[no-untyped-def]
        if tag == "form":
            self.inside = False
        elif tag == "select":
            self.select = None
        elif tag == "textarea" and self.textarea:
            self.data.append((self.textarea, self.text.lstrip("\n")))
            self.textarea = None


def form_data(html: str, form_id: str) -> dict[str, list[str]]:
    reader = _FormReader(form_id)
    reader.feed(html)
    out: dict[str, list[str]] = {}
    for name, value in reader.data:
        out.setdefault(name, []).append(value)
    return out


def test_a_published_course_is_read_only_in_the_admin(course, client, editor):
    change_url = reverse("admin:edu_course_change", args=[course.pk])
    lesson = course.lessons.get(slug="hang-up")

    page = client.get(change_url).content.decode()
    course_post = client.post(change_url, {"title_zh": "直接改标题"})
    lesson_post = client.post(
        reverse("admin:edu_lesson_change", args=[lesson.pk]), {"title_zh": "直接改"}
    )
    add_page = client.get(reverse("admin:edu_lesson_add")).content.decode()

    assert 'name="title_zh"' not in page
    assert reverse("admin:edu_course_edit_draft", args=[course.pk]) in page
    assert "编辑草稿版本" in page
    assert course_post.status_code == 403 and lesson_post.status_code == 403
    assert f'<option value="{course.pk}"' not in add_page  # no new lesson straight into it
    course.refresh_from_db()
    assert course.title_zh == "测试课程：识破冒充公检法"


def test_an_editor_edits_previews_and_publishes_a_draft_through_the_admin(course, client, editor):
    # Given a learner part way through the published course
    learner = UserFactory()
    first = course.lessons.get(slug="no-safe-account")
    services.lesson_complete(user=learner, lesson=first)

    # When the editor starts a draft version (a confirmation page, then a button)
    start_url = reverse("admin:edu_course_edit_draft", args=[course.pk])
    assert "草稿版本会复制这门课程" in client.get(start_url).content.decode()
    response = client.post(start_url)
    draft = Course.objects.get(draft_of=course)
    assert response.headers["Location"] == reverse("admin:edu_course_change", args=[draft.pk])

    # and changes the course and a lesson title on the draft's own page
    draft_url = reverse("admin:edu_course_change", args=[draft.pk])
    page = client.get(draft_url).content.decode()
    assert "/courses-preview/fixture-course/" in page
    data = form_data(page, "course_form")
    data["title_en"] = ["Fake police: the 2027 edition"]
    hang_up = next(
        key for key, value in data.items() if key.endswith("-slug") and value == ["hang-up"]
    )
    data[hang_up.replace("-slug", "-title_zh")] = ["先挂断，再打110核实"]
    data["_save"] = ["Save"]
    saved = client.post(draft_url, data)
    assert saved.status_code == 302, saved.content.decode()[:3000]

    # and writes new lesson text on the draft lesson's page
    draft_lesson = draft.lessons.get(slug="no-safe-account")
    lesson_url = reverse("admin:edu_lesson_change", args=[draft_lesson.pk])
    lesson_page = client.get(lesson_url).content.decode()
    assert "/courses-preview/fixture-course/no-safe-account/" in lesson_page
    lesson_data = form_data(lesson_page, "lesson_form")
    lesson_data["body_zh"] = ["## 新版\n\n银行和警察都**没有**安全账户。"]
    lesson_data["_save"] = ["Save"]
    saved = client.post(lesson_url, lesson_data)
    assert saved.status_code == 302, saved.content.decode()[:3000]

    # then learners still see the published course, the editor's preview shows the draft
    public = client.get("/courses/fixture-course/").content.decode()
    assert "先挂断，再打110核实" not in public
    preview = client.get("/courses-preview/fixture-course/no-safe-account/").content.decode()
    assert "<strong>没有</strong>" in preview and "预览——尚未发布。" in preview

    # When the editor publishes from the confirmation page that lists the changes
    publish_url = reverse("admin:edu_course_publish_changes", args=[draft.pk])
    summary = client.get(publish_url).content.decode()
    assert "修改或移动的课时" in summary
    assert "no-safe-account" in summary and "hang-up" in summary
    assert "课程的标题、简介或分类有改动" in summary
    response = client.post(publish_url)

    # Then the live course has the new content and learners keep their progress
    assert response.headers["Location"] == reverse("admin:edu_course_change", args=[course.pk])
    course.refresh_from_db()
    assert course.version == 2 and course.title_en == "Fake police: the 2027 edition"
    assert not Course.objects.filter(pk=draft.pk).exists()
    assert "先挂断，再打110核实" in client.get("/courses/fixture-course/").content.decode()
    first.refresh_from_db()
    assert "没有**安全账户" in first.body_zh
    assert LessonProgress.objects.filter(user=learner, lesson=first).exists()
    entry = AuditLog.objects.get(action=AuditAction.COURSE_PUBLISHED, actor=editor)
    assert sorted(entry.data["changed"]) == ["hang-up", "no-safe-account"]
    assert AuditLog.objects.filter(action=AuditAction.COURSE_DRAFT_STARTED, actor=editor).exists()


def test_an_editor_discards_a_draft_through_the_admin(course, client, editor):
    draft = services.course_draft_start(course=course, by=editor)
    draft.lessons.filter(slug="hang-up").update(title_zh="不要了")
    discard_url = reverse("admin:edu_course_discard_changes", args=[draft.pk])

    assert "草稿版本及其中的所有修改都将被删除" in client.get(discard_url).content.decode()
    response = client.post(discard_url)

    assert response.headers["Location"] == reverse("admin:edu_course_change", args=[course.pk])
    assert not Course.objects.filter(pk=draft.pk).exists()
    assert course.lessons.get(slug="hang-up").title_zh == "挂断电话再核实"
    assert AuditLog.objects.filter(action=AuditAction.COURSE_DRAFT_DISCARDED, actor=editor).exists()


def test_the_course_list_shows_live_courses_with_their_pending_changes(course, client, editor):
    draft = services.course_draft_start(course=course, by=editor)

    page = client.get(reverse("admin:edu_course_changelist")).content.decode()

    assert reverse("admin:edu_course_change", args=[course.pk]) in page
    assert reverse("admin:edu_course_change", args=[draft.pk]) not in page
    assert 'alt="是"' in page  # the "unpublished changes" column, as read aloud


def test_the_publish_action_in_the_list_publishes_the_pending_changes(course, client, editor):
    draft = services.course_draft_start(course=course, by=editor)
    draft.lessons.filter(slug="hang-up").update(title_zh="列表里发布")

    client.post(
        reverse("admin:edu_course_changelist"),
        {"action": "publish", "_selected_action": [course.pk]},
    )

    assert course.lessons.get(slug="hang-up").title_zh == "列表里发布"
    assert not Course.objects.filter(draft_of=course).exists()


def test_a_lesson_cannot_be_put_in_a_module_of_another_course(course, client, editor):
    draft = services.course_draft_start(course=course, by=editor)
    other = Course.objects.create(slug="other", topic="budgeting", title_zh="另一门课")
    other_module = other.modules.create(title_zh="单元")

    response = client.post(
        reverse("admin:edu_lesson_add"),
        {
            "course": draft.pk,
            "module": other_module.pk,
            "position": "0",
            "slug": "stray",
            "minutes": "3",
            "title_zh": "走错的课",
            "body_zh": "正文",
            "check_question_count": "3",
            "images-TOTAL_FORMS": "0",
            "images-INITIAL_FORMS": "0",
        },
    )

    assert response.status_code == 200
    assert "这个单元属于另一门课程" in response.content.decode()
    assert not draft.lessons.filter(slug="stray").exists()


def test_only_editors_may_start_publish_or_discard_a_draft(course, client):
    viewer = UserFactory(is_staff=True)
    viewer.user_permissions.add(Permission.objects.get(codename="view_course"))
    client.force_login(viewer)
    draft = services.course_draft_start(course=course, by=None)

    responses = [
        client.post(reverse("admin:edu_course_edit_draft", args=[course.pk])),
        client.post(reverse("admin:edu_course_publish_changes", args=[draft.pk])),
        client.post(reverse("admin:edu_course_discard_changes", args=[draft.pk])),
        client.get("/courses-preview/fixture-course/"),
    ]

    assert [r.status_code for r in responses] == [403, 403, 403, 404]
    assert Course.objects.filter(pk=draft.pk).exists()
    course.refresh_from_db()
    assert course.version == 1


def test_importing_over_a_pending_draft_in_the_admin_says_why_and_changes_nothing(
    course, client, editor
):
    import io
    import zipfile

    from edu.packages import read_folder
    from tests.edu.conftest import FIXTURE_COURSE

    services.course_draft_start(course=course, by=editor)
    files = read_folder(FIXTURE_COURSE)
    files["lessons/hang-up.zh-hans.md"] = "导入的新正文。".encode()
    archive = io.BytesIO()
    with zipfile.ZipFile(archive, "w") as out:
        for name, data in files.items():
            out.writestr(name, data)
    archive.seek(0)
    archive.name = "package.zip"

    response = client.post(reverse("admin:edu_course_import"), {"archive": archive})

    assert response.status_code == 200
    assert "有未发布的修改。请先发布或放弃这些修改" in response.content.decode()
    assert course.lessons.get(slug="hang-up").body_zh != "导入的新正文。"
