from django.conf import settings
from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView
from django.views.static import serve
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from core import views as core_views

api_v1 = [
    path("", include("regions.urls")),
    path("", include("quizzes.api_urls")),
    path("", include("campaigns.api_urls")),
    path("", include("edu.api_urls")),
    path("", include("reach.api_urls")),
]

urlpatterns = [
    # The API first: server-to-server calls resolve without walking every page pattern.
    path("api/v1/", include(api_v1)),
    path("", include("core.urls")),
    path("", include("edu.urls")),
    # Sign-in by an SMS code: its pages live in notifications, above accounts.
    path("accounts/login/code/", include("notifications.urls_signin")),
    path("accounts/", include("accounts.urls")),
    path("preferences/", include("accounts.urls_preferences")),
    path("privacy/", include("accounts.urls_privacy")),
    path("", include("reach.urls_pages")),
    path("", include("quizzes.urls")),
    path("campaigns/", include("campaigns.urls")),
    path("impact/", include("reach.urls")),
    path("notifications/", include("notifications.urls")),
    # The admin's login page links here ("Forgotten your password?"): our reset pages.
    path(
        "admin/password-reset/",
        RedirectView.as_view(pattern_name="accounts:password_reset"),
        name="admin_password_reset",
    ),
    path("admin/", admin.site.urls),
    path("api/schema/", SpectacularAPIView.as_view(), name="schema"),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="schema"), name="api-docs"),
    path("healthz", core_views.healthz, name="healthz"),
    path("readyz", core_views.readyz, name="readyz"),
    path("metrics", core_views.metrics, name="metrics"),
]

_MEDIA_ON_DISK = settings.STORAGES["default"]["BACKEND"].endswith("FileSystemStorage")
if settings.SETTINGS_PROFILE in {"dev", "test"} and _MEDIA_ON_DISK:
    # Public media (content assets: course, lesson and question images, lesson audio) from
    # this machine, for development and tests only. In production the web server or a CDN
    # serves MEDIA_ROOT (docs/deploy.md). Private files are never under MEDIA_ROOT (check
    # core.E010) and have no media URL: views that check who asks serve them.
    urlpatterns += [
        path(
            f"{settings.MEDIA_URL.strip('/')}/<path:path>",
            serve,
            {"document_root": settings.MEDIA_ROOT},
        )
    ]

handler400 = "core.views.bad_request"
handler403 = "core.views.permission_denied"
handler404 = "core.views.page_not_found"
handler500 = "core.views.server_error"
