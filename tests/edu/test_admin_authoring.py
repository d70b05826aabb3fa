"""Writing in the admin: slugs made from Chinese titles in pinyin, and the preview of a
lesson's Markdown (rendered and sanitised as the lesson page does)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import Role
from core.slugs import pinyin_slug
from edu import services
from edu.models import Course
from edu.slugs import course_slug_make, lesson_slug_make
from tests.factories import UserFactory

pytestmark = pytest.mark.django_db


@pytest.fixture
def editor(client):
    user = UserFactory(roles=[Role.EDITOR], is_staff=True)
    client.force_login(user)
    return user


def new_course_form(**changes: str) -> dict[str, str]:
    data = {
        "slug": "",
        "topic": "anti_fraud",
        "position": "0",
        "title_zh": "识破刷单返利",
        "title_en": "",
        "summary_zh": "",
        "summary_en": "",
        "modules-TOTAL_FORMS": "0",
        "modules-INITIAL_FORMS": "0",
        "lessons-TOTAL_FORMS": "0",
        "lessons-INITIAL_FORMS": "0",
    }
    data.update(changes)
    return data


def test_a_chinese_title_becomes_a_pinyin_slug():
    assert pinyin_slug("识破冒充公检法：没有“安全账户”") == (
        "shi-po-mao-chong-gong-jian-fa-mei-you-an-quan-zhang-hu"
    )
    assert pinyin_slug("2026 反诈 ABC") == "2026-fan-zha-abc"
    assert pinyin_slug("！？") == ""
    long = pinyin_slug("反诈" * 40, max_length=80)
    assert len(long) <= 80 and not long.endswith("-") and long.endswith("zha")


def test_a_course_saved_with_an_empty_slug_gets_one_from_its_chinese_title(client, editor):
    response = client.post(reverse("admin:edu_course_add"), new_course_form())

    assert response.status_code == 302, response.content.decode()[:2000]
    assert Course.objects.get(title_zh="识破刷单返利").slug == "shi-po-shua-dan-fan-li"


def test_a_second_course_of_the_same_title_gets_a_free_slug(client, editor):
    client.post(reverse("admin:edu_course_add"), new_course_form())
    client.post(reverse("admin:edu_course_add"), new_course_form(position="1"))

    assert sorted(Course.objects.values_list("slug", flat=True)) == [
        "shi-po-shua-dan-fan-li",
        "shi-po-shua-dan-fan-li-2",
    ]


def test_a_slug_the_editor_typed_is_kept(client, editor):
    client.post(reverse("admin:edu_course_add"), new_course_form(slug="task-rebates"))

    assert Course.objects.get().slug == "task-rebates"


def test_lessons_added_on_a_course_page_without_slugs_get_distinct_ones(client, editor):
    # Given a new course with one module and two lessons of the same title, slugs empty
    data = new_course_form(
        **{
            "modules-TOTAL_FORMS": "1",
            "modules-0-position": "0",
            "modules-0-title_zh": "第一单元",
            "modules-0-title_en": "",
        }
    )
    response = client.post(reverse("admin:edu_course_add"), data)
    course = Course.objects.get()
    module = course.modules.get()
    page = client.get(reverse("admin:edu_course_change", args=[course.pk]))
    assert page.status_code == 200
    data = new_course_form(
        slug=course.slug,
        **{
            "modules-TOTAL_FORMS": "1",
            "modules-INITIAL_FORMS": "1",
            "modules-0-id": str(module.pk),
            "modules-0-course": str(course.pk),
            "modules-0-position": "0",
            "modules-0-title_zh": "第一单元",
            "modules-0-title_en": "",
            "lessons-TOTAL_FORMS": "2",
        },
    )
    for i in range(2):
        data.update(
            {
                f"lessons-{i}-module": str(module.pk),
                f"lessons-{i}-position": str(i),
                f"lessons-{i}-slug": "",
                f"lessons-{i}-title_zh": "挂断电话再核实",
                f"lessons-{i}-title_en": "",
                f"lessons-{i}-minutes": "5",
            }
        )

    # When the editor saves the course page
    response = client.post(reverse("admin:edu_course_change", args=[course.pk]), data)

    # Then both lessons are saved, with pinyin slugs that differ
    assert response.status_code == 302, response.content.decode()[:3000]
    assert sorted(course.lessons.values_list("slug", flat=True)) == [
        "gua-duan-dian-hua-zai-he-shi",
        "gua-duan-dian-hua-zai-he-shi-2",
    ]


def test_a_lesson_slug_is_free_within_its_course_only(course):
    taken = course.lessons.first()

    assert lesson_slug_make(title="", course_id=course.pk) == "lesson"
    assert lesson_slug_make(title=taken.title_zh, course_id=course.pk) == pinyin_slug(
        taken.title_zh
    )
    assert course_slug_make(title="") == "course"


def test_the_admin_suggests_the_slug_while_the_title_is_typed(client, editor, course):
    url = reverse("admin:edu_course_slug")

    assert client.get(url, {"title": "识破刷单返利"}).json() == {"slug": "shi-po-shua-dan-fan-li"}
    taken = course.lessons.first()
    taken.slug = "gua-duan"
    taken.save()
    suggested = client.get(url, {"title": "挂断", "kind": "lesson", "course": course.pk}).json()
    assert suggested == {"slug": "gua-duan-2"}


def test_a_learner_gets_no_slug_suggestions(client, course):
    client.force_login(UserFactory(roles=[Role.LEARNER]))

    response = client.get(reverse("admin:edu_course_slug"), {"title": "识破"})

    assert response.status_code == 302  # to the admin's sign-in page


HOSTILE = (
    "## 报案\n\n拨打 **110**。\n\n<script>alert(1)</script>\n\n"
    "[点这里](javascript:alert(1)) <img src=x onerror=alert(1)>"
)


def test_the_lesson_preview_renders_and_sanitises_the_texts_as_the_lesson_page(
    client, editor, course
):
    draft = services.course_draft_start(course=course, by=editor)
    lesson = draft.lessons.first()
    change = client.get(reverse("admin:edu_lesson_change", args=[lesson.pk])).content.decode()
    assert "预览正文" in change  # the button on the lesson's form

    response = client.post(
        reverse("admin:edu_lesson_preview"),
        {"title_zh": "如何报案", "body_zh": HOSTILE, "title_en": "", "body_en": ""},
    )

    page = response.content.decode()
    assert response.status_code == 200
    assert "这是表单中当前的正文，尚未保存" in page
    assert "<h2>报案</h2>" in page and "<strong>110</strong>" in page
    # Raw HTML is shown as text, never as markup; no script link survives
    assert "<script>alert" not in page and "<img src=x" not in page
    assert "&lt;script&gt;" in page
    assert 'href="javascript:' not in page
    assert "还没有正文" in page  # the English text is empty


def test_the_preview_panel_is_a_fragment_for_the_page_script(client, editor):
    url = reverse("admin:edu_lesson_preview") + "?panel=1"
    response = client.post(url, {"title_zh": "如何报案", "body_zh": "**110**"})

    page = response.content.decode()
    assert page.lstrip().startswith('<div class="lesson-preview-versions">')
    assert "<strong>110</strong>" in page


def test_a_live_lessons_read_only_page_offers_no_preview_button(client, editor, course):
    lesson = course.lessons.first()

    page = client.get(reverse("admin:edu_lesson_change", args=[lesson.pk])).content.decode()

    assert "预览正文" not in page
