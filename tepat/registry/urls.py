from django.urls import path, re_path

from tepat.registry import views, views_transfer

app_name = "registry"
urlpatterns = [
    path("", views.family_list, name="family_list"),
    path("keluarga/baru/", views.family_create_view, name="family_create"),
    path("keluarga/<uuid:pk>/", views.family_detail_view, name="family_detail"),
    path("keluarga/<uuid:pk>/ubah/", views.family_update_view, name="family_update"),
    path("keluarga/<uuid:pk>/hapus/", views.family_remove_view, name="family_remove"),
    path("keluarga/<uuid:pk>/anggota/baru/", views.individual_add_view, name="individual_add"),
    path("anggota/<uuid:pk>/ubah/", views.individual_update_view, name="individual_update"),
    path("anggota/<uuid:pk>/keberadaan/", views.individual_presence_view, name="individual_presence"),
    # Import and export (tepat.registry.transfer)
    path("impor/", views_transfer.import_start_view, name="import_start"),
    path("impor/templat/<str:preset>.csv", views_transfer.import_template_view, name="import_template"),
    path("impor/<uuid:pk>/", views_transfer.import_job_view, name="import_job"),
    path("impor/<uuid:pk>/progres/", views_transfer.import_progress_view, name="import_progress"),
    re_path(r"^impor/(?P<pk>[0-9a-f-]{36})/laporan\.(?P<fmt>xlsx|csv)$", views_transfer.import_report_view,
            name="import_report"),
    path("ekspor/", views_transfer.export_view, name="export"),
    path("ekspor/<uuid:pk>/", views_transfer.export_job_view, name="export_job"),
    path("ekspor/<uuid:pk>/progres/", views_transfer.export_progress_view, name="export_progress"),
    path("ekspor/<uuid:pk>/unduh/", views_transfer.export_download_view, name="export_download"),
]
