from django.apps import AppConfig
from django.db.models.signals import post_migrate
from django.utils.translation import gettext_lazy as _


class AccountsConfig(AppConfig):
    name = "accounts"
    verbose_name = _("Accounts and roles")

    def ready(self) -> None:
        post_migrate.connect(_sync_roles_after_migrate, dispatch_uid="accounts.sync_roles")
        # The account's own personal-data sources (profile, consents) register on import.
        from . import data_requests  # noqa: F401


def _sync_roles_after_migrate(sender: AppConfig, **kwargs: object) -> None:
    # Permissions of every app exist once the last app's post_migrate runs; the role
    # definitions themselves live in accounts.roles, applied by roles_sync().
    from django.apps import apps

    with_models = [c for c in apps.get_app_configs() if c.models_module is not None]
    if sender.label != with_models[-1].label:
        return
    from .services import roles_sync

    roles_sync(using=str(kwargs.get("using", "default")))
