from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = _("Quizzes and transfer checks")

    def ready(self) -> None:
        post_migrate.connect(_seed_codes_after_migrate, sender=self, dispatch_uid="quizzes.codes")


def _seed_codes_after_migrate(sender: AppConfig, **kwargs: object) -> None:
    # The contract's codes are reference data other apps validate against (edu courses):
    # they must exist after every migrate and after a test flush, not only after the first
    # data migration. codes_seed() keeps names editors changed.
    from .codes import codes_seed
    from .models import Audience, ScamType

    codes_seed(ScamType, Audience)
