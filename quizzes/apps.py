from django.apps import AppConfig
from django.db.models.signals import m2m_changed, post_delete, post_migrate, post_save
from django.utils.translation import gettext_lazy as _


class QuizzesConfig(AppConfig):
    name = "quizzes"
    verbose_name = _("Quizzes and transfer checks")

    def ready(self) -> None:
        from accounts.data_requests import personal_data_source_register

        from .personal_data import SOURCE

        # A person's copy of their data and its erasure (accounts is the lower layer).
        personal_data_source_register(SOURCE)

        post_migrate.connect(_seed_codes_after_migrate, sender=self, dispatch_uid="quizzes.codes")
        from .models import ApiClient

        for signal in (post_save, post_delete):
            signal.connect(_forget_api_clients, sender=ApiClient, dispatch_uid="quizzes.clients")

        # An edit of the bank in this process shows in the next quiz drawn (bank_memo.py).
        from .bank_memo import bank_memo_forget
        from .models import Audience, Option, Question, ScamType

        for model in (Question, Option, ScamType, Audience):
            for signal in (post_save, post_delete):
                signal.connect(
                    bank_memo_forget, sender=model, dispatch_uid=f"quizzes.bank.{model.__name__}"
                )
        m2m_changed.connect(
            bank_memo_forget,
            sender=Question.audiences.through,
            dispatch_uid="quizzes.bank.audiences",
        )


def _forget_api_clients(sender: type, **kwargs: object) -> None:
    # A client changed (deactivated, scopes, limit): this process forgets the clients it
    # remembered at once; other processes within API_CLIENT_CACHE_SECONDS.
    from .services import api_clients_forget

    api_clients_forget()


def _seed_codes_after_migrate(sender: AppConfig, **kwargs: object) -> None:
    # The contract's codes are reference data other apps validate against (edu courses):
    # they must exist after every migrate and after a test flush, not only after the first
    # data migration. codes_seed() keeps names editors changed.
    from .codes import codes_seed
    from .models import Audience, ScamType

    codes_seed(ScamType, Audience)
