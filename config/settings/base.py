"""Settings shared by every profile.

Each value is read from the environment with a safe default. With no environment at all the
platform runs on one machine with embedded parts: SQLite, a file-system Celery broker and a
file-based cache under ``VAR_DIR``. Past one machine, set ``DATABASE_URL`` (PostgreSQL) and
``REDIS_URL`` (cache, Celery broker, rate limits); see docs/deploy.md.

Reference: https://docs.djangoproject.com/en/5.2/ref/settings/
"""

import json
import os
from pathlib import Path

import dj_database_url
import django_stubs_ext
from csp.constants import NONE, SELF

from .env import env_bool, env_int, env_list, env_str
from .logs import build_logging as build_logging  # dev and test build theirs too
from .privacy import *  # noqa: F403 - personal information: notice, retention (docs/privacy.md)
from .storage import media_origin, media_storage, private_storage

# Django's generic classes (ModelAdmin[M], ModelForm[M], ...) accept type arguments at run time
# as they do for mypy: https://github.com/typeddjango/django-stubs/tree/master/ext
django_stubs_ext.monkeypatch()

SETTINGS_PROFILE = "base"  # each profile names itself: dev, test, production
BASE_DIR = Path(__file__).resolve().parent.parent.parent
# Local state of the embedded defaults (SQLite file, broker queue, cache, media in dev).
VAR_DIR = Path(env_str("VAR_DIR", str(BASE_DIR / "var")))

# --- Core -----------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/ref/settings/#secret-key
SECRET_KEY = env_str("DJANGO_SECRET_KEY")
# https://docs.djangoproject.com/en/5.2/ref/settings/#debug
DEBUG = env_bool("DJANGO_DEBUG", False)
# https://docs.djangoproject.com/en/5.2/ref/settings/#allowed-hosts
ALLOWED_HOSTS = env_list("DJANGO_ALLOWED_HOSTS", ["localhost", "127.0.0.1", "[::1]"])
# https://docs.djangoproject.com/en/5.2/ref/settings/#csrf-trusted-origins
CSRF_TRUSTED_ORIGINS = env_list("DJANGO_CSRF_TRUSTED_ORIGINS", [])
# Public base URL, used in links that leave the site (QR codes, quiz links, e-mails).
SITE_URL = env_str("SITE_URL", "http://127.0.0.1:8000").rstrip("/")

INSTALLED_APPS = [
    "django.contrib.admin",
    "django.contrib.auth",
    "django.contrib.contenttypes",
    "django.contrib.sessions",
    "django.contrib.messages",
    "whitenoise.runserver_nostatic",
    "django.contrib.staticfiles",
    "django.contrib.humanize",
    "rest_framework",
    "drf_spectacular",
    "drf_spectacular_sidecar",
    "django_celery_beat",
    "django_prometheus",
    "csp",
    "axes",
    "django_otp",
    "django_otp.plugins.otp_totp",
    # Ours, in the order of the layers (docs/architecture.md): an app may import only the
    # apps above it in this list, and seed_demo runs their demo parts in this order.
    "core",
    "accounts",
    "regions",
    "quizzes",
    "edu",
    "campaigns",
    "reach",
    "notifications",
]

