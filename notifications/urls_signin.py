"""Sign-in by an SMS code, mounted under /accounts/login/code/ by config/urls.py (accounts
sits below notifications and cannot import it)."""

from django.urls import path

from . import views_signin

app_name = "signin_code"
urlpatterns = [
    path("", views_signin.sign_in_code_request, name="request"),
    path("enter/", views_signin.sign_in_code_enter, name="enter"),
]
