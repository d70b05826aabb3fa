"""Settings of the REST API and its OpenAPI schema, shared by every profile (imported by base)."""

from .env import env_int, env_str

# --- REST API -------------------------------------------------------------------------------
# https://www.django-rest-framework.org/api-guide/settings/
REST_FRAMEWORK = {
    "DEFAULT_SCHEMA_CLASS": "drf_spectacular.openapi.AutoSchema",
    "EXCEPTION_HANDLER": "core.problems.exception_handler",
    "DEFAULT_RENDERER_CLASSES": ["rest_framework.renderers.JSONRenderer"],
    # JSON only, measured before it is parsed: see API_JSON_MAX_DEPTH below.
    "DEFAULT_PARSER_CLASSES": ["core.json_input.DepthLimitedJSONParser"],
    "DEFAULT_AUTHENTICATION_CLASSES": ["core.authentication.SessionAuthentication"],
    "DEFAULT_PERMISSION_CLASSES": ["rest_framework.permissions.IsAuthenticated"],
    "DEFAULT_PAGINATION_CLASS": "core.pagination.PageNumberPagination",
    "PAGE_SIZE": 50,
    "DEFAULT_THROTTLE_CLASSES": [
        "rest_framework.throttling.AnonRateThrottle",
        "rest_framework.throttling.UserRateThrottle",
    ],
    "DEFAULT_THROTTLE_RATES": {
        "anon": env_str("API_RATE_ANON", "120/min"),
        "user": env_str("API_RATE_USER", "600/min"),
    },
    "UNICODE_JSON": True,
}
# The deepest nesting of arrays and objects an API body may have; deeper is a 400 before any
# parsing (Python's JSON decoder recurses per level). Our contract needs four.
API_JSON_MAX_DEPTH = env_int("API_JSON_MAX_DEPTH", 16)
# https://drf-spectacular.readthedocs.io/en/latest/settings.html
SPECTACULAR_SETTINGS = {
    "TITLE": "Anquan education platform API",
    "DESCRIPTION": (
        "Courses, scam-awareness quizzes, transfer checks for payment risk systems and "
        "county campaigns. Errors are RFC 9457 application/problem+json."
    ),
    "VERSION": "1.0.0",
    "SERVE_INCLUDE_SCHEMA": False,
    "SWAGGER_UI_DIST": "SIDECAR",
    "SWAGGER_UI_FAVICON_HREF": "SIDECAR",
    "REDOC_DIST": "SIDECAR",
    "COMPONENT_SPLIT_REQUEST": True,
    # Every error is a problem document: each operation's default response says so.
    "POSTPROCESSING_HOOKS": [
        "drf_spectacular.hooks.postprocess_schema_enums",
        "core.openapi.problem_responses",
    ],
}
