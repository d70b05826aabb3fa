from django.urls import path

from . import api

urlpatterns = [
    path("courses/", api.CourseListApi.as_view(), name="courses-list"),
    path("courses/<slug:slug>/", api.CourseDetailApi.as_view(), name="courses-detail"),
    path("me/courses/", api.MyCourseProgressApi.as_view(), name="my-course-progress"),
    path("me/courses/<slug:slug>/", api.MyCourseLessonsApi.as_view(), name="my-course-lessons"),
]
