"""Writes of the campaigns app: one function per use case."""

from __future__ import annotations

from .campaigns import (
    campaign_counties_add,
    campaign_create,
    campaign_goals_update,
    counties_under,
    team_assign,
)
from .errors import (
    LONG_PAST_DAYS,
    MAX_PHOTOS_PER_LOG,
    GpsWithoutConsent,
    NotACounty,
    NotInCampaign,
    NotYourSessionLog,
    PhotoRefused,
    PlanNotAllowed,
    RejectionWithoutReason,
    ReviewNotAllowed,
    SessionLogNotEditable,
    SessionLogOfAnother,
    TooManyPhotos,
)
from .files import export_download_record, session_photo_view_record
from .photos import session_photo_attach, session_photo_process
from .plans import PlanInput, planned_session_cancel, planned_session_create
from .resubmission import session_log_resubmit
from .review import coordinator_of, session_log_review, session_logs_approve
from .session_logs import SessionInput, session_log_flags, session_log_sync, volunteer_in_campaign

__all__ = [
    "LONG_PAST_DAYS",
    "MAX_PHOTOS_PER_LOG",
    "GpsWithoutConsent",
    "NotACounty",
    "NotInCampaign",
    "NotYourSessionLog",
    "PhotoRefused",
    "PlanInput",
    "PlanNotAllowed",
    "RejectionWithoutReason",
    "ReviewNotAllowed",
    "SessionInput",
    "SessionLogNotEditable",
    "SessionLogOfAnother",
    "TooManyPhotos",
    "campaign_counties_add",
    "campaign_create",
    "campaign_goals_update",
    "coordinator_of",
    "counties_under",
    "export_download_record",
    "planned_session_cancel",
    "planned_session_create",
    "session_log_flags",
    "session_log_resubmit",
    "session_log_review",
    "session_log_sync",
    "session_logs_approve",
    "session_photo_attach",
    "session_photo_process",
    "session_photo_view_record",
    "team_assign",
    "volunteer_in_campaign",
]
