from django.urls import path

from tepat.quality import views

app_name = "quality"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("tanda/<uuid:pk>/", views.flag_detail_view, name="flag_detail"),
    path("tanda/<uuid:pk>/abaikan/", views.flag_dismiss_view, name="flag_dismiss"),
    path("proses/", views.runs_view, name="runs"),
    path("proses/<uuid:pk>/", views.run_detail, name="run_detail"),
    path("daftar/", views.list_upload, name="list_upload"),
]
