"""Course packages carry the questions their knowledge checks draw (format version 2)."""

from __future__ import annotations

import io
import json
import re
import zipfile

import pytest
from django.contrib.auth.models import Permission
from django.core.files.base import ContentFile
from django.core.management import call_command
from django.urls import reverse
from django.utils import translation

from accounts.roles import Role
from edu.checks import provider
from edu.models import Course
from edu.packages import (
    FORMAT_VERSION,
    PackageError,
    course_package_export,
    course_package_import,
    read_zip,
)
from quizzes.models import Audience, Option, Question, ScamType
from tests.edu.test_packages import fixture_files, manifest, png_bytes, with_manifest, zip_of
from tests.factories import UserFactory
from tests.quizzes.conftest import contract_codes
from tests.quizzes.factories import QuestionFactory

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def _messages_in_english():
    with translation.override("en"):
        yield


def police_pair(key: str, *, image: bytes | None = None, en_status="published") -> None:
    """One question in both languages, as editors keep them: two rows sharing a key."""
    zh = QuestionFactory(
        key=key,
        language="zh-hans",
        kind=Question.Kind.SCENARIO,
        scenario="一位自称警官的人来电，说你的账户涉嫌洗钱。",
        text=f"{key}：对方要求你把钱转到“安全账户”，你应该？",
        explanation="公检法不会在电话里办案，也没有安全账户。挂断，拨打110核实。",
        difficulty=2,
        options=[("照做，转账", False), ("挂断，拨打110核实", True), ("先转一半", False)],
    )
    zh.audiences.set(Audience.objects.filter(code__in=["general", "elderly"]))
    en = QuestionFactory(
        key=key,
        language="en",
        kind=Question.Kind.SCENARIO,
        scenario="A caller says he is a police officer and your account is laundering money.",
        text=f"{key}: he asks you to move your money to a 'safe account'. You…",
        explanation="Police never handle a case by phone and there is no safe account.",
        difficulty=2,
        status=en_status,
        options=[("do it", False), ("hang up and call 110", True), ("move half", False)],
    )
    en.audiences.set(zh.audiences.all())
    if image is not None:
        zh.image.save("scene.png", ContentFile(image), save=False)
        zh.image_alt = "来电显示为“公安局”的手机屏幕"
        zh.save()


def bank() -> list[tuple]:
    """What the question bank holds, as a learner and an editor would notice it."""
    rows = []
    for q in Question.objects.order_by("key", "language").prefetch_related("options", "audiences"):
        image = b""
        if q.image:
            with q.image.open("rb") as handle:
                image = handle.read()
        rows.append(
            (
                q.key,
                q.language,
                q.status,
                q.scam_type.code,
                q.kind,
                q.difficulty,
                q.text,
                q.scenario,
                q.explanation,
                q.image_alt,
                image,
                sorted(a.code for a in q.audiences.all()),
                [(o.text, o.is_correct) for o in q.options.order_by("position")],
            )
        )
    return rows


def served(course: Course, language: str) -> set[str]:
    lesson = course.lessons.get(slug="hang-up")
    return {
        q.text
        for q in provider().questions(
            scam_types=lesson.check_scam_types, audience="general", language=language, count=10
        )
    }


@pytest.fixture
def course_with_questions(course):
    contract_codes()
    police_pair("police-a", image=png_bytes((640, 400)))
    police_pair("police-b", en_status="draft")
    QuestionFactory(key="romance-a", scam_type=ScamType.objects.get(code="romance"))
    return course


