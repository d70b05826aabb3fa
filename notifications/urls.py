from django.urls import path

from . import views

app_name = "notifications"
urlpatterns = [
    path("", views.notification_list, name="list"),
    path("read/", views.notification_read_all, name="read-all"),
    path("preferences/", views.preferences, name="preferences"),
    path("unread.json", views.unread_count, name="unread"),
    path("unsubscribe/<str:token>/", views.unsubscribe_view, name="unsubscribe"),
]
