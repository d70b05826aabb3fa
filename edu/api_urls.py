from django.urls import path

from . import api, api_offline

urlpatterns = [
    path("courses/", api.CourseListApi.as_view(), name="courses-list"),
    path("courses/<slug:slug>/", api.CourseDetailApi.as_view(), name="courses-detail"),
    path(
        "courses/<slug:slug>/offline/",
        api_offline.OfflineManifestApi.as_view(),
        name="courses-offline",
    ),
    path("me/courses/", api.MyCourseProgressApi.as_view(), name="my-course-progress"),
    path("me/courses/<slug:slug>/", api.MyCourseLessonsApi.as_view(), name="my-course-lessons"),
    path(
        "me/lesson-completions/",
        api_offline.OfflineCompletionApi.as_view(),
        name="my-offline-completions",
    ),
]
