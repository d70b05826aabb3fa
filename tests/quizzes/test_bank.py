"""The question bank: loading demo content, drawing questions, grading (the edu hooks)."""

import copy
import json

import pytest

from quizzes.demo import DEFAULT_QUESTIONS, QuestionFileError, questions_load
from quizzes.models import Question, ScamType
from quizzes.selectors import questions_for_knowledge_check
from quizzes.services import knowledge_check_grade

from .conftest import FIXTURE


def entries():
    return json.loads(FIXTURE.read_text("utf-8"))


@pytest.mark.django_db
def test_the_contract_scam_types_exist_with_names_in_both_languages():
    police = ScamType.objects.get(code="impersonating_police")
    assert police.name_zh_hans == "冒充公检法"
    assert police.name_in("en") == "Fake police, prosecutors or courts"
    assert ScamType.objects.count() == 10


@pytest.mark.django_db
def test_loading_creates_one_published_row_per_language_linked_by_key():
    result = questions_load(entries=entries())

    assert result.created == 2 * len(entries())
    zh = Question.objects.get(key="impersonating_police-01", language="zh-hans")
    en = Question.objects.get(key="impersonating_police-01", language="en")
    assert list(zh.translations()) == [en]
    assert zh.status == Question.Status.PUBLISHED
    assert [o.is_correct for o in zh.options.all()] == [False, True, False]
    assert sorted(a.code for a in zh.audiences.all()) == ["elderly", "general"]


@pytest.mark.django_db
def test_loading_twice_changes_nothing_and_an_edit_updates_in_place():
    questions_load(entries=entries())
    ids = set(Question.objects.values_list("id", flat=True))

    again = questions_load(entries=entries())
    edited = entries()
    edited[0]["versions"]["en"]["explanation"] = "Hang up. Call 96110."
    after_edit = questions_load(entries=edited)

    assert (again.created, again.updated) == (0, 0)
    assert (after_edit.created, after_edit.updated) == (0, 1)
    assert set(Question.objects.values_list("id", flat=True)) == ids
    assert Question.objects.get(key=edited[0]["key"], language="en").explanation == (
        "Hang up. Call 96110."
    )


@pytest.mark.django_db
def test_editing_an_option_keeps_every_option_id():
    # Given loaded questions (open transfer checks and attempts hold their option ids)
    from quizzes.models import Option

    questions_load(entries=entries())
    option_ids = set(Option.objects.values_list("id", flat=True))
    # When an option's wording is corrected in the file and the file is loaded again
    edited = entries()
    edited[0]["versions"]["zh-hans"]["options"][0]["text"] += "（已更正）"
    result = questions_load(entries=edited)
    # Then that option reads the new wording under the same id
    assert result.updated == 1
    assert set(Option.objects.values_list("id", flat=True)) == option_ids
    assert Option.objects.filter(text__endswith="（已更正）").count() == 1


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("breaks", "message"),
    [
        (lambda e: e.update(scam_type="lottery"), "unknown scam type"),
        (lambda e: e["versions"].pop("en"), "zh-hans and en"),
        (lambda e: e["versions"]["en"]["options"][0].update(correct=True), "exactly one"),
    ],
)
def test_a_malformed_file_is_refused_whole_with_the_question_named(breaks, message):
    bad = entries()
    broken = copy.deepcopy(bad[1])
    breaks(broken)
    bad[1] = broken

    with pytest.raises(QuestionFileError, match=message) as error:
        questions_load(entries=bad)

    assert bad[1]["key"] in str(error.value)
    assert Question.objects.count() == 0


@pytest.mark.django_db
def test_the_shipped_demo_questions_load_with_six_or_more_per_scam_type():
    result = questions_load(entries=json.loads(DEFAULT_QUESTIONS.read_text("utf-8")))

    assert result.created > 0
    for scam_type in ScamType.objects.all():
        for language in ("zh-hans", "en"):
            count = Question.objects.filter(scam_type=scam_type, language=language).count()
            assert count >= 6, (scam_type.code, language)


@pytest.mark.django_db
def test_knowledge_check_questions_are_published_of_the_types_and_language(question_bank):
    Question.objects.filter(key="task_rebate-03").update(status=Question.Status.DRAFT)

    questions = questions_for_knowledge_check(
        scam_types=["task_rebate"], audience="students", language="en", count=5
    )

    assert {q.key for q in questions} == {"task_rebate-01", "task_rebate-02"}
    assert all(q.language == "en" for q in questions)


@pytest.mark.django_db
def test_knowledge_check_questions_need_two_queries(question_bank, django_assert_num_queries):
    with django_assert_num_queries(3):  # draw ids; questions; their options
        questions = questions_for_knowledge_check(
            scam_types=["impersonating_police"], audience=None, language="zh-hans", count=3
        )
        assert all(len(q.options.all()) >= 2 for q in questions)
    assert len(questions) == 3


@pytest.mark.django_db
def test_knowledge_check_grade_scores_and_explains_each_question(question_bank):
    single = Question.objects.get(key="impersonating_police-01", language="en")
    several = Question.objects.get(key="impersonating_police-03", language="en")
    right_single = [o.id for o in single.options.all() if o.is_correct]
    half_right = [o.id for o in several.options.all() if o.is_correct][:2]

    grade = knowledge_check_grade(answers={single.id: right_single, several.id: half_right})

    assert (grade.score, grade.total) == (1, 2)
    assert grade.passed is False
    assert grade.questions[single.id].correct is True
    assert grade.questions[several.id].correct is False
    assert grade.questions[several.id].explanation == several.explanation
    assert len(grade.questions[several.id].correct_options) == 3