MIDDLEWARE = [
    "django_prometheus.middleware.PrometheusBeforeMiddleware",
    "core.middleware.RequestIdMiddleware",
    "core.middleware.RefuseNulMiddleware",
    "django.middleware.security.SecurityMiddleware",
    "whitenoise.middleware.WhiteNoiseMiddleware",
    # Compresses HTML and JSON; Django adds random padding against BREACH.
    "django.middleware.gzip.GZipMiddleware",
    "django.contrib.sessions.middleware.SessionMiddleware",
    "django.middleware.locale.LocaleMiddleware",
    "django.middleware.common.CommonMiddleware",
    "django.middleware.csrf.CsrfViewMiddleware",
    "django.contrib.auth.middleware.AuthenticationMiddleware",
    # request.user.is_verified(): has this session given a code from its authenticator?
    # https://django-otp-official.readthedocs.io/en/stable/overview.html#authentication-and-authorization
    "django_otp.middleware.OTPMiddleware",
    "django.contrib.messages.middleware.MessageMiddleware",
    "django.middleware.clickjacking.XFrameOptionsMiddleware",
    "csp.middleware.CSPMiddleware",
    # Staff sessions expire after inactivity (accounts/middleware.py): after authentication.
    "accounts.middleware.StaffSessionIdleMiddleware",
    # Staff give a code from their authenticator app before the admin (after OTPMiddleware).
    "accounts.middleware.AdminSecondFactorMiddleware",
    "accounts.middleware.PrivacyNoticeMiddleware",  # the current privacy notice first
    # Turns a lockout into our page; axes asks to be last.
    # https://django-axes.readthedocs.io/en/latest/2_installation.html
    "axes.middleware.AxesMiddleware",
    "django_prometheus.middleware.PrometheusAfterMiddleware",
]

# The hosted transfer-check quiz reads no session, user or CSRF token (its signed link
# authorises each step), so under gunicorn (config.wsgi) its paths run a shorter stack:
# the same order, without what only serves signed-in pages (core/handlers.py).
LEAN_STACK_PATHS = ("/t/",)
LEAN_MIDDLEWARE = [
    name
    for name in MIDDLEWARE
    if name
    not in {
        "whitenoise.middleware.WhiteNoiseMiddleware",  # no static file lives under /t/
        "django.contrib.sessions.middleware.SessionMiddleware",
        "django.middleware.csrf.CsrfViewMiddleware",
        "django.contrib.auth.middleware.AuthenticationMiddleware",
        "django_otp.middleware.OTPMiddleware",
        "django.contrib.messages.middleware.MessageMiddleware",
        "accounts.middleware.StaffSessionIdleMiddleware",
        "accounts.middleware.AdminSecondFactorMiddleware",
        "accounts.middleware.PrivacyNoticeMiddleware",
        "axes.middleware.AxesMiddleware",
    }
]

ROOT_URLCONF = "config.urls"
WSGI_APPLICATION = "config.wsgi.application"
ASGI_APPLICATION = "config.asgi.application"
AUTH_USER_MODEL = "accounts.User"
DEFAULT_AUTO_FIELD = "django.db.models.BigAutoField"

TEMPLATES = [
    {
        "BACKEND": "django.template.backends.django.DjangoTemplates",
        "DIRS": [BASE_DIR / "templates"],
        "APP_DIRS": True,
        "OPTIONS": {
            "context_processors": [
                "django.template.context_processors.request",
                "django.template.context_processors.i18n",
                "django.contrib.auth.context_processors.auth",
                "django.contrib.messages.context_processors.messages",
                "core.context_processors.display_preferences",
                "notifications.context_processors.sign_in_options",
            ],
        },
    },
]

# --- Database -------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/ref/settings/#databases
# DATABASE_URL, e.g. postgres://user:pass@host:5432/name (psycopg 3). Without it: SQLite.
DATABASE_URL = env_str("DATABASE_URL")
if DATABASE_URL:
    DATABASES = {
        "default": dj_database_url.parse(
            DATABASE_URL,
            conn_max_age=env_int("DATABASE_CONN_MAX_AGE", 60),
            conn_health_checks=True,
        )
    }
else:
    VAR_DIR.mkdir(parents=True, exist_ok=True)
    DATABASES = {
        "default": {
            "ENGINE": "django.db.backends.sqlite3",
            "NAME": str(VAR_DIR / "db.sqlite3"),
            # Web, worker and beat share the file: WAL lets readers run beside one writer,
            # IMMEDIATE takes the write lock up front instead of failing half-way.
            # https://docs.djangoproject.com/en/5.2/ref/databases/#sqlite-notes
            "OPTIONS": {
                "init_command": "PRAGMA journal_mode=WAL; PRAGMA synchronous=NORMAL;",
                "transaction_mode": "IMMEDIATE",
                "timeout": 20,
            },
        }
    }

