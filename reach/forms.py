from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from regions.models import Region


class ReachFilterForm(forms.Form):
    """Which area and period to show. Every field is optional; bad values get a message."""

    area = forms.CharField(label=_("Area code"), required=False, max_length=6)
    start = forms.DateField(label=_("From"), required=False)
    end = forms.DateField(label=_("To"), required=False)

    def clean_area(self) -> Region | None:
        code = self.cleaned_data.get("area") or ""
        if not code:
            return None
        region = Region.objects.filter(code=code).first()
        if region is None:
            raise forms.ValidationError(
                _("There is no region with code %(code)s."), params={"code": code}
            )
        return region

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        start: date | None = data.get("start")
        end: date | None = data.get("end")
        if start and end and end < start:
            raise forms.ValidationError(_("The end of the period is before its start."))
        return data
