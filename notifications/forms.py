"""The reminder preferences form: which kinds, which channels, the weekly summary."""

from __future__ import annotations

import re
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from .models import Kind, Preference

MOBILE = re.compile(r"^1[3-9]\d{9}$")
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
        phone = re.sub(r"[\s-]", "", self.cleaned_data.get("phone") or "")
        if phone.startswith("+86"):
            phone = phone[3:]
        if phone and not MOBILE.match(phone):
            raise forms.ValidationError(_("Enter an 11-digit mainland mobile number."))
        return phone

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("sms") and not data.get("phone") and "phone" not in self.errors:
            self.add_error("phone", _("Give a mobile number to receive text messages."))
        return data
