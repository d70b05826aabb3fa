"""Settings of personal information (PIPL): the notice, retention periods, log masking.
Read by config/settings/base.py; the rules are in docs/privacy.md."""

from .env import env_bool, env_int

# --- Personal information (PIPL; docs/privacy.md) --------------------------------------------
# A signed-in person accepts the current privacy notice before other pages
# (accounts.middleware.PrivacyNoticeMiddleware); the test profile turns it off for the tests
# of other features, and the privacy tests turn it on.
PRIVACY_NOTICE_REQUIRED = env_bool("PRIVACY_NOTICE_REQUIRED", True)
# Retention periods, in days, applied by the nightly jobs in batches (docs/privacy.md).
# A transfer check loses its subject reference (figures unchanged) this long after creation.
RETENTION_CHECK_SUBJECT_DAYS = env_int("RETENTION_CHECK_SUBJECT_DAYS", 180)
# Sign-in-sheet photos (every file and the row) go this long after their campaign ends.
RETENTION_SESSION_PHOTO_DAYS = env_int("RETENTION_SESSION_PHOTO_DAYS", 90)
# Audit rows are kept at least this long (never under 180: a system check refuses it), then
# written to a JSON-lines file in the private storage and deleted from the table.
RETENTION_AUDIT_LOG_DAYS = env_int("RETENTION_AUDIT_LOG_DAYS", 180)
# Rows changed per batch (one short transaction each, a small burst of WAL), so the create
# call never waits long behind a commit.
RETENTION_BATCH_SIZE = env_int("RETENTION_BATCH_SIZE", 500)
# Pause between two batches, so a purge of millions of rows leaves the database to the create
# call: 500 rows every 250 ms is ~1,800 rows/s on 2 cores (a million rows in ~9 minutes,
# 500,000 checks a day in under 5), and keeps the create call within its targets while it
# runs (bench/purge.py; docs/performance.md).
RETENTION_BATCH_PAUSE_MS = env_int("RETENTION_BATCH_PAUSE_MS", 250)
