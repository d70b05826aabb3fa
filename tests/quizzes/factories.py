import factory

from quizzes.models import Option, Question, ScamType
from quizzes.services import api_client_create


class QuestionFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Question
        skip_postgeneration_save = True

    key = factory.Sequence(lambda n: f"impersonating_police-{n + 50}")
    language = "zh-hans"
    scam_type = factory.LazyFunction(lambda: ScamType.objects.get(code="impersonating_police"))
    kind = Question.Kind.SINGLE
    text = factory.Sequence(lambda n: f"问题 {n}")
    explanation = "挂断电话，拨打96110。"
    status = Question.Status.PUBLISHED

    @factory.post_generation
    def options(self, create, extracted, **kwargs):
        if create:
            for position, (text, correct) in enumerate(
                extracted or [("转账", False), ("挂断并核实", True), ("再想想", False)]
            ):
                Option.objects.create(
                    question=self, position=position, text=text, is_correct=correct
                )


def api_client(
    name="risk-system",
    scopes=("checks:create", "checks:read", "checks:resolve"),
    webhook_url="",
    rate_limit_per_minute=600,
):
    """A client and its one-time key (the service is the only way keys are made)."""
    return api_client_create(
        name=name,
        scopes=list(scopes),
        webhook_url=webhook_url,
        rate_limit_per_minute=rate_limit_per_minute,
    )
