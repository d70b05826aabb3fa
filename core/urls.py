from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("problems/<slug:slug>", views.problem_type_detail, name="problem-type"),
]
