import unicodedata
from typing import Any

from django import forms
from django.contrib.auth import forms as auth_forms
from django.contrib.auth import password_validation
from django.contrib.auth.forms import UserChangeForm, UsernameField
from django.contrib.auth.models import Group
from django.db.models import Q
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from core.fonts import validate_drawable

from .models import User
from .roles import ROLE_ORDER, Role, role_rank
from .services import role_grant_allowed, user_roles
from .signin import password_confirmed


class SignupForm(forms.Form):
    username = UsernameField(
        label=_("User name"),
        max_length=150,
        help_text=_("For signing in. Letters, digits and @ . + - _ ; Chinese is fine."),
        widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}),
    )
    display_name = forms.CharField(
        label=_("Your name"),
        max_length=100,
        required=False,
        help_text=_("As it should appear on your certificates. Any characters, rare ones too."),
        widget=forms.TextInput(attrs={"autocomplete": "name"}),
    )
    email = forms.EmailField(
        label=_("E-mail"),
        required=False,
        help_text=_("Only for setting a new password if you forget yours."),
        widget=forms.EmailInput(attrs={"autocomplete": "email"}),
    )
    password1 = forms.CharField(
        label=_("Password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
        help_text=_("At least 8 characters, not only digits, not a common password."),
    )
    password2 = forms.CharField(
        label=_("Password again"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}),
    )
    accept_notice = forms.BooleanField(
        label=_("I have read the privacy notice and agree to it"),
        error_messages={"required": _("Please read the privacy notice and tick the box.")},
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["display_name"].char_picker = True  # type: ignore[attr-defined]

    def clean_username(self) -> str:
        username: str = self.cleaned_data["username"]
        if User.objects.filter(username__iexact=username).exists():
            raise forms.ValidationError(_("This user name is taken. Please choose another."))
        # A certificate shows the user name when no name is given.
        validate_drawable(username)
        return username

    def clean_display_name(self) -> str:
        name = unicodedata.normalize("NFC", self.cleaned_data["display_name"].strip())
        validate_drawable(name)
        return name

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        p1, p2 = cleaned.get("password1"), cleaned.get("password2")
        if p1 and p2 and p1 != p2:
            self.add_error("password2", _("The two passwords differ."))
        elif p1:
            candidate = User(
                username=cleaned.get("username", ""), display_name=cleaned.get("display_name", "")
            )
            try:
                password_validation.validate_password(p1, candidate)
            except forms.ValidationError as error:
                self.add_error("password1", error)
        return cleaned


class ProfileForm(forms.ModelForm[User]):
    class Meta:
        model = User
        fields = ["display_name", "email", "language", "elder_mode"]
        labels = {"display_name": _("Your name"), "email": _("E-mail")}
        help_texts = {"email": _("Only for setting a new password if you forget yours.")}

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["display_name"].char_picker = True  # type: ignore[attr-defined]

    def clean_display_name(self) -> str:
        return unicodedata.normalize("NFC", self.cleaned_data["display_name"].strip())


class SecondFactorForm(forms.Form):
    token = forms.CharField(
        label=_("Six-digit code from your authenticator app"),
        max_length=8,
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "pattern": "[0-9 ]*"}
        ),
    )


class UserAdminForm(UserChangeForm[User]):
    """The admin's user form. Roles are a multiple choice, granted and revoked by the admin
    through ``accounts.services`` (audited there); each role added or taken away must pass
    ``role_grant_allowed`` for the user editing (``actor``, set by the admin per request).
    The groups widget, shown to superusers only, lists the groups that are not roles."""

    roles = forms.MultipleChoiceField(
        label=_("Roles"),
        choices=Role.choices,
        required=False,
        widget=forms.CheckboxSelectMultiple,
        help_text=_("You may grant and take away only roles up to your own."),
    )

    actor: Any = None

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.roles_before = [str(role) for role in user_roles(self.instance)]
        self.initial["roles"] = self.roles_before
        groups = self.fields.get("groups")
        if isinstance(groups, forms.ModelMultipleChoiceField):
            groups.queryset = Group.objects.exclude(name__in=list(Role))
            held = [getattr(group, "pk", group) for group in self.initial.get("groups", [])]
            self.initial["groups"] = list(groups.queryset.filter(pk__in=held))
            groups.help_text = _("Groups other than roles; roles are set above.")

    def clean_roles(self) -> list[str]:
        wanted = set(self.cleaned_data["roles"])
        changed = wanted ^ set(self.roles_before)
        refused = [
            role
            for role in ROLE_ORDER
            if str(role) in changed and not role_grant_allowed(by=self.actor, role=role)
        ]
        if refused:
            raise forms.ValidationError(
                _("You may not grant or take away these roles: %(roles)s."),
                code="role_above_yours",
                params={"roles": ", ".join(str(role.label) for role in refused)},
            )
        return sorted(wanted, key=role_rank)

    def clean_groups(self) -> Any:
        # The roles the user holds stay: only the roles field changes them.
        chosen = self.cleaned_data["groups"]
        held = self.instance.groups.filter(name__in=list(Role)) if self.instance.pk else []
        return Group.objects.filter(Q(pk__in=chosen) | Q(pk__in=held))

    @property
    def roles_added(self) -> list[Role]:
        roles = set(self.cleaned_data.get("roles", self.roles_before))
        return [role for role in ROLE_ORDER if str(role) in roles - set(self.roles_before)]

    @property
    def roles_removed(self) -> list[Role]:
        roles = set(self.cleaned_data.get("roles", self.roles_before))
        return [role for role in ROLE_ORDER if str(role) in set(self.roles_before) - roles]


class PrivacyChoicesForm(forms.Form):
    """The optional uses of the privacy notice, each its own choice."""

    sms_reminders = forms.BooleanField(
        label=_("Use my mobile number for reminders by text message"),
        required=False,
        help_text=_("You enter or remove the number on the reminders page."),
    )
    weekly_summary = forms.BooleanField(
        label=_("Send me a weekly summary of my learning"), required=False
    )
    gps_on_logs = forms.BooleanField(
        label=_("Add my location (GPS) to the sessions I log"),
        required=False,
        help_text=_("For volunteers. Each log form still lets you leave it out."),
    )

    def __init__(self, *args: Any, volunteer: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not volunteer:
            del self.fields["gps_on_logs"]


class AccountDeleteForm(forms.Form):
    password = forms.CharField(
        label=_("Your password"),
        strip=False,
        widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
    )

    def __init__(self, *args: Any, user: User, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.user = user
        self.request = request

    def clean_password(self) -> str:
        password: str = self.cleaned_data["password"]
        if not password_confirmed(self.request, self.user, password):
            raise forms.ValidationError(_("That is not your password."))
        return password


class PasswordChangeForm(auth_forms.PasswordChangeForm):
    """Django's form, with the old password checked through django-axes like a sign-in."""

    def __init__(self, user: Any, *args: Any, request: HttpRequest, **kwargs: Any) -> None:
        super().__init__(user, *args, **kwargs)
        self.request = request

    def clean_old_password(self) -> str:
        old_password: str = self.cleaned_data["old_password"]
        if not password_confirmed(self.request, self.user, old_password):
            raise forms.ValidationError(
                self.error_messages["password_incorrect"], code="password_incorrect"
            )
        return old_password
