"""Display preferences (elder mode, language), for guests in cookies and for accounts on the
account too: mounted at /preferences/."""

from django.urls import path

from . import views

app_name = "preferences"
urlpatterns = [
    path("elder-mode/", views.elder_mode_set, name="elder-mode"),
    path("language/", views.language_set, name="language"),
]
