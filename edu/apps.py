from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class EduConfig(AppConfig):
    name = "edu"
    verbose_name = _("Courses")