# --- Cache and Redis ------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/topics/cache/
REDIS_URL = env_str("REDIS_URL")
if REDIS_URL:
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.redis.RedisCache",
            "LOCATION": REDIS_URL,
            "KEY_PREFIX": "anquan",
            "OPTIONS": {"socket_connect_timeout": 2, "socket_timeout": 2},
        }
    }
else:
    # Shared by every process on the machine (unlike the per-process local-memory cache).
    CACHES = {
        "default": {
            "BACKEND": "django.core.cache.backends.filebased.FileBasedCache",
            "LOCATION": str(VAR_DIR / "cache"),
        }
    }

# --- Auth -----------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/topics/auth/passwords/
AUTH_PASSWORD_VALIDATORS = [
    {"NAME": "django.contrib.auth.password_validation.UserAttributeSimilarityValidator"},
    {"NAME": "django.contrib.auth.password_validation.MinimumLengthValidator"},
    {"NAME": "django.contrib.auth.password_validation.CommonPasswordValidator"},
    {"NAME": "django.contrib.auth.password_validation.NumericPasswordValidator"},
]
# AxesBackend first: it refuses a locked-out account or address before any password is
# checked. https://django-axes.readthedocs.io/en/latest/2_installation.html
AUTHENTICATION_BACKENDS = [
    "axes.backends.AxesStandaloneBackend",
    "django.contrib.auth.backends.ModelBackend",
]
LOGIN_URL = "accounts:login"
LOGIN_REDIRECT_URL = "edu:my-learning"  # sign-in lands on the courses in progress
STAFF_LOGIN_REDIRECT_URL = "reach:overview"  # staff who may see the figures
LOGOUT_REDIRECT_URL = "core:home"

# Staff sessions end after this many seconds without a request (accounts/middleware.py);
# learners keep SESSION_COOKIE_AGE.
STAFF_SESSION_IDLE_SECONDS = env_int("STAFF_SESSION_IDLE_SECONDS", 30 * 60)
# Password-reset mails: at most this many an hour to one e-mail address, and requests from
# one client address (accounts.signin.password_reset_allowed); over it, the same page, no mail.
PASSWORD_RESET_PER_EMAIL_HOUR = env_int("PASSWORD_RESET_PER_EMAIL_HOUR", 3)
PASSWORD_RESET_PER_ADDRESS_HOUR = env_int("PASSWORD_RESET_PER_ADDRESS_HOUR", 20)
# Sign-in by a one-time SMS code for learners with a registered phone, never staff
# (notifications/signin_codes.py): its lifetime, wrong tries, and codes per phone a minute
# and an hour and requests per client address an hour (over them: the same page, no text).
SIGN_IN_BY_SMS = env_bool("SIGN_IN_BY_SMS", True)
SIGN_IN_CODE_TTL_SECONDS = env_int("SIGN_IN_CODE_TTL_SECONDS", 5 * 60)
SIGN_IN_CODE_MAX_ATTEMPTS = env_int("SIGN_IN_CODE_MAX_ATTEMPTS", 5)
SIGN_IN_CODE_PER_PHONE_MINUTE = env_int("SIGN_IN_CODE_PER_PHONE_MINUTE", 1)
SIGN_IN_CODE_PER_PHONE_HOUR = env_int("SIGN_IN_CODE_PER_PHONE_HOUR", 5)
SIGN_IN_CODE_PER_ADDRESS_HOUR = env_int("SIGN_IN_CODE_PER_ADDRESS_HOUR", 20)
# Staff (editors included) give a code from an authenticator app (TOTP) before the admin.
ADMIN_REQUIRE_SECOND_FACTOR = env_bool("ADMIN_REQUIRE_SECOND_FACTOR", True)
# The name authenticator apps show beside the account.
# https://django-otp-official.readthedocs.io/en/stable/auth.html#otp-totp-issuer
OTP_TOTP_ISSUER = env_str("OTP_TOTP_ISSUER", "Anquan")
# Password reset links stay valid this long (seconds).
# https://docs.djangoproject.com/en/5.2/ref/settings/#password-reset-timeout
PASSWORD_RESET_TIMEOUT = env_int("PASSWORD_RESET_TIMEOUT", 3 * 3600)

