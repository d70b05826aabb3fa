from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CampaignsConfig(AppConfig):
    name = "campaigns"
    verbose_name = _("Campaigns")

    def ready(self) -> None:
        from accounts.data_requests import personal_data_source_register

        from .personal_data import SOURCE

        # A person's copy of their data and its erasure (accounts is the lower layer).
        personal_data_source_register(SOURCE)
