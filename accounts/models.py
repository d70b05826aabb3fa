import unicodedata

from django.conf import settings
from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _

from core.fonts import validate_drawable


class User(AbstractUser):
    """An account. Names take any Unicode, rare characters outside the BMP (𠮷) included.

    Roles are groups (see accounts.roles); there are no role booleans on this model."""

    display_name = models.CharField(
        _("name"),
        max_length=100,
        blank=True,
        help_text=_("How we address you and what your certificates show. Any characters."),
        # Refused at input when no installed font draws it: never stored to print as boxes.
        validators=[validate_drawable],
    )
    language = models.CharField(
        _("language"), max_length=10, choices=settings.LANGUAGES, default=settings.LANGUAGE_CODE
    )
    elder_mode = models.BooleanField(
        _("elder mode"), default=False, help_text=_("Larger text and higher contrast.")
    )
    time_zone = models.CharField(_("time zone"), max_length=64, default="Asia/Shanghai")

    class Meta(AbstractUser.Meta):
        swappable = "AUTH_USER_MODEL"
        permissions = [
            ("learn", _("Can take courses and quizzes")),
            ("log_field_sessions", _("Can log field education sessions")),
            ("coordinate_campaigns", _("Can plan and manage campaigns")),
            ("review_field_sessions", _("Can review volunteers' session logs")),
            ("view_reach_statistics", _("Can see reach statistics")),
            ("edit_content", _("Can write and publish courses and questions")),
            ("assign_roles", _("Can give and take roles")),
        ]

    def clean(self) -> None:
        super().clean()
        # NFC only: NFKC would fold CJK compatibility ideographs some names are written with.
        self.display_name = unicodedata.normalize("NFC", self.display_name.strip())

    @property
    def shown_name(self) -> str:
        return self.display_name or self.get_full_name() or self.username

    def __str__(self) -> str:
        return self.shown_name
