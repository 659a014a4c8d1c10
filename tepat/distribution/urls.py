from django.urls import path

from tepat.distribution import views, views_followup

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
    path("tahap/<uuid:pk>/susulan/", views_followup.susulan_view, name="susulan"),
    path("tahap/<uuid:pk>/susulan/buat/", views_followup.susulan_create_view, name="susulan_create"),
    path("susulan/<uuid:item_id>/", views_followup.susulan_entry_view, name="susulan_entry"),
    path("tahap/<uuid:pk>/pemeriksaan/", views_followup.postchecks_view, name="postchecks"),
    path("tahap/<uuid:pk>/pemeriksaan/buat/", views_followup.postcheck_create_view, name="postcheck_create"),
    path("pemeriksaan/<uuid:check_id>/", views_followup.postcheck_view, name="postcheck"),
    path("pemeriksaan/jawab/<uuid:item_id>/", views_followup.postcheck_answer_view, name="postcheck_answer"),
]