# --- Sign-in lockout (django-axes) ----------------------------------------------------------
# Both login pages (/accounts/login/, /admin/login/) authenticate through Django, so axes
# counts failures on both. https://django-axes.readthedocs.io/en/latest/4_configuration.html
# Failures counted per account and, separately, per address: either one reaching the limit
# locks that account (from anywhere) or that address (for any account) until the cool-off.
AXES_LOCKOUT_PARAMETERS = ["username", "ip_address"]
AXES_FAILURE_LIMIT = env_int("AXES_FAILURE_LIMIT", 5)
# Hours as a float; a failure during the lockout starts the cool-off again.
AXES_COOLOFF_TIME = env_int("AXES_COOLOFF_MINUTES", 15) / 60
# Failures are forgotten only by the cool-off, not by a successful sign-in: axes would then
# delete every failure of the address too, and a guesser could sign in to an account of
# their own between guesses to start afresh.
AXES_RESET_ON_SUCCESS = False
# Our page (templates/accounts/lockout.html, in the site's layout and language), status 429.
AXES_LOCKOUT_CALLABLE = "accounts.views.lockout"
# Failures live in the database (both SQLite and PostgreSQL), shared by every web host.
AXES_HANDLER = "axes.handlers.database.AxesDatabaseHandler"
# Only failures and lockouts are stored, not every successful sign-in.
AXES_DISABLE_ACCESS_LOG = True
# The address counted (accounts/signin.py): REMOTE_ADDR, or behind reverse proxies that
# append to X-Forwarded-For, set TRUSTED_PROXY_COUNT to their number (docs/deploy.md): the
# address our outermost proxy saw is used, and what a client writes in the header is not.
# https://django-axes.readthedocs.io/en/latest/4_configuration.html#customizing-client-ip-address-resolution
AXES_CLIENT_IP_CALLABLE = "accounts.signin.client_address"
TRUSTED_PROXY_COUNT = env_int("TRUSTED_PROXY_COUNT", 0)

# --- E-mail ---------------------------------------------------------------------------------
# Password resets and e-mail reminders. Django's SMTP backend, from the environment.
# https://docs.djangoproject.com/en/5.2/topics/email/#smtp-backend
EMAIL_BACKEND = env_str("EMAIL_BACKEND", "django.core.mail.backends.smtp.EmailBackend")
EMAIL_HOST = env_str("EMAIL_HOST", "localhost")
EMAIL_PORT = env_int("EMAIL_PORT", 25)
EMAIL_HOST_USER = env_str("EMAIL_HOST_USER", "")
EMAIL_HOST_PASSWORD = env_str("EMAIL_HOST_PASSWORD", "")
EMAIL_USE_TLS = env_bool("EMAIL_USE_TLS", False)
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)
DEFAULT_FROM_EMAIL = env_str("DEFAULT_FROM_EMAIL", "webmaster@localhost")

# --- Internationalisation -------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/topics/i18n/
LANGUAGE_CODE = "zh-hans"
LANGUAGES = [
    # Each language is named in itself, so a reader finds their own.
    ("zh-hans", "简体中文"),
    ("zh-hant", "繁體中文"),  # made from zh-hans with OpenCC: see core/hant.py
    ("en", "English"),
]
LOCALE_PATHS = [BASE_DIR / "locale"]
TIME_ZONE = env_str("TIME_ZONE", "Asia/Shanghai")
USE_I18N = True
USE_TZ = True
LANGUAGE_COOKIE_AGE = 365 * 24 * 3600
LANGUAGE_COOKIE_SAMESITE = "Lax"

