"""The one list of audited actions: ``<entity>.<past-tense verb>``.

Every ``audit_log_record`` call names one of these, so the audit log can be searched and
filtered by a closed set of values (the pattern of Zulip's ``RealmAuditLog`` event types).
A new use case that must be audited adds its action here; renaming a value needs a data
migration of the existing rows (see core/migrations/0004_auditlog_action_choices.py)."""

from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditAction(models.TextChoices):
    # accounts
    ROLE_GRANTED = "role.granted", _("role granted")
    ROLE_REVOKED = "role.revoked", _("role revoked")
    USER_CREATED = "user.created", _("user created")
    USER_CHANGED = "user.changed", _("user changed")
    USER_DELETED = "user.deleted", _("user deleted")
    SECOND_FACTOR_ENROLLED = "second_factor.enrolled", _("second factor enrolled")
    SECOND_FACTOR_CHANGED = "second_factor.changed", _("second factor changed")
    SECOND_FACTOR_DELETED = "second_factor.deleted", _("second factor deleted")
    LOCKOUT_CLEARED = "lockout.cleared", _("sign-in lockout cleared")
    # notifications
    SIGN_IN_CODE_USED = "sign_in_code.used", _("signed in by SMS code")
    # quizzes
    API_CLIENT_CREATED = "api_client.created", _("API client created")
    API_CLIENT_CHANGED = "api_client.changed", _("API client changed")
    API_CLIENT_DELETED = "api_client.deleted", _("API client deleted")
    API_CLIENT_FIGURES_EXCLUDED = (
        "api_client.figures_excluded",
        _("API client left out of the figures"),
    )
    API_CLIENT_FIGURES_INCLUDED = (
        "api_client.figures_included",
        _("API client counted in the figures again"),
    )
    WEBHOOK_SECRET_ROTATED = "webhook_secret.rotated", _("webhook secret rotated")
    WEBHOOK_ENDPOINT_DISABLED = "webhook_endpoint.disabled", _("webhook endpoint disabled")
    TRANSFER_CHECK_RESOLVED = "transfer_check.resolved", _("transfer check resolved")
    TRANSFER_CHECK_AMOUNT_CONFIRMED = (
        "transfer_check.amount_confirmed",
        _("transfer check amount confirmed"),
    )
    TRANSFER_CHECK_DELETED = "transfer_check.deleted", _("transfer check deleted")
    ATTEMPT_DELETED = "attempt.deleted", _("quiz attempt deleted")
    # edu
    COURSE_IMPORTED = "course.imported", _("course imported")
    COURSE_PUBLISHED = "course.published", _("course published")
    COURSE_UNPUBLISHED = "course.unpublished", _("course unpublished")
    COURSE_DRAFT_STARTED = "course.draft_started", _("course draft started")
    COURSE_DRAFT_DISCARDED = "course.draft_discarded", _("course draft discarded")
    CERTIFICATE_CHANGED = "certificate.changed", _("certificate changed")
    CERTIFICATE_REVOKED = "certificate.revoked", _("certificate revoked")
    CERTIFICATE_DELETED = "certificate.deleted", _("certificate deleted")
    # a certificate's file served to staff, not its owner (edu/views.py certificate_file)
    CERTIFICATE_DOWNLOADED = "certificate.downloaded", _("certificate downloaded")
    # campaigns
    CAMPAIGN_CREATED = "campaign.created", _("campaign created")
    CAMPAIGN_CHANGED = "campaign.changed", _("campaign changed")
    CAMPAIGN_DELETED = "campaign.deleted", _("campaign deleted")
    CAMPAIGN_COUNTIES_ADDED = "campaign.counties_added", _("campaign counties added")
    CAMPAIGN_GOALS_CHANGED = "campaign.goals_changed", _("campaign goals changed")
    CAMPAIGN_VOLUNTEER_ASSIGNED = "campaign.volunteer_assigned", _("campaign volunteer assigned")
    PLAN_CREATED = "plan.created", _("planned session created")
    PLAN_CHANGED = "plan.changed", _("planned session changed")
    PLAN_DELETED = "plan.deleted", _("planned session deleted")
    SESSION_LOG_CREATED = "session_log.created", _("session log created")
    SESSION_LOG_CHANGED = "session_log.changed", _("session log changed")
    SESSION_LOG_DELETED = "session_log.deleted", _("session log deleted")
    SESSION_LOG_APPROVED = "session_log.approved", _("session log approved")
    SESSION_LOG_REJECTED = "session_log.rejected", _("session log rejected")
    SESSION_LOG_FLAGGED = "session_log.flagged", _("session log flagged")
    SESSION_LOG_RESUBMITTED = "session_log.resubmitted", _("session log resubmitted")
    # private files opened by someone other than their owner (campaigns/file_views.py)
    SESSION_PHOTO_VIEWED = "session_photo.viewed", _("session photo viewed")
    EXPORT_DOWNLOADED = "export.downloaded", _("export downloaded")
