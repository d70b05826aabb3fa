"""The admin as an editor and as staff see it, in real Chromium against gunicorn: in
Chinese, slugs filled in pinyin as the title is typed, the lesson preview, a question that
cannot be published, roles given on the user's page; on a desktop and on a phone."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from accounts.models import User
from accounts.roles import Role
from core.audit import AuditAction
from core.models import AuditLog
from edu.models import Course
from edu.packages import course_package_import, read_folder
from quizzes.models import Audience, Question, ScamType
from tests.conftest import PHONE, RESULTS
from tests.edu.conftest import FIXTURE_COURSE
from tests.factories import UserFactory
from tests.quizzes.conftest import contract_codes

pytestmark = [pytest.mark.browser, pytest.mark.django_db(transaction=True)]
PASSWORD = "correct-horse-42"
DESKTOP = {"viewport": {"width": 1280, "height": 900}, "locale": "zh-CN"}
# ASCII words a person may see in our admin: codes and names that are not English prose.
ASCII_WORD = re.compile(r"[A-Za-z]{3,}")


def sign_in(browser, web_server, user, context=DESKTOP):
    page = browser.new_context(**context).new_page()
    page.goto(web_server + "/admin/login/")
    page.get_by_label("用户名").fill(user.username)
    page.get_by_label("密码").fill(PASSWORD)
    page.get_by_role("button", name="登录").click()
    expect(page.get_by_role("heading", level=1)).to_have_text("课程、题库与运营")
    return page


def shot(page, name):
    RESULTS.mkdir(exist_ok=True)
    page.screenshot(path=str(RESULTS / f"admin-{name}.png"), full_page=True)


@pytest.fixture
def editor(db):
    contract_codes()
    return UserFactory(username="bianji", roles=[Role.EDITOR], is_staff=True)


def test_an_editor_writes_a_course_and_a_lesson_in_chinese(browser, web_server, editor):
    page = sign_in(browser, web_server, editor)
    # The header carries the platform's name, not Django's
    expect(page.locator("#site-name")).to_have_text("金融安全课堂管理后台")

    # A new course: the slug fills in pinyin while the Chinese title is typed
    page.goto(web_server + "/admin/edu/course/add/")
    page.get_by_label("标题（中文）").press_sequentially("识破刷单返利")
    expect(page.get_by_label("网址标识")).to_have_value("shi-po-shua-dan-fan-li")
    page.locator("select[name=topic]").select_option(index=1)
    shot(page, "course-add-desktop")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messagelist")).to_contain_text("识破刷单返利")
    assert Course.objects.get(title_zh="识破刷单返利").slug == "shi-po-shua-dan-fan-li"

    # A lesson of a draft course: the preview shows the Markdown as learners will read it
    course = course_package_import(files=read_folder(FIXTURE_COURSE), by=None, publish=False).course
    lesson = course.lessons.first()
    page.goto(web_server + f"/admin/edu/lesson/{lesson.pk}/change/")
    page.get_by_label("正文（中文，Markdown）").fill(
        "## 挂断再核实\n\n**公安机关**不会让你转账。\n\n<script>alert(1)</script>"
    )
    page.get_by_role("button", name="预览正文").click()
    panel = page.locator("#lesson-preview-panel")
    expect(panel.get_by_role("heading", name="挂断再核实")).to_be_visible()
    expect(panel.locator("[lang=zh-hans] strong")).to_have_text("公安机关")
    expect(panel).to_contain_text("<script>alert(1)</script>")  # shown as text, not run
    assert page.url.endswith(f"/admin/edu/lesson/{lesson.pk}/change/")  # nothing saved
    shot(page, "lesson-preview-desktop")


def test_an_editor_cannot_publish_a_question_without_a_right_answer(browser, web_server, editor):
    page = sign_in(browser, web_server, editor)
    page.goto(web_server + "/admin/quizzes/question/add/")

    # The two-box selector of the audiences speaks Chinese too (Django's JavaScript strings)
    selector = page.locator(".selector")
    expect(selector).to_contain_text("全部选择受众")
    codes = set(Audience.objects.values_list("code", flat=True))  # shown beside the names
    assert not set(ASCII_WORD.findall(selector.inner_text())) - codes

    page.locator("#id_key").fill("police-safe-account")
    page.locator("select[name=language]").select_option("zh-hans")
    page.locator("select[name=status]").select_option("published")
    police = ScamType.objects.get(code="impersonating_police")
    page.locator("select[name=scam_type]").select_option(str(police.pk))
    page.locator("#id_text").fill("对方自称警察，要你转到“安全账户”，怎么办？")
    page.locator("#id_explanation").fill("公安机关没有安全账户。")
    for text in ("马上转账", "挂断核实"):
        page.locator("#options-group .add-row a").click()
        page.locator("input[name$='-text']:visible").last.fill(text)
    page.get_by_role("button", name="保存", exact=True).click()

    expect(page.locator(".errorlist.nonform")).to_contain_text("没有任何选项被标为正确")
    assert not Question.objects.filter(key="police-safe-account").exists()
    shot(page, "question-refused-desktop")


def test_staff_give_a_role_on_the_users_page_on_a_phone(browser, web_server, db):
    staff = UserFactory(username="gongzuo", roles=[Role.STAFF], is_staff=True)
    learner = UserFactory(username="xuesheng", display_name="王秀英")
    page = sign_in(browser, web_server, staff, context=PHONE)
    shot(page, "index-phone")

    page.goto(web_server + "/admin/accounts/user/")
    row = page.locator("#result_list tr", has_text="xuesheng")
    expect(row).to_contain_text("学员")
    row.get_by_role("link", name="xuesheng").click()

    roles = page.locator("fieldset", has=page.get_by_role("heading", name="角色"))
    expect(roles).to_contain_text("每次授予或撤销角色都会记入审计日志")
    roles.get_by_label("行动协调员").check()
    shot(page, "user-roles-phone")
    page.get_by_role("button", name="保存", exact=True).click()
    expect(page.locator(".messagelist")).to_be_visible()

    learner = User.objects.get(pk=learner.pk)
    assert {g.name for g in learner.groups.all()} == {"learner", "coordinator"}
    entry = AuditLog.objects.get(action=AuditAction.ROLE_GRANTED)
    assert (entry.actor, entry.data) == (staff, {"role": "coordinator"})
