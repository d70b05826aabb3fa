"""County campaigns: who goes where, what they logged, what a coordinator decided."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from core.storage import private_storage

AUDIENCES = ("elderly", "students", "farmers", "women", "other")
# The attendee groups do not overlap: each person is counted once, in the first group
# that fits, in this order (an elderly farmer is counted as elderly, a schoolgirl as a
# student), so the groups add up to the attendees.
AUDIENCE_LABELS = {
    "elderly": _("Aged 60 or over"),
    "students": _("Students"),
    "farmers": _("Other farmers"),
    "women": _("Other women"),
    "other": _("Everyone else"),
}


class Campaign(models.Model):
    """A drive over target counties with goals, run by its coordinators."""

    name = models.CharField(_("name"), max_length=120)
    description = models.TextField(_("description"), blank=True)
    starts_on = models.DateField(_("starts on"))
    ends_on = models.DateField(_("ends on"))
    goal_sessions = models.PositiveIntegerField(_("goal: sessions"), default=0)
    goal_people = models.PositiveIntegerField(_("goal: people reached"), default=0)
    target_counties = models.ManyToManyField(
        "regions.Region",
        verbose_name=_("target counties"),
        related_name="campaigns",
        limit_choices_to={"level": "county"},
        blank=True,
    )
    coordinators = models.ManyToManyField(
        settings.AUTH_USER_MODEL,
        verbose_name=_("coordinators"),
        related_name="coordinated_campaigns",
        blank=True,
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("campaign")
        verbose_name_plural = _("campaigns")
        ordering = ["-starts_on", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(ends_on__gte=models.F("starts_on")),
                name="campaign_ends_after_it_starts",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Team(models.Model):
    """A group of volunteers of one campaign, working in some of its counties."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="teams"
    )
    name = models.CharField(_("name"), max_length=120)
    counties = models.ManyToManyField(
        "regions.Region",
        verbose_name=_("counties"),
        related_name="+",
        limit_choices_to={"level": "county"},
        blank=True,
    )

    class Meta:
        verbose_name = _("team")
        verbose_name_plural = _("teams")
        ordering = ["campaign", "name"]
        constraints = [
            models.UniqueConstraint(fields=["campaign", "name"], name="team_name_unique")
        ]

    def __str__(self) -> str:
        return self.name


class Assignment(models.Model):
    """A volunteer in a team, with the county their form defaults to."""

    team = models.ForeignKey(
        Team, verbose_name=_("team"), on_delete=models.CASCADE, related_name="assignments"
    )
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("volunteer"),
        on_delete=models.CASCADE,
        related_name="campaign_assignments",
    )
    county = models.ForeignKey(
        "regions.Region",
        verbose_name=_("county"),
        on_delete=models.PROTECT,
        related_name="+",
        limit_choices_to={"level": "county"},
        null=True,
        blank=True,
    )

    class Meta:
        verbose_name = _("assignment")
        verbose_name_plural = _("assignments")
        constraints = [
            models.UniqueConstraint(fields=["team", "volunteer"], name="assignment_unique")
        ]

    def __str__(self) -> str:
        return f"{self.volunteer} · {self.team}"


class VenueType(models.TextChoices):
    VILLAGE_COMMITTEE = "village_committee", _("Village committee")
    SCHOOL = "school", _("School")
    MARKET = "market", _("Market")
    NURSING_HOME = "nursing_home", _("Nursing home")
    COMMUNITY_CENTRE = "community_centre", _("Community centre")
    OTHER = "other", _("Other")


# The usual largest audience of each venue type; attendees far above it are flagged.
VENUE_USUAL_SIZE = {
    VenueType.VILLAGE_COMMITTEE: 120,
    VenueType.SCHOOL: 600,
    VenueType.MARKET: 300,
    VenueType.NURSING_HOME: 80,
    VenueType.COMMUNITY_CENTRE: 150,
    VenueType.OTHER: 200,
}


class Status(models.TextChoices):
    PENDING = "pending", _("Waiting for review")
    APPROVED = "approved", _("Approved")
    REJECTED = "rejected", _("Rejected")
    FLAGGED = "flagged", _("Flagged for follow-up")


class Flag(models.TextChoices):
    """Likely mistakes found automatically; a coordinator decides."""

    TOO_MANY_ATTENDEES = "too_many_attendees", _("Attendees far above the venue's usual size")
    DATE_IN_FUTURE = "date_in_future", _("Date in the future")
    DATE_LONG_PAST = "date_long_past", _("Date long past")
    COUNTY_OUTSIDE_CAMPAIGN = "county_outside_campaign", _("County outside the campaign")
    DUPLICATE_PHOTO = "duplicate_photo", _("Photo also used in another session")
    SAME_VENUE_AND_DAY = "same_venue_and_day", _("Another log of the same venue and day")


