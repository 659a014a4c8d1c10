from django.urls import path

from tepat.distribution.invitations import views

app_name = "invitations"
urlpatterns = [
    path("pindai/", views.scan_view, name="scan"),
    path("cetak/<str:village_code>/", views.print_view, name="print"),
    path("tugas/", views.job_new_view, name="job_new"),
    path("tugas/<uuid:pk>/", views.job_view, name="job"),
    path("tugas/<uuid:pk>/unduh/", views.job_file_view, name="job_file"),
]
