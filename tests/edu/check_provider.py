"""A small, real question bank implementing edu.checks.KnowledgeCheckProvider, to test the
hook until the quizzes app provides the real one."""

from __future__ import annotations

from edu.checks import CheckOption, CheckQuestion, CheckResult

ANSWERS = {1: [1]}


class LocalQuestionBank:
    asked: list[dict] = []

    def questions(self, *, scam_types, audience, language, count):
        self.asked.append(
            {"scam_types": scam_types, "audience": audience, "language": language, "count": count}
        )
        return [
            CheckQuestion(
                id=1,
                text="警察打电话要求转账到安全账户，应该怎么做？",
                options=[CheckOption(1, "挂断，拨打110核实"), CheckOption(2, "马上转账")],
            )
        ][:count]

    def grade(self, *, answers):
        correct = sum(1 for qid, picked in answers.items() if ANSWERS.get(qid) == sorted(picked))
        return CheckResult(passed=correct == len(ANSWERS), correct=correct, total=len(ANSWERS))
