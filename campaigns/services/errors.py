"""The campaigns app's limits and the domain errors its use cases raise (their problem
types are declared in core/problems.py, by the same codes)."""

from __future__ import annotations

from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _

from core.exceptions import DomainError, InvalidInput

MAX_PHOTOS_PER_LOG = 9
LONG_PAST_DAYS = 60


class NotInCampaign(DomainError):
    """The volunteer is in no team of the campaign."""

    code = "not-in-campaign"


class SessionLogOfAnother(DomainError):
    """The log's client_uuid was already used by another volunteer."""

    code = "session-log-of-another-volunteer"


class NotACounty(DomainError):
    """The region code names no county (``county`` member: the code sent)."""

    code = "not-a-county"

    def __init__(self, county: str) -> None:
        super().__init__(county=county)


class NotYourSessionLog(DomainError):
    """A volunteer acted on someone else's log."""

    code = "permission-denied"


class PhotoRefused(DomainError):
    """The file is not an image we accept (``code`` member: why, from core.images)."""

    code = "photo-refused"

    def __init__(self, message: str | Promise, *, reason: str) -> None:
        super().__init__(message, code=reason)


class SessionLogNotEditable(DomainError):
    """Only a rejected log can be changed and sent again (``log_status`` member: its
    status)."""

    code = "session-log-not-editable"

    def __init__(self, log_status: str) -> None:
        super().__init__(log_status=log_status)


class TooManyPhotos(DomainError):
    code = "too-many-photos"


class ReviewNotAllowed(DomainError):
    """The reviewer is not a coordinator (with the review permission) of the log's campaign."""

    code = "review-not-allowed"


class PlanNotAllowed(DomainError):
    """The planner is neither the volunteer nor a coordinator of the campaign."""

    code = "plan-not-allowed"


class GpsWithoutConsent(InvalidInput):
    """A position was sent without the volunteer's consent to record it."""

    def __init__(self) -> None:
        # Untranslated, as the API has always answered it (clients may match on it).
        super().__init__("gps_consent", "GPS is accepted only with the volunteer's consent.")


class RejectionWithoutReason(InvalidInput):
    """A rejection must tell the volunteer why."""

    def __init__(self) -> None:
        super().__init__("note", _("Give the volunteer a reason for the rejection."))