# --- Static and media -----------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/ref/settings/#storages
STATIC_URL = "/static/"
# Shared by every profile (collected once, a dozen seconds with compression).
STATIC_ROOT = Path(env_str("STATIC_ROOT", str(BASE_DIR / "var" / "staticfiles")))
STATICFILES_DIRS = [BASE_DIR / "static"]
MEDIA_URL = env_str("MEDIA_URL", "/media/")
MEDIA_ROOT = Path(env_str("MEDIA_ROOT", str(VAR_DIR / "media")))
STORAGES = {
    # Media only through Django's storage API; several hosts share a bucket (config/settings/
    # storage.py, AWS_STORAGE_BUCKET_NAME) or another backend (DJANGO_MEDIA_STORAGE).
    "default": media_storage(os.environ)
    or {"BACKEND": env_str("DJANGO_MEDIA_STORAGE", "django.core.files.storage.FileSystemStorage")},
    # Hashed names for far-future caching, gzip and Brotli variants built at collectstatic.
    "staticfiles": {"BACKEND": "core.storage.HashedStaticStorage"},
}
# Private files (certificates, session photos, exports): outside MEDIA_ROOT, no public URL,
# served only by views that check who asks (core/storage.py). Several hosts: a bucket that is
# not public (AWS_PRIVATE_STORAGE_BUCKET_NAME) or DJANGO_PRIVATE_STORAGE(_OPTIONS).
PRIVATE_MEDIA_ROOT = Path(env_str("PRIVATE_MEDIA_ROOT", str(VAR_DIR / "private")))
STORAGES["private"] = private_storage(os.environ) or {
    "BACKEND": env_str("DJANGO_PRIVATE_STORAGE", "core.storage.PrivateFileSystemStorage"),
    "OPTIONS": json.loads(env_str("DJANGO_PRIVATE_STORAGE_OPTIONS", "{}")),
}
# https://whitenoise.readthedocs.io/en/stable/django.html
WHITENOISE_KEEP_ONLY_HASHED_FILES = True
DATA_UPLOAD_MAX_MEMORY_SIZE = 2_621_440

# --- Security -------------------------------------------------------------------------------
# https://docs.djangoproject.com/en/5.2/topics/security/
X_FRAME_OPTIONS = "DENY"
SECURE_CONTENT_TYPE_NOSNIFF = True
SECURE_REFERRER_POLICY = "same-origin"
SESSION_COOKIE_HTTPONLY = True
SESSION_COOKIE_SAMESITE = "Lax"
SESSION_COOKIE_AGE = env_int("SESSION_COOKIE_AGE", 30 * 24 * 3600)
# Content Security Policy: everything from our own origin, no inline script.
# https://django-csp.readthedocs.io/en/latest/configuration.html
# A directive is a list of sources, or a flag (upgrade-insecure-requests in production).
CONTENT_SECURITY_POLICY: dict[str, dict[str, list[str] | bool]] = {
    "DIRECTIVES": {
        "default-src": [SELF],
        "script-src": [SELF],
        "style-src": [SELF],
        "img-src": [SELF, "data:", "blob:"],
        "font-src": [SELF],
        "connect-src": [SELF],
        "object-src": [NONE],
        "base-uri": [SELF],
        "form-action": [SELF],
        "frame-ancestors": [NONE],
    }
}
if _MEDIA := media_origin(os.environ):  # content images and lesson audio from the bucket
    CONTENT_SECURITY_POLICY["DIRECTIVES"] |= {"img-src": [SELF, "data:", "blob:", _MEDIA]}
    CONTENT_SECURITY_POLICY["DIRECTIVES"]["media-src"] = [SELF, _MEDIA]
# /metrics is for the operator's Prometheus; set a token to require "Bearer <token>".
METRICS_BEARER_TOKEN = env_str("METRICS_BEARER_TOKEN")

# --- REST API -------------------------------------------------------------------------------
# DRF, the JSON depth limit and the OpenAPI schema: config/settings/api.py.
from .api import API_JSON_MAX_DEPTH, REST_FRAMEWORK, SPECTACULAR_SETTINGS  # noqa: E402, F401

