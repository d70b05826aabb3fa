"""The five roles, as groups of permissions. Views check permissions, never role names.

Each app adds the permissions its role needs here, as "app_label.codename" strings;
``roles_sync()`` makes the groups match this table exactly (run after every migrate).
"""

from django.db import models
from django.utils.translation import gettext_lazy as _


class Role(models.TextChoices):
    LEARNER = "learner", _("Learner")
    VOLUNTEER = "volunteer", _("Field volunteer")
    COORDINATOR = "coordinator", _("Campaign coordinator")
    EDITOR = "editor", _("Content editor")
    STAFF = "staff", _("Staff")


LEARNER_PERMISSIONS = ["accounts.learn"]
VOLUNTEER_PERMISSIONS = [*LEARNER_PERMISSIONS, "accounts.log_field_sessions"]
COORDINATOR_PERMISSIONS = [
    *LEARNER_PERMISSIONS,
    "accounts.coordinate_campaigns",
    "accounts.review_field_sessions",
    "accounts.view_reach_statistics",
    "regions.view_region",
]
EDU_EDITOR_PERMISSIONS = [
    f"edu.{action}_{model}"
    for model in ("course", "module", "lesson", "lessonimage")
    for action in ("view", "add", "change")
]
EDITOR_PERMISSIONS = [
    *LEARNER_PERMISSIONS,
    "accounts.edit_content",
    *EDU_EDITOR_PERMISSIONS,
    "regions.view_region",
    # Question bank (quizzes): edited in the admin.
    *[
        f"quizzes.{action}_{model}"
        for model in ("question", "option", "quiz", "scamtype", "audience")
        for action in ("view", "add", "change", "delete")
    ],
]
STAFF_PERMISSIONS = sorted(
    {
        *COORDINATOR_PERMISSIONS,
        *EDITOR_PERMISSIONS,
        "accounts.assign_roles",
        "accounts.view_user",
        "accounts.change_user",
        "core.view_auditlog",
        "core.view_jobrun",
        "quizzes.view_transfer_check_figures",
        "quizzes.view_apiclient",
        "quizzes.change_apiclient",
        "quizzes.view_transfercheck",
        # Campaigns are set up by staff in the admin; coordinators work on their own
        # campaigns' pages, which check that they coordinate the campaign.
        "campaigns.add_campaign",
        "campaigns.change_campaign",
        "campaigns.view_campaign",
        "campaigns.add_team",
        "campaigns.change_team",
        "campaigns.view_team",
        "campaigns.add_assignment",
        "campaigns.change_assignment",
        "campaigns.delete_assignment",
        "campaigns.view_assignment",
        "campaigns.view_sessionlog",
        "campaigns.view_sessionphoto",
        "campaigns.view_export",
        "edu.view_certificate",
        "edu.revoke_certificate",
        "django_celery_beat.view_periodictask",
        "django_celery_beat.change_periodictask",
        "django_celery_beat.add_periodictask",
    }
)

ROLE_PERMISSIONS: dict[str, list[str]] = {
    Role.LEARNER: LEARNER_PERMISSIONS,
    Role.VOLUNTEER: VOLUNTEER_PERMISSIONS,
    Role.COORDINATOR: COORDINATOR_PERMISSIONS,
    Role.EDITOR: EDITOR_PERMISSIONS,
    Role.STAFF: STAFF_PERMISSIONS,
}

# Roles whose members work in the Django admin (Django requires is_staff for it).
ADMIN_ROLES = {Role.EDITOR, Role.STAFF}

# The order of the roles, lowest first. A member of the staff may grant and revoke only roles
# up to the highest they hold, and may change only users whose roles are all that high or
# lower (accounts.services.role_grant_allowed, user_change_allowed); a superuser, anything.
ROLE_ORDER: list[Role] = [Role.LEARNER, Role.VOLUNTEER, Role.COORDINATOR, Role.EDITOR, Role.STAFF]


def role_rank(role: Role | str) -> int:
    """The place of ``role`` in ``ROLE_ORDER`` (0 for learners)."""
    return ROLE_ORDER.index(Role(role))
