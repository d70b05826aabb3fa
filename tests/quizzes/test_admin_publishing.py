"""A question learners could not answer rightly (no correct option), or not wrongly (every
option correct in a single-choice question), is never published: the admin's form says
why in Chinese, its publish action refuses it, and the bank's importer refuses it too."""

from __future__ import annotations

import pytest
from django.urls import reverse

from accounts.roles import Role
from quizzes.models import Question, ScamType
from quizzes.packages import QuestionSpec, QuestionVersionSpec, questions_import
from quizzes.services import QuestionNotPublishable
from tests.admin_forms import change_form_data
from tests.factories import UserFactory

from .factories import QuestionFactory

pytestmark = pytest.mark.django_db

ADD_URL = reverse("admin:quizzes_question_add")


@pytest.fixture
def editor(client):
    user = UserFactory(roles=[Role.EDITOR], is_staff=True)
    client.force_login(user)
    return user


def add_form(*, status: str, kind: str = "single", options: list[tuple[str, bool]]) -> dict:
    data = {
        "key": "police-safe-account",
        "language": "zh-hans",
        "status": status,
        "scam_type": str(ScamType.objects.get(code="impersonating_police").pk),
        "difficulty": "1",
        "kind": kind,
        "scenario": "",
        "image_alt": "",
        "text": "自称警察的人要你把钱转到“安全账户”，你怎么办？",
        "explanation": "公安机关没有“安全账户”，挂断电话拨打96110。",
        "options-TOTAL_FORMS": str(len(options)),
        "options-INITIAL_FORMS": "0",
        "options-MIN_NUM_FORMS": "0",
        "options-MAX_NUM_FORMS": "1000",
    }
    for i, (text, correct) in enumerate(options):
        data[f"options-{i}-position"] = str(i)
        data[f"options-{i}-text"] = text
        if correct:
            data[f"options-{i}-is_correct"] = "on"
    return data


def test_a_question_without_a_correct_option_is_not_published_and_the_form_says_why(client, editor):
    # When an editor saves a new question as published with no option marked correct
    response = client.post(
        ADD_URL, add_form(status="published", options=[("马上转账", False), ("挂断核实", False)])
    )

    # Then nothing is saved and the page says, in Chinese, what to change
    assert response.status_code == 200
    assert not Question.objects.filter(key="police-safe-account").exists()
    page = response.content.decode()
    assert "这道题还不能发布" in page
    assert "没有任何选项被标为正确" in page


def test_a_single_choice_question_with_every_option_correct_is_refused(client, editor):
    response = client.post(
        ADD_URL, add_form(status="published", options=[("马上转账", True), ("挂断核实", True)])
    )

    assert response.status_code == 200
    assert not Question.objects.filter(key="police-safe-account").exists()
    assert "所有选项都被标为正确" in response.content.decode()


def test_a_multiple_choice_question_may_have_several_correct_options(client, editor):
    response = client.post(
        ADD_URL,
        add_form(
            status="published",
            kind="multiple",
            options=[("挂断电话", True), ("拨打96110", True), ("转到安全账户", False)],
        ),
    )

    assert response.status_code == 302
    assert Question.objects.get(key="police-safe-account").status == "published"


def test_the_same_unfinished_question_can_be_kept_as_a_draft(client, editor):
    response = client.post(
        ADD_URL, add_form(status="draft", options=[("马上转账", False), ("挂断核实", False)])
    )

    assert response.status_code == 302
    assert Question.objects.get(key="police-safe-account").status == "draft"


def test_unticking_the_only_correct_option_of_a_published_question_is_refused(client, editor):
    # Given a published question with one correct option
    question = QuestionFactory(status="published")
    url = reverse("admin:quizzes_question_change", args=[question.pk])
    page = client.get(url)
    data = change_form_data(page)
    right = [k for k, v in data.items() if k.endswith("-is_correct") and v == "on"]
    assert len(right) == 1

    # When the editor unticks it and saves
    del data[right[0]]
    response = client.post(url, data)

    # Then the option stays correct and the page explains
    assert response.status_code == 200
    assert "没有任何选项被标为正确" in response.content.decode()
    assert question.options.filter(is_correct=True).count() == 1


def test_the_publish_action_refuses_a_question_without_a_correct_option(client, editor):
    # Given two drafts, one ready and one with no correct option
    ready = QuestionFactory(status="draft")
    broken = QuestionFactory(status="draft", options=[("马上转账", False), ("挂断核实", False)])

    # When the editor publishes both from the list
    response = client.post(
        reverse("admin:quizzes_question_changelist"),
        {"action": "publish", "_selected_action": [ready.pk, broken.pk]},
        follow=True,
    )

    # Then the ready one is published, the other stays a draft, and the list says why
    ready.refresh_from_db()
    broken.refresh_from_db()
    assert (ready.status, broken.status) == ("published", "draft")
    page = response.content.decode()
    assert f"题目“{broken}”未发布" in page
    assert "没有任何选项被标为正确" in page
    assert "已发布 1 道题" in page


def spec(options: list[tuple[str, bool]], status: str = "published") -> QuestionSpec:
    return QuestionSpec(
        key="imported-police",
        scam_type="impersonating_police",
        audiences=[],
        difficulty=1,
        kind="single",
        versions=[
            QuestionVersionSpec(
                language="zh-hans",
                status=status,
                text="对方要你转到安全账户，怎么办？",
                scenario="",
                explanation="没有安全账户。",
                options=options,
                image=None,
            )
        ],
    )


@pytest.mark.parametrize(
    "options", [[("转账", False), ("挂断", False)], [("转账", True), ("挂断", True)]]
)
def test_the_bank_importer_refuses_to_publish_such_questions_and_writes_nothing(options):
    with pytest.raises(QuestionNotPublishable) as refused:
        questions_import(specs=[spec(options)])

    assert refused.value.key == "imported-police"
    assert refused.value.field == "options"
    assert not Question.objects.filter(key="imported-police").exists()


def test_the_bank_importer_keeps_such_a_question_as_a_draft():
    written = questions_import(specs=[spec([("转账", False), ("挂断", False)], status="draft")])

    assert written.created == 1
    assert Question.objects.get(key="imported-police").status == "draft"