# --- Celery ---------------------------------------------------------------------------------
# https://docs.celeryq.dev/en/stable/userguide/configuration.html
# Without a broker URL or REDIS_URL the broker is a folder on this machine: no server needed.
CELERY_BROKER_URL = env_str("CELERY_BROKER_URL") or REDIS_URL or "filesystem://localhost/"
CELERY_BROKER_DIR = Path(env_str("CELERY_BROKER_DIR", str(VAR_DIR / "broker")))
if CELERY_BROKER_URL.startswith("filesystem://"):
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        "data_folder_in": str(CELERY_BROKER_DIR / "queue"),
        "data_folder_out": str(CELERY_BROKER_DIR / "queue"),
        "control_folder": str(CELERY_BROKER_DIR / "control"),
        "store_processed": False,
    }
else:
    CELERY_BROKER_TRANSPORT_OPTIONS = {
        # Must exceed the longest countdown we schedule, or Redis redelivers the task.
        "visibility_timeout": env_int("CELERY_VISIBILITY_TIMEOUT", 2 * 3600),
        "socket_connect_timeout": 2,
    }
CELERY_BROKER_CONNECTION_RETRY_ON_STARTUP = True
CELERY_TASK_ACKS_LATE = True  # a task whose worker dies is delivered again
CELERY_TASK_REJECT_ON_WORKER_LOST = True
CELERY_WORKER_PREFETCH_MULTIPLIER = 1
CELERY_TASK_TIME_LIMIT = env_int("CELERY_TASK_TIME_LIMIT", 300)
CELERY_TASK_SOFT_TIME_LIMIT = env_int("CELERY_TASK_SOFT_TIME_LIMIT", 240)
CELERY_TASK_IGNORE_RESULT = True  # tasks write their outcome to the database
CELERY_TASK_SERIALIZER = "json"
CELERY_ACCEPT_CONTENT = ["json"]
CELERY_TIMEZONE = TIME_ZONE
CELERY_WORKER_HIJACK_ROOT_LOGGER = False
CELERY_BEAT_SCHEDULER = "django_celery_beat.schedulers:DatabaseScheduler"

# Reminders (notifications app): days without progress before a nudge, at most this many
# reminders per person a day, reminders per batch, and the SMS gateway adapter.
REMINDERS_NUDGE_AFTER_DAYS = env_int("REMINDERS_NUDGE_AFTER_DAYS", 7)
REMINDERS_DAILY_CAP = env_int("REMINDERS_DAILY_CAP", 3)
REMINDERS_BATCH_SIZE = env_int("REMINDERS_BATCH_SIZE", 200)
# Days after a planned session's date before its volunteer is reminded to log it.
REMINDERS_UNLOGGED_AFTER_DAYS = env_int("REMINDERS_UNLOGGED_AFTER_DAYS", 2)
REMINDERS_SMS_ADAPTER = env_str("REMINDERS_SMS_ADAPTER", "notifications.channels.OutboxSmsAdapter")
# Seconds a batch holds the reminders it sends by email (or a remote SMS gateway) outside any
# transaction; another sender skips them meanwhile, and takes them over once it runs out (a
# killed worker). A batch starts no new send after half of it, well inside the task's soft
# time limit.
REMINDERS_SEND_LEASE = env_int("REMINDERS_SEND_LEASE", 300)

# --- Email ----------------------------------------------------------------------------------
# Seconds to wait for the mail server on connect and on each reply, so a stalled server
# fails a send (retried later) instead of holding a worker for ever.
# https://docs.djangoproject.com/en/5.2/ref/settings/#email-timeout
EMAIL_TIMEOUT = env_int("EMAIL_TIMEOUT", 10)

# --- Logging --------------------------------------------------------------------------------
# One JSON object per line (LOG_FORMAT=json) or readable text (LOG_FORMAT=text).
# https://docs.djangoproject.com/en/5.2/topics/logging/
LOG_FORMAT = env_str("LOG_FORMAT", "json")
LOG_LEVEL = env_str("LOG_LEVEL", "INFO")


LOGGING = build_logging(LOG_FORMAT, LOG_LEVEL)

