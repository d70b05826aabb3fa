"""The reminder preferences form: which kinds, which channels, the weekly summary."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Kind, Preference
from .phones import MOBILE, phone_normalise

# The weekly summary has its own opt-in box; the other kinds are on unless turned off.
KINDS = [k for k in Kind if k != Kind.WEEKLY_SUMMARY]


class PreferenceForm(forms.Form):
    kinds = forms.MultipleChoiceField(
        label=_("Reminders I want"),
        choices=[(k.value, k.label) for k in KINDS],
        widget=forms.CheckboxSelectMultiple,
        required=False,
        help_text=_("You only get the ones that apply to you: a volunteer's, a learner's…"),
    )
    weekly_summary = forms.BooleanField(label=_("A weekly summary of my learning"), required=False)
    email = forms.BooleanField(label=_("By email"), required=False)
    in_app = forms.BooleanField(label=_("On this site (the Notifications link)"), required=False)
    sms = forms.BooleanField(label=_("By text message (SMS)"), required=False)
    phone = forms.CharField(
        label=_("Mobile number for text messages"),
        max_length=20,
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("11 digits, for example 13800000000."),
    )

    @classmethod
    def initial_of(cls, preference: Preference) -> dict[str, Any]:
        muted = set(preference.muted_kinds)
        return {
            "kinds": [k.value for k in KINDS if k.value not in muted],
            "weekly_summary": preference.weekly_summary and Kind.WEEKLY_SUMMARY not in muted,
            "email": preference.email,
            "in_app": preference.in_app,
            "sms": preference.sms,
            "phone": preference.phone,
        }

    def clean_phone(self) -> str:
        phone = phone_normalise(self.cleaned_data.get("phone") or "")
        if phone and not MOBILE.match(phone):
            raise forms.ValidationError(_("Enter an 11-digit mainland mobile number."))
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("sms") and not data.get("phone") and "phone" not in self.errors:
            self.add_error("phone", _("Give a mobile number to receive text messages."))
        return data


class SignInPhoneForm(forms.Form):
    phone = forms.CharField(
        label=_("Mobile number"),
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
        help_text=_("The number in your reminder settings, 11 digits."),
    )

    def clean_phone(self) -> str:
        phone = phone_normalise(self.cleaned_data.get("phone") or "")
        if not MOBILE.match(phone):
            raise forms.ValidationError(_("Enter an 11-digit mainland mobile number."))
        return phone


class SignInCodeForm(forms.Form):
    code = forms.CharField(
        label=_("Code from the text message"),
        min_length=6,
        max_length=6,
        widget=forms.TextInput(
            attrs={"inputmode": "numeric", "autocomplete": "one-time-code", "pattern": "[0-9]*"}
        ),
        help_text=_("6 digits."),
    )