class SessionLog(models.Model):
    """One education session a volunteer held. ``client_uuid`` is made by the phone, so
    sending the same log again finds this row instead of making another."""

    client_uuid = models.UUIDField(_("client UUID"), unique=True, default=uuid.uuid4)
    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.PROTECT, related_name="sessions"
    )
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("volunteer"),
        on_delete=models.PROTECT,
        related_name="session_logs",
    )
    county = models.ForeignKey(
        "regions.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    held_on = models.DateField(_("date"))
    venue_type = models.CharField(_("venue type"), max_length=20, choices=VenueType.choices)
    venue_name = models.CharField(_("venue name"), max_length=120)
    attendees_elderly = models.PositiveIntegerField(AUDIENCE_LABELS["elderly"], default=0)
    attendees_students = models.PositiveIntegerField(AUDIENCE_LABELS["students"], default=0)
    attendees_farmers = models.PositiveIntegerField(AUDIENCE_LABELS["farmers"], default=0)
    attendees_women = models.PositiveIntegerField(AUDIENCE_LABELS["women"], default=0)
    attendees_other = models.PositiveIntegerField(AUDIENCE_LABELS["other"], default=0)
    # Sum of the above, stored so the database can total and group it.
    attendees_total = models.PositiveIntegerField(_("attendees"), default=0, editable=False)
    topics = models.CharField(_("topics or courses used"), max_length=300, blank=True)
    notes = models.TextField(_("notes"), blank=True, max_length=2000)
    gps_consent = models.BooleanField(_("GPS shared with consent"), default=False)
    latitude = models.DecimalField(
        _("latitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-90), MaxValueValidator(90)],
    )
    longitude = models.DecimalField(
        _("longitude"),
        max_digits=9,
        decimal_places=6,
        null=True,
        blank=True,
        validators=[MinValueValidator(-180), MaxValueValidator(180)],
    )
    status = models.CharField(
        _("status"), max_length=10, choices=Status.choices, default=Status.PENDING, db_index=True
    )
    flags = models.JSONField(_("automatic flags"), default=list, blank=True)
    review_note = models.TextField(_("reason or note"), blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("reviewed by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    reviewed_at = models.DateTimeField(_("reviewed at"), null=True, blank=True)
    # A rejected log the volunteer corrected and sent again: when, and the phone's id of
    # that edit, so a resent edit changes nothing a second time.
    resubmitted_at = models.DateTimeField(_("resubmitted at"), null=True, blank=True)
    revision_uuid = models.UUIDField(_("client id of the last edit"), null=True, blank=True)
    created_at = models.DateTimeField(_("received at"), auto_now_add=True)
    # Read by reach statistics: an edit in the admin must reach the summary tables.
    updated_at = models.DateTimeField(_("changed at"), auto_now=True, db_index=True)

    class Meta:
        verbose_name = _("session log")
        verbose_name_plural = _("session logs")
        ordering = ["-held_on", "-id"]
        indexes = [
            models.Index(fields=["campaign", "status", "held_on"]),
            models.Index(fields=["campaign", "county", "held_on"]),
        ]
        constraints = [
            # GPS is stored only with the volunteer's explicit consent.
            models.CheckConstraint(
                condition=models.Q(gps_consent=True)
                | models.Q(latitude__isnull=True, longitude__isnull=True),
                name="session_gps_only_with_consent",
            )
        ]

    def __str__(self) -> str:
        return f"{self.held_on} {self.venue_name}"

    @property
    def attendee_breakdown(self) -> list[tuple[str, int]]:
        """(label, count) of each attendee group, in the order people are counted."""
        return [(str(AUDIENCE_LABELS[a]), getattr(self, f"attendees_{a}")) for a in AUDIENCES]

    @property
    def flag_labels(self) -> list[str]:
        return [str(Flag(code).label) for code in self.flags if code in Flag.values]


class PhotoStatus(models.TextChoices):
    PROCESSING = "processing", _("Processing")
    READY = "ready", _("Ready")
    FAILED = "failed", _("Refused")


def _upload_to(instance: SessionPhoto, filename: str) -> str:
    return f"campaigns/uploads/{instance.log.client_uuid}/{uuid.uuid4().hex}"


class SessionPhoto(models.Model):
    """A photo of a session. Attached once per (log, client photo id) and per (log, content
    hash), so a retried upload never doubles it. Sign-in sheets and faces are personal data:
    every file of a photo is in the private storage and reaches a browser only through
    ``campaigns:photo-file``, which checks who asks."""

    log = models.ForeignKey(
        SessionLog, verbose_name=_("session"), on_delete=models.CASCADE, related_name="photos"
    )
    client_photo_id = models.CharField(_("client photo id"), max_length=64)
    content_hash = models.CharField(_("content hash (SHA-256)"), max_length=64, db_index=True)
    upload = models.FileField(
        _("upload as received"), upload_to=_upload_to, storage=private_storage, blank=True
    )
    # Written by the processing under names of their own (not through upload_to).
    image = models.FileField(_("image"), max_length=255, storage=private_storage, blank=True)
    thumbnail = models.FileField(
        _("thumbnail"), max_length=255, storage=private_storage, blank=True
    )
    width = models.PositiveIntegerField(null=True, blank=True)
    height = models.PositiveIntegerField(null=True, blank=True)
    status = models.CharField(
        _("status"), max_length=10, choices=PhotoStatus.choices, default=PhotoStatus.PROCESSING
    )
    error = models.CharField(_("error"), max_length=200, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("session photo")
        verbose_name_plural = _("session photos")
        ordering = ["log", "id"]
        constraints = [
            models.UniqueConstraint(
                fields=["log", "client_photo_id"], name="photo_once_per_client_id"
            ),
            models.UniqueConstraint(fields=["log", "content_hash"], name="photo_once_per_content"),
        ]

    def __str__(self) -> str:
        return f"{self.log_id}/{self.client_photo_id}"

    @property
    def image_url(self) -> str:
        """The checked view's URL of the re-encoded image (keyed by id, never the path)."""
        return reverse("campaigns:photo-file", args=[self.pk, "image"]) if self.image else ""

    @property
    def thumbnail_url(self) -> str:
        if not self.thumbnail:
            return ""
        return reverse("campaigns:photo-file", args=[self.pk, "thumbnail"])


class Export(models.Model):
    """A file built by Celery for a large campaign. It lists volunteers' names, so it is kept
    in the private storage and served only by ``campaigns:export-download``."""

    class Kind(models.TextChoices):
        SESSIONS_CSV = "sessions_csv", _("Sessions, CSV")
        SESSIONS_XLSX = "sessions_xlsx", _("Sessions, XLSX")
        COUNTIES_CSV = "counties_csv", _("County figures, CSV")
        COUNTIES_XLSX = "counties_xlsx", _("County figures, XLSX")

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="exports"
    )
    kind = models.CharField(_("kind"), max_length=20, choices=Kind.choices)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    file = models.FileField(_("file"), max_length=255, storage=private_storage, blank=True)
    rows = models.PositiveIntegerField(default=0)
    done_at = models.DateTimeField(null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("export")
        verbose_name_plural = _("exports")
        ordering = ["-created_at"]

    def __str__(self) -> str:
        return f"{self.campaign} {self.kind}"


class PlannedSession(models.Model):
    """A session a volunteer means to hold, planned by the volunteer or a coordinator of the
    campaign. It counts as logged when the volunteer sends a log of the same campaign and
    county dated within a day of the plan (``PLAN_MATCH_DAYS``); a plan whose date has
    passed without such a log brings the volunteer a reminder, until they log it or mark it
    as not held."""

    campaign = models.ForeignKey(
        Campaign, verbose_name=_("campaign"), on_delete=models.CASCADE, related_name="plans"
    )
    volunteer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("volunteer"),
        on_delete=models.CASCADE,
        related_name="planned_sessions",
    )
    county = models.ForeignKey(
        "regions.Region", verbose_name=_("county"), on_delete=models.PROTECT, related_name="+"
    )
    planned_on = models.DateField(_("planned date"))
    # The dates a matching log may carry (planned_on ± PLAN_MATCH_DAYS), stored so the
    # match is a plain comparison on every database.
    match_from = models.DateField(editable=False)
    match_until = models.DateField(editable=False)
    venue_type = models.CharField(_("venue type"), max_length=20, choices=VenueType.choices)
    venue_name = models.CharField(_("venue name"), max_length=120)
    expected_audience = models.PositiveIntegerField(_("expected audience"), default=0)
    planned_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name=_("planned by"),
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
    )
    cancelled_at = models.DateTimeField(_("marked as not held"), null=True, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("planned session")
        verbose_name_plural = _("planned sessions")
        ordering = ["planned_on", "id"]
        indexes = [models.Index(fields=["planned_on", "cancelled_at"])]

    def __str__(self) -> str:
        return f"{self.planned_on} {self.venue_name}"


# A log matches a plan when it is dated within this many days of it (same volunteer,
# campaign and county): sessions move by a day for the weather or a market day.
PLAN_MATCH_DAYS = 1