def test_an_exported_course_brings_its_questions_into_a_flushed_question_bank(
    course_with_questions,
):
    # Given a course whose lesson check draws police questions, exported with its questions
    course = course_with_questions
    drawable = {lang: served(course, lang) for lang in ("zh-hans", "en")}
    before = [row for row in bank() if row[0].startswith("police")]
    archive = course_package_export(course=course)

    # When another deployment, with an empty bank and no course, imports the archive
    Course.objects.all().delete()
    Question.objects.all().delete()
    result = course_package_import(files=read_zip(archive), by=None, publish=True)

    # Then the lesson's check serves the same questions, complete, images included
    assert json.loads(read_zip(archive)["course.json"])["format_version"] == FORMAT_VERSION == 2
    assert result.questions_created == 4
    assert served(result.course, "zh-hans") == drawable["zh-hans"]
    assert served(result.course, "en") == drawable["en"]
    assert len(drawable["zh-hans"]) == 2 and len(drawable["en"]) == 1  # police-b's en is a draft
    assert bank() == before  # both languages, statuses, options, image bytes, audiences
    assert not Question.objects.filter(key="romance-a").exists()  # not drawn by this course


def test_reimporting_updates_questions_in_place_by_key(course_with_questions):
    # Given an exported course whose question the other deployment already has
    archive = read_zip(course_package_export(course=course_with_questions))
    question = Question.objects.get(key="police-a", language="en")
    option_ids = list(question.options.order_by("position").values_list("id", flat=True))
    data = manifest(archive)
    entry = next(e for e in data["questions"] if e["key"] == "police-a")
    entry["versions"]["en"]["text"] = "A clearer question"
    entry["versions"]["en"]["options"][0]["text"] = "transfer the money"

    # When the edited package is imported
    result = course_package_import(files=with_manifest(archive, data), by=None)

    # Then the same rows (and option ids, which attempts refer to) carry the new text
    question.refresh_from_db()
    assert (result.questions_created, result.questions_updated) == (0, 1)
    assert question.text == "A clearer question"
    assert list(question.options.order_by("position").values_list("id", flat=True)) == option_ids
    assert question.options.order_by("position").first().text == "transfer the money"


def test_the_same_package_again_changes_no_question(course_with_questions):
    archive = read_zip(course_package_export(course=course_with_questions))
    course_package_import(files=archive, by=None)
    before = bank()

    result = course_package_import(files=archive, by=None)

    assert (result.changed, result.questions_created, result.questions_updated) == (False, 0, 0)
    assert bank() == before


def test_a_version_1_package_still_imports(db):
    contract_codes()
    files = fixture_files()
    data = {**manifest(files), "format_version": 1, "slug": "old-package"}

    result = course_package_import(files=with_manifest(files, data), by=None)

    assert result.created and result.course.slug == "old-package"


def test_an_unknown_format_version_is_refused(db):
    contract_codes()
    files = fixture_files()

    with pytest.raises(PackageError, match="version 3 is not supported"):
        course_package_import(
            files=with_manifest(files, {**manifest(files), "format_version": 3}), by=None
        )


# --- Hostile or malformed questions -----------------------------------------------------------


def edit(change):
    """A package of the course with questions, its first question changed by ``change``."""

    def make(archive: dict[str, bytes]) -> dict[str, bytes]:
        data = manifest(archive)
        data["title"]["en"] = "A title this import must not write"
        extra = change(data["questions"][0], data) or {}
        return with_manifest({**archive, **extra}, data)

    return make


def set_kind(q, data):
    q["kind"] = "essay"


def no_correct_option(q, data):
    for option in q["versions"]["zh-hans"]["options"]:
        option["correct"] = False


def unknown_scam_type(q, data):
    q["scam_type"] = "lottery_win"


def oversized_text(q, data):
    q["versions"]["zh-hans"]["text"] = "骗" * 2001


def traversal_image(q, data):
    q["versions"]["zh-hans"]["image"] = {"file": "../../../etc/passwd", "alt": "x"}


def image_not_an_image(q, data):
    q["versions"]["zh-hans"]["image"] = {"file": "questions/x.png", "alt": "x"}
    return {"questions/x.png": b"<svg onload=alert(1)>"}


def versions_disagree(q, data):
    q["versions"]["en"]["options"][0]["correct"] = True
    q["versions"]["en"]["options"][1]["correct"] = False


def duplicate_key(q, data):
    data["questions"].append(dict(q))


def too_many_options(q, data):
    q["versions"]["zh-hans"]["options"] = [{"text": str(n)} for n in range(12)]


def questions_in_version_1(q, data):
    data["format_version"] = 1


