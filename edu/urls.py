from django.urls import path

from . import views

app_name = "edu"
urlpatterns = [
    path("courses/", views.catalogue, name="catalogue"),
    path("courses/my/", views.my_learning, name="my-learning"),
    path("courses/sw.js", views.service_worker, name="service-worker"),
    path("courses/<slug:slug>/", views.course_detail, name="course"),
    path("courses/<slug:slug>/<slug:lesson_slug>/", views.lesson_detail, name="lesson"),
    path(
        "courses/<slug:slug>/<slug:lesson_slug>/complete/",
        views.lesson_complete_view,
        name="lesson-complete",
    ),
    # Staff-only previews; outside /courses/ so no course or lesson slug can shadow them.
    path("courses-preview/<slug:slug>/", views.course_preview, name="course-preview"),
    path(
        "courses-preview/<slug:slug>/<slug:lesson_slug>/",
        views.lesson_preview,
        name="lesson-preview",
    ),
    path(
        "courses-preview/<slug:slug>/<slug:lesson_slug>/complete/",
        views.lesson_preview_complete,
        name="lesson-preview-complete",
    ),
    path("certificates/<str:serial>/", views.certificate_detail, name="certificate"),
    path(
        "certificates/<str:serial>/certificate.<str:kind>",
        views.certificate_file,
        name="certificate-file",
    ),
]
