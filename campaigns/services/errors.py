"""The campaigns app's limits and the problems its use cases raise."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _

from core.problems import problem_type

MAX_PHOTOS_PER_LOG = 9
LONG_PAST_DAYS = 60

NOT_IN_CAMPAIGN = problem_type(
    "not-in-campaign",
    _("Not a volunteer of this campaign"),
    403,
    _("Only volunteers assigned to a team of the campaign can log sessions for it."),
)
LOG_OF_ANOTHER = problem_type(
    "session-log-of-another-volunteer",
    _("Session log belongs to someone else"),
    409,
    _("This client_uuid was already used by another volunteer; generate a new UUID."),
)
NOT_A_COUNTY = problem_type(
    "not-a-county",
    _("Not a county"),
    400,
    _("The region code must name a county-level division from the regions list."),
)
PHOTO_REFUSED = problem_type(
    "photo-refused",
    _("Photo refused"),
    422,
    _(
        "The file is not an image we accept: not an image, damaged, an unsupported format, "
        "larger than the size limit or with too many pixels. The log itself is kept."
    ),
)
TOO_MANY_PHOTOS = problem_type(
    "too-many-photos",
    _("Too many photos"),
    422,
    _("A session log takes at most 9 photos."),
)
REVIEW_NOT_ALLOWED = problem_type(
    "review-not-allowed",
    _("Not a coordinator of this campaign"),
    403,
    _("Coordinators review the logs of their own campaigns only."),
)
PLAN_NOT_ALLOWED = problem_type(
    "plan-not-allowed",
    _("Not allowed to plan for this volunteer"),
    403,
    _("Volunteers plan their own sessions; coordinators plan for their campaigns' volunteers."),
)