@pytest.mark.parametrize(
    ("change", "message"),
    [
        (set_kind, "questions[0].kind: unknown code essay"),
        (no_correct_option, "versions.zh-hans.options: needs exactly one correct option"),
        (unknown_scam_type, "scam_type: unknown code lottery_win (add the scam type"),
        (oversized_text, "versions.zh-hans.text: is longer than 2000 characters"),
        (traversal_image, "unsafe file name: ../../../etc/passwd"),
        (image_not_an_image, "questions/x.png is not a readable image"),
        (versions_disagree, "the language versions differ in their correct options"),
        (duplicate_key, "questions[2].key: police-a is used twice"),
        (too_many_options, "must be a list of 2 to 8 options"),
        (questions_in_version_1, "questions: needs format_version 2 or later"),
    ],
)
def test_malformed_or_hostile_questions_are_refused_and_change_nothing(
    course_with_questions, change, message
):
    # Given a deployment with the course and its questions, and a tampered package
    archive = read_zip(course_package_export(course=course_with_questions))
    Question.objects.filter(key="police-b").delete()  # the import would create these
    before = (bank(), list(Course.objects.values_list("slug", "title_en", "version")))
    options = Option.objects.count()

    # When it is imported
    with pytest.raises(PackageError, match=re.escape(message)):
        course_package_import(files=edit(change)(archive), by=None, publish=True)

    # Then nothing changed: not the course, not a question
    assert (bank(), list(Course.objects.values_list("slug", "title_en", "version"))) == before
    assert Option.objects.count() == options


def test_the_archive_as_a_zip_refuses_a_question_image_outside_the_package(course_with_questions):
    archive = read_zip(course_package_export(course=course_with_questions))
    data = manifest(archive)
    data["questions"][0]["versions"]["zh-hans"]["image"] = {"file": "/etc/passwd", "alt": "x"}

    with pytest.raises(PackageError, match="unsafe file name: /etc/passwd"):
        course_package_import(files=read_zip(zip_of(with_manifest(archive, data))), by=None)


# --- Commands and admin ---------------------------------------------------------------------


def test_the_commands_carry_the_questions_from_one_bank_to_another(course_with_questions, tmp_path):
    # Given a course exported with the management command
    archive = tmp_path / "police.zip"
    call_command("export_course_package", "fixture-course", str(archive))

    # When another deployment (empty bank) imports it with the command
    Question.objects.all().delete()
    out = io.StringIO()
    call_command("import_course_package", str(archive), stdout=out)

    # Then the command says what it did to the bank, and the questions are there
    assert "Questions: 4 created, 0 updated" in out.getvalue()
    assert Question.objects.filter(key__startswith="police").count() == 4


@pytest.fixture
def editor(client):
    user = UserFactory(roles=[Role.LEARNER, Role.EDITOR], is_staff=True)
    client.force_login(user)
    return user


def test_an_editor_exports_and_imports_a_course_with_its_questions_in_the_admin(
    course_with_questions, client, editor
):
    exported = client.post(
        reverse("admin:edu_course_changelist"),
        {"action": "export_packages", "_selected_action": [course_with_questions.pk]},
    )
    Question.objects.all().delete()
    upload = io.BytesIO(exported.content)
    upload.name = "police.zip"

    response = client.post(reverse("admin:edu_course_import"), {"archive": upload}, follow=True)

    assert "questions/police-a.zh-hans.png" in zipfile.ZipFile(upload).namelist()
    assert "题目：新增 4 道，更新 0 道" in response.content.decode()
    assert Question.objects.filter(key__startswith="police").count() == 4


def test_someone_who_may_edit_courses_but_not_questions_cannot_import(course, client):
    # Given staff with the course permissions only
    user = UserFactory(is_staff=True)
    user.user_permissions.add(
        *Permission.objects.filter(
            content_type__app_label="edu", codename__in=["add_course", "change_course"]
        )
    )
    client.force_login(user)

    # When they open the import page
    response = client.get(reverse("admin:edu_course_import"))

    # Then they are sent back: a package writes to the question bank too
    assert response.status_code == 302
