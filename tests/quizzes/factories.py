import factory

from quizzes.models import Option, Question, ScamType
from quizzes.services import api_client_create
from regions.models import Level
from tests.campaigns.factories import RegionFactory


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


def contract_regions():
    """The county of the contract's example body (西湖区, Hangzhou) with its parents: the
    create call refuses a county code the regions table does not have."""
    province = RegionFactory(code="330000", name="浙江省", level=Level.PROVINCE)
    city = RegionFactory(code="330100", name="杭州市", level=Level.PREFECTURE, parent=province)
    RegionFactory(code="330106", name="西湖区", level=Level.COUNTY, parent=city)


def api_client(
    name="risk-system",
    scopes=("checks:create", "checks:read", "checks:resolve"),
    webhook_url="",
    rate_limit_per_minute=600,
    return_urls=(),
):
    """A client and its one-time key (the service is the only way keys are made), and the
    county the example body names."""
    contract_regions()
    return api_client_create(
        name=name,
        scopes=list(scopes),
        webhook_url=webhook_url,
        return_urls=list(return_urls),
        rate_limit_per_minute=rate_limit_per_minute,
    )
