from typing import Any

from django import forms
from django.contrib import admin
from django.http import HttpRequest
from django.urls import reverse
from django.utils.html import format_html
from django.utils.safestring import SafeString
from django.utils.translation import gettext_lazy as _

from accounts.auth import request_user
from core.admin import AdminAuditActions, AuditedAdminMixin
from core.audit import AuditAction
from regions.models import Region

from .models import Assignment, Campaign, Export, PlannedSession, SessionLog, SessionPhoto, Team
from .services import campaign_counties_add


class CampaignForm(forms.ModelForm[Campaign]):
    add_regions = forms.CharField(
        label=_("Add whole regions"),
        required=False,
        help_text=_(
            "Codes of provinces, prefectures or counties, separated by spaces: all their "
            "counties become targets (e.g. 520000 for all of Guizhou)."
        ),
    )

    class Meta:
        model = Campaign
        fields = [
            "name",
            "description",
            "starts_on",
            "ends_on",
            "goal_sessions",
            "goal_people",
            "target_counties",
            "coordinators",
        ]

    def clean_add_regions(self) -> list[str]:
        codes: list[str] = self.cleaned_data["add_regions"].split()
        unknown = sorted(
            set(codes) - set(Region.objects.filter(code__in=codes).values_list("code", flat=True))
        )
        if unknown:
            raise forms.ValidationError(
                _("Unknown region codes: %(codes)s") % {"codes": " ".join(unknown)}
            )
        return codes


@admin.register(Campaign)
class CampaignAdmin(AuditedAdminMixin, admin.ModelAdmin[Campaign]):
    # Goals, dates and targets are the figures progress is measured against.
    audit_actions = AdminAuditActions(
        created=AuditAction.CAMPAIGN_CREATED,
        changed=AuditAction.CAMPAIGN_CHANGED,
        deleted=AuditAction.CAMPAIGN_DELETED,
    )
    form = CampaignForm
    list_display = ["name", "starts_on", "ends_on", "goal_sessions", "goal_people"]
    search_fields = ["name"]
    autocomplete_fields = ["target_counties"]
    filter_horizontal = ["coordinators"]

    def save_related(
        self, request: HttpRequest, form: CampaignForm, formsets: Any, change: bool
    ) -> None:
        super().save_related(request, form, formsets, change)
        if form.cleaned_data.get("add_regions"):
            campaign_counties_add(
                campaign=form.instance,
                region_codes=form.cleaned_data["add_regions"],
                by=request_user(request),
            )


class AssignmentInline(admin.TabularInline[Assignment, Team]):
    model = Assignment
    extra = 1
    autocomplete_fields = ["county"]
    raw_id_fields = ["volunteer"]


@admin.register(Team)
class TeamAdmin(admin.ModelAdmin[Team]):
    list_display = ["name", "campaign"]
    list_filter = ["campaign"]
    autocomplete_fields = ["counties"]
    inlines = [AssignmentInline]


class SessionPhotoInline(admin.TabularInline[SessionPhoto, SessionLog]):
    model = SessionPhoto
    extra = 0
    # A tuple: the stubs type fields as field groups, readonly_fields as names; both fit it.
    fields = ("client_photo_id", "status", "error", "content_hash", "photo")
    readonly_fields = fields
    can_delete = False

    @admin.display(description=_("image"))
    def photo(self, obj: SessionPhoto) -> SafeString | str:
        # Private files have no media URL: the thumbnail and image come from the checked view.
        if not obj.thumbnail or not obj.image:
            return "-"
        return format_html(
            '<a href="{}"><img src="{}" alt="" width="120" loading="lazy"></a>',
            obj.image_url,
            obj.thumbnail_url,
        )


@admin.register(SessionLog)
class SessionLogAdmin(AuditedAdminMixin, admin.ModelAdmin[SessionLog]):
    # Attendee counts here are the field figures the reach tables add up.
    audit_actions = AdminAuditActions(
        created=AuditAction.SESSION_LOG_CREATED,
        changed=AuditAction.SESSION_LOG_CHANGED,
        deleted=AuditAction.SESSION_LOG_DELETED,
    )
    # Free text may name attendees; GPS is the volunteer's position (docs/privacy.md).
    audit_personal_fields = ["notes", "review_note", "latitude", "longitude"]
    list_display = [
        "held_on",
        "venue_name",
        "county",
        "campaign",
        "volunteer",
        "attendees_total",
        "status",
    ]
    list_filter = ["status", "campaign", "venue_type"]
    search_fields = ["venue_name", "client_uuid"]
    date_hierarchy = "held_on"
    raw_id_fields = ["volunteer", "county", "reviewed_by"]
    readonly_fields = [
        "client_uuid",
        "flags",
        "reviewed_by",
        "reviewed_at",
        "status",
        "review_note",
    ]
    inlines = [SessionPhotoInline]


@admin.register(Export)
class ExportAdmin(admin.ModelAdmin[Export]):
    list_display = ["campaign", "kind", "rows", "created_at", "done_at"]
    fields = ["campaign", "kind", "requested_by", "download", "rows", "done_at"]
    readonly_fields = ["download", "rows", "done_at"]

    @admin.display(description=_("file"))
    def download(self, obj: Export) -> SafeString | str:
        # The file is private: linked through the checked (and audited) download view.
        if not obj.file or obj.done_at is None:
            return "-"
        url = reverse("campaigns:export-download", args=[obj.campaign_id, obj.pk])
        return format_html('<a href="{}">{}</a>', url, (obj.file.name or "").rsplit("/", 1)[-1])


@admin.register(PlannedSession)
class PlannedSessionAdmin(AuditedAdminMixin, admin.ModelAdmin[PlannedSession]):
    """Plans are made on the volunteers' page (the match window is set there); the admin
    shows them and can mark one as not held (audited, as plans count in the figures)."""

    audit_actions = AdminAuditActions(
        changed=AuditAction.PLAN_CHANGED, deleted=AuditAction.PLAN_DELETED
    )

    list_display = ["planned_on", "venue_name", "county", "campaign", "volunteer", "cancelled_at"]
    list_filter = ["campaign"]
    search_fields = ["venue_name"]
    date_hierarchy = "planned_on"
    readonly_fields = [
        "campaign",
        "volunteer",
        "county",
        "planned_on",
        "venue_type",
        "venue_name",
        "expected_audience",
        "planned_by",
    ]

    def has_add_permission(self, request: object) -> bool:
        return False
