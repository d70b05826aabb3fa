"""Publishing questions of the bank: the rule a published question's options must follow,
in one place for the admin's form, its "publish" action and the importers."""

from __future__ import annotations

from collections.abc import Sequence

from django.db import transaction
from django.utils.translation import gettext

from core.exceptions import InvalidInput

from ..models import Question


class QuestionNotPublishable(InvalidInput):
    """A question whose options learners could not answer rightly, or could not answer
    wrongly, is refused publication; the message says what to change."""

    def __init__(self, message: str, *, key: str = "") -> None:
        super().__init__("options", message)
        self.key = key


def question_publish_refusal(*, kind: str, correct: Sequence[bool]) -> str | None:
    """Why a question of ``kind`` whose options are ``correct`` (one flag per option, in
    order) cannot be published, in the reader's language; None when it can.

    Learners choose one option of a single-choice, true-or-false or scenario question and
    are right when they choose exactly the correct ones (``grading``), so such a question
    needs exactly one correct option; a multiple-choice question needs at least one."""
    count, right = len(correct), sum(1 for flag in correct if flag)
    if count < 2:
        return gettext("A question needs at least two options to choose from.")
    if right == 0:
        return gettext(
            "No option is marked as correct: mark the right answer before publishing the question."
        )
    if kind == Question.Kind.MULTIPLE:
        return None
    if right == count:
        return gettext(
            "Every option is marked as correct, so no answer could be wrong: in a "
            "single-choice question mark only the right answer."
        )
    if right > 1:
        return gettext(
            "%(count)s options are marked as correct, but a single-choice question has exactly "
            "one: mark only the right answer, or make it a multiple-choice question."
        ) % {"count": right}
    if kind == Question.Kind.TRUE_FALSE and count != 2:
        return gettext("A true-or-false question has exactly two options.")
    return None


def question_publish_check(*, question: Question) -> None:
    """Raise :class:`QuestionNotPublishable` if ``question``'s stored options break the
    rule of ``question_publish_refusal``."""
    correct = list(question.options.order_by("position", "id").values_list("is_correct", flat=True))
    refusal = question_publish_refusal(kind=question.kind, correct=correct)
    if refusal is not None:
        raise QuestionNotPublishable(refusal, key=question.key)


@transaction.atomic
def question_publish(*, question: Question) -> bool:
    """Publish ``question`` (learners and transfer checks may draw it from now on). Checks
    its options first and raises :class:`QuestionNotPublishable` with the reason; nothing
    changes then. Idempotent: returns False for a question already published."""
    locked = Question.objects.select_for_update().get(pk=question.pk)
    question_publish_check(question=locked)
    if locked.status == Question.Status.PUBLISHED:
        return False
    locked.status = Question.Status.PUBLISHED
    locked.save(update_fields=["status", "updated_at"])
    question.status = locked.status
    return True