# --- Product --------------------------------------------------------------------------------
# The national anti-fraud dissuasion hotline, shown wherever a user may be at risk.
ANTI_FRAUD_HOTLINE = "96110"

# --- Transfer checks (quizzes) --------------------------------------------------------------
# How long a transfer check's quiz link stays valid, in seconds.
TRANSFER_CHECK_TTL = env_int("TRANSFER_CHECK_TTL", 15 * 60)
# Questions per transfer check (3 to 5).
TRANSFER_CHECK_QUESTIONS = env_int("TRANSFER_CHECK_QUESTIONS", 4)
# How long a process draws from the question bank as it read it (quizzes/bank_memo.py): an
# edit shows in the quiz of every process within this time, in the editing one at once.
QUESTION_BANK_MEMO_SECONDS = env_int("QUESTION_BANK_MEMO_SECONDS", 60)
# Idempotency keys are kept at least this long (seconds).
IDEMPOTENCY_KEY_TTL = env_int("IDEMPOTENCY_KEY_TTL", 24 * 3600)
# A claimed key with no answer after this long belongs to a crashed request and is released.
IDEMPOTENCY_IN_FLIGHT_TIMEOUT = env_int("IDEMPOTENCY_IN_FLIGHT_TIMEOUT", 60)
# Webhooks: retried with backoff for this long (seconds), then given up.
WEBHOOK_RETRY_WINDOW = env_int("WEBHOOK_RETRY_WINDOW", 25 * 3600)
WEBHOOK_TIMEOUT = env_int("WEBHOOK_TIMEOUT", 10)
# An event handed to Celery is not re-enqueued by the dispatcher for this long (seconds).
WEBHOOK_DISPATCH_LEASE = env_int("WEBHOOK_DISPATCH_LEASE", 120)
# SSRF guard: webhook URLs must be https to public addresses unless this is true (dev, tests).
WEBHOOK_ALLOW_PRIVATE_NETWORKS = env_bool("WEBHOOK_ALLOW_PRIVATE_NETWORKS", False)
# Protected funds (docs/reach.md): a check whose amount is above this many yuan is flagged
# when created and counts only once staff confirm it. ¥50,000 is the daily limit many
# payment apps set on a personal transfer and above the single transfers the field figures
# behind "¥2.7 bn protected" are made of, so only the rare outlier waits for a person; an
# API client may have its own ceiling (ApiClient.protected_funds_ceiling).
PROTECTED_FUNDS_CEILING_CNY = env_int("PROTECTED_FUNDS_CEILING_CNY", 50_000)
# API clients are remembered per process this long (seconds): deactivation takes this long.
API_CLIENT_CACHE_SECONDS = env_int("API_CLIENT_CACHE_SECONDS", 2)
# --- Courses (edu) --------------------------------------------------------------------------
# Dotted path to the provider of lesson-end knowledge checks (edu.checks): the question
# bank of the quizzes app. Empty: lessons complete without their check.
EDU_KNOWLEDGE_CHECK_PROVIDER = env_str(
    "EDU_KNOWLEDGE_CHECK_PROVIDER", "quizzes.knowledge_checks.QuestionBankChecks"
)
# Font for certificates: empty finds Noto Sans CJK through fontconfig; or "path[:index]".
EDU_CERTIFICATE_FONT = env_str("EDU_CERTIFICATE_FONT", "")
# Fallback fonts for characters it lacks, comma-separated; empty: Debian's (core/fonts.py).
CERTIFICATE_FALLBACK_FONTS = [f for f in env_str("CERTIFICATE_FALLBACK_FONTS", "").split(",") if f]
# Course packages: limits that make a hostile archive fail before it costs anything.
EDU_PACKAGE_MAX_BYTES = env_int("EDU_PACKAGE_MAX_BYTES", 20 * 1024 * 1024)
EDU_PACKAGE_MAX_FILE_BYTES = env_int("EDU_PACKAGE_MAX_FILE_BYTES", 8 * 1024 * 1024)
EDU_PACKAGE_MAX_FILES = env_int("EDU_PACKAGE_MAX_FILES", 500)
