from django.urls import path

from . import file_views, picker_views, review_views, views

app_name = "campaigns"
urlpatterns = [
    path("sw.js", views.service_worker, name="service-worker"),
    path("log/", views.session_log_new, name="log"),
    path("mine/", views.session_log_mine, name="mine"),
    path("mine/<uuid:client_uuid>/edit/", views.session_log_edit, name="edit"),
    path("plans/", views.planned_sessions, name="plans"),
    path("plans/<int:plan_id>/not-held/", views.planned_session_cancel, name="plan-cancel"),
    path("", views.campaign_list, name="list"),
    path("photos/<int:photo_id>/<str:kind>", file_views.session_photo_file, name="photo-file"),
    path("pickers/<str:kind>/", picker_views.picker_search, name="picker"),
    path("review/", review_views.review_queue, name="review"),
    path("review/approve/", review_views.review_bulk_approve, name="review-bulk-approve"),
    path("review/<int:log_id>/", review_views.review_decide, name="review-decide"),
    path("<int:campaign_id>/manage/", views.campaign_manage, name="manage"),
    path("<int:campaign_id>/export/<str:kind>", views.campaign_export, name="export"),
    path("<int:campaign_id>/exports/", views.campaign_export_build, name="export-build"),
    path(
        "<int:campaign_id>/exports/<int:export_id>",
        file_views.campaign_export_download,
        name="export-download",
    ),
]
