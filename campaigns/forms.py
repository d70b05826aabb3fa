from __future__ import annotations

from datetime import date, timedelta
from typing import Any, cast

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from .models import AUDIENCE_LABELS, AUDIENCES, SessionLog, Status, VenueType
from .pickers import regions_from_text, volunteer_from_text
from .selectors import VolunteerCampaign


class CountySelect(forms.Select):
    """The county list, each county naming the campaigns it may be logged for
    (``data-campaigns``), so the page shows only the chosen campaign's counties."""

    campaigns_of: dict[str, list[int]]

    def create_option(self, *args: Any, **kwargs: Any) -> dict[str, Any]:
        option = super().create_option(*args, **kwargs)
        campaigns = getattr(self, "campaigns_of", {}).get(str(option["value"]), [])
        option["attrs"]["data-campaigns"] = " ".join(str(pk) for pk in campaigns)
        return option


def _county_of_campaign_check(form: forms.Form, data: dict[str, Any]) -> None:
    """The county must be one of the chosen campaign's (the list the page shows)."""
    campaign, county = data.get("campaign"), data.get("county")
    campaigns_of: dict[str, list[int]] = getattr(form, "campaigns_of", {})
    if campaign and county and campaign not in campaigns_of.get(county, []):
        form.add_error("county", _("Choose a county or district of the chosen campaign."))


class SessionLogForm(forms.Form):
    """The under-a-minute form. The same fields are sent by the offline queue as JSON."""

    campaign = forms.TypedChoiceField(label=_("Campaign"), coerce=int)
    county = forms.ChoiceField(label=_("County or district"), widget=CountySelect)
    held_on = forms.DateField(
        label=_("Date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
        initial=timezone.localdate,
    )
    venue_type = forms.ChoiceField(label=_("Venue type"), choices=VenueType.choices)
    venue_name = forms.CharField(
        label=_("Venue name"), max_length=120, help_text=_("For example: 西江村村委会")
    )
    topics = forms.CharField(
        label=_("Topics or courses used"),
        max_length=300,
        required=False,
        help_text=_("For example: pension scams, the 96110 hotline"),
    )
    notes = forms.CharField(
        label=_("Notes"), max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3})
    )
    gps_consent = forms.BooleanField(
        label=_("Add my current location (GPS) to this log"),
        required=False,
        help_text=_("Only with your consent; photos never carry their location."),
    )
    latitude = forms.DecimalField(
        required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput
    )
    longitude = forms.DecimalField(
        required=False, max_digits=9, decimal_places=6, widget=forms.HiddenInput
    )

    def __init__(self, *args: object, campaigns: list[VolunteerCampaign], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        self.campaigns = campaigns
        # The fields declared above: a TypedChoiceField and a ChoiceField.
        campaign_field = cast(forms.ChoiceField, self.fields["campaign"])
        campaign_field.choices = [(c.campaign.pk, c.campaign.name) for c in campaigns]
        counties = {}
        campaigns_of: dict[str, list[int]] = {}
        for entry in campaigns:
            for county in entry.counties:
                parent = county.parent.name if county.parent_id and county.parent else ""
                counties[county.code] = f"{county.name}（{parent}）" if parent else county.name
                campaigns_of.setdefault(county.code, []).append(entry.campaign.pk)
        self.campaigns_of = campaigns_of
        county_field = cast(forms.ChoiceField, self.fields["county"])
        county_field.choices = sorted(counties.items())
        cast(CountySelect, county_field.widget).campaigns_of = campaigns_of
        if campaigns:
            self.fields["campaign"].initial = campaigns[0].campaign.pk
            default = campaigns[0].default_county
            if default is not None:
                self.fields["county"].initial = default.code
        for audience in AUDIENCES:
            self.fields[f"attendees_{audience}"] = forms.IntegerField(
                label=AUDIENCE_LABELS[audience],
                min_value=0,
                max_value=100_000,
                initial=0,
                widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
            )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _county_of_campaign_check(self, data)
        return data

    @property
    def attendee_fields(self) -> list[forms.BoundField]:
        return [self[f"attendees_{a}"] for a in AUDIENCES]

    @property
    def main_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in ("campaign", "county", "held_on", "venue_type", "venue_name")]

    @property
    def detail_fields(self) -> list[forms.BoundField]:
        return [self[n] for n in ("topics", "notes")]


class PlannedSessionForm(forms.Form):
    """A session a volunteer means to hold. Same campaign and county choices as the log."""

    campaign = forms.TypedChoiceField(label=_("Campaign"), coerce=int)
    county = forms.ChoiceField(label=_("County or district"), widget=CountySelect)
    planned_on = forms.DateField(
        label=_("Planned date"),
        widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
    )
    venue_type = forms.ChoiceField(label=_("Venue type"), choices=VenueType.choices)
    venue_name = forms.CharField(
        label=_("Venue name"), max_length=120, help_text=_("For example: 西江村村委会")
    )
    expected_audience = forms.IntegerField(
        label=_("Expected audience"),
        min_value=0,
        max_value=100_000,
        initial=0,
        widget=forms.NumberInput(attrs={"inputmode": "numeric", "min": 0}),
    )

    def __init__(self, *args: object, campaigns: list[VolunteerCampaign], **kwargs: object):
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        log_form = SessionLogForm(campaigns=campaigns)
        for name in ("campaign", "county"):
            self.fields[name].choices = log_form.fields[name].choices  # type: ignore[attr-defined]
            self.fields[name].initial = log_form.fields[name].initial
        self.campaigns_of = log_form.campaigns_of
        cast(CountySelect, self.fields["county"].widget).campaigns_of = self.campaigns_of

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _county_of_campaign_check(self, data)
        return data

    def clean_planned_on(self) -> date:
        day: date = self.cleaned_data["planned_on"]
        today = timezone.localdate()
        if day < today - timedelta(days=7):
            raise forms.ValidationError(_("Choose a date from a week ago onwards."))
        if day > today + timedelta(days=365):
            raise forms.ValidationError(_("Choose a date within the coming year."))
        return day


