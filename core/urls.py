from django.urls import path

from . import views

app_name = "core"
urlpatterns = [
    path("", views.home, name="home"),
    path("preferences/elder-mode/", views.elder_mode_set, name="elder-mode"),
    path("preferences/language/", views.language_set, name="language"),
    path("problems/<slug:slug>", views.problem_type_detail, name="problem-type"),
]
