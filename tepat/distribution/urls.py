from django.urls import path

from tepat.distribution import views

app_name = "distribution"
urlpatterns = [
    path("", views.index, name="index"),
    path("buka/", views.open_view, name="open"),
    path("tahap/<uuid:pk>/", views.detail, name="detail"),
    path("tahap/<uuid:pk>/versi/", views.version_create, name="version_create"),
    path("tahap/<uuid:pk>/realisasi/", views.realisation_view, name="realisation"),
    path("tahap/<uuid:pk>/dikembalikan/", views.queue_view, name="queue"),
    path("tahap/<uuid:pk>/rekonsiliasi/", views.reconciliation_view, name="reconciliation"),
    path("tahap/<uuid:pk>/tutup/", views.close_view, name="close"),
    path("daftar/<uuid:list_id>/ekspor/", views.export_view, name="export"),
    path("ekspor/<uuid:export_id>/unduh/", views.export_download, name="export_download"),
    path("dikembalikan/<uuid:item_id>/", views.return_resolve_view, name="return_resolve"),
    path("tanda-terima/", views.receipt_view, name="receipt"),
    path("tanda-terima/<uuid:receipt_id>/berkas/", views.receipt_files_view, name="receipt_files"),
    path("tanda-terima/berkas/<uuid:file_id>/", views.receipt_file_view, name="receipt_file"),
]