class SessionLogEditForm(SessionLogForm):
    """A rejected log, corrected: the log form filled with it, the photos to take off, and
    the id of this edit (made when the page is served, so sending the page twice changes
    the log once)."""

    revision = forms.UUIDField(widget=forms.HiddenInput)
    remove_photos = forms.MultipleChoiceField(
        label=_("Take these photos off"), required=False, widget=forms.CheckboxSelectMultiple
    )

    def __init__(self, *args: Any, log: SessionLog, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        cast(forms.MultipleChoiceField, self.fields["remove_photos"]).choices = [
            (p.client_photo_id, p.client_photo_id) for p in log.photos.all()
        ]


def session_log_initial(log: SessionLog) -> dict[str, Any]:
    """A stored log as the form's initial values."""
    initial: dict[str, Any] = {
        "campaign": log.campaign_id,
        "county": log.county_id,
        "held_on": log.held_on,
        "venue_type": log.venue_type,
        "venue_name": log.venue_name,
        "topics": log.topics,
        "notes": log.notes,
        "gps_consent": log.gps_consent,
        "latitude": log.latitude,
        "longitude": log.longitude,
    }
    for audience in AUDIENCES:
        initial[f"attendees_{audience}"] = getattr(log, f"attendees_{audience}")
    return initial


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(
        choices=[
            (Status.APPROVED, _("Approve")),
            (Status.REJECTED, _("Reject")),
            (Status.FLAGGED, _("Flag for follow-up")),
        ]
    )
    note = forms.CharField(label=_("Reason or note"), required=False, max_length=1000)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == Status.REJECTED and not data.get("note", "").strip():
            self.add_error("note", _("Give the volunteer a reason for the rejection."))
        return data


def log_status_class(log: SessionLog) -> str:
    return f"status-{log.status}"


class RegionsAddForm(forms.Form):
    codes = forms.CharField(
        label=_("Regions to add"),
        max_length=500,
        help_text=_(
            "Search by name and choose, or type codes or names separated by spaces: all the "
            "counties and districts of a province or prefecture become targets (e.g. 贵州省 "
            "or 520000 for all of Guizhou, 522600 for Qiandongnan)."
        ),
        widget=forms.TextInput(attrs={"data-picker": "regions", "data-picker-multi": ""}),
    )

    def clean_codes(self) -> list[str]:
        return [r.code for r in regions_from_text(self.cleaned_data["codes"])]


class GoalsForm(forms.Form):
    goal_sessions = forms.IntegerField(label=_("Goal: sessions"), min_value=0, max_value=10**7)
    goal_people = forms.IntegerField(label=_("Goal: people reached"), min_value=0, max_value=10**9)


def _volunteer_field() -> forms.CharField:
    return forms.CharField(
        label=_("Volunteer"),
        max_length=200,
        help_text=_("Type a name or user name and choose from the list."),
        widget=forms.TextInput(attrs={"data-picker": "volunteers", "autocomplete": "off"}),
    )


def _county_field(help_text: Any) -> forms.CharField:
    return forms.CharField(
        label=_("County or district"),
        max_length=120,
        help_text=help_text,
        widget=forms.TextInput(attrs={"data-picker": "counties", "autocomplete": "off"}),
    )


def _one_county(form: forms.Form, data: dict[str, Any]) -> None:
    """The county field's text as one county: ``county`` its code, ``county_region`` it."""
    if "county" not in data:
        return
    try:
        found = regions_from_text(data["county"], counties_only=True)
    except forms.ValidationError as error:
        form.add_error("county", error)
        return
    if len(found) != 1:
        form.add_error("county", _("Choose one county or district."))
        return
    data["county"], data["county_region"] = found[0].code, found[0]


def _the_volunteer(form: forms.Form, data: dict[str, Any]) -> None:
    if "username" not in data:
        return
    try:
        data["volunteer"] = volunteer_from_text(data["username"])
    except forms.ValidationError as error:
        form.add_error("username", error)


class AssignForm(forms.Form):
    username = _volunteer_field()
    team_name = forms.CharField(label=_("Team"), max_length=120)
    county = _county_field(
        _("The county or district their form defaults to: type its name (e.g. 雷山县) or code.")
    )

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _the_volunteer(self, data)
        _one_county(self, data)
        return data


class CoordinatorPlanForm(forms.Form):
    """A coordinator plans a session for one of the campaign's volunteers."""

    username = _volunteer_field()
    county = _county_field(_("Type its name (e.g. 雷山县) or code and choose from the list."))
    planned_on = PlannedSessionForm.base_fields["planned_on"]
    venue_type = PlannedSessionForm.base_fields["venue_type"]
    venue_name = PlannedSessionForm.base_fields["venue_name"]
    expected_audience = PlannedSessionForm.base_fields["expected_audience"]
    clean_planned_on = PlannedSessionForm.clean_planned_on

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        _the_volunteer(self, data)
        _one_county(self, data)
        return data
