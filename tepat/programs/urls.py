from django.urls import path

from tepat.programs import views

app_name = "programs"
urlpatterns = [
    path("", views.index, name="index"),
    path("baru/", views.programme_new, name="programme_new"),
    path("rilis/<uuid:pk>/", views.release_detail, name="release_detail"),
    path("rilis/<uuid:pk>/pratinjau/", views.release_preview, name="release_preview"),
    path("rilis/<uuid:pk>/rilis/", views.release_release_view, name="release_release"),
    path("rilis/<uuid:pk>/versi-baru/", views.release_new_version_view, name="release_new_version"),
    path("rilis/<uuid:pk>/daftar/", views.list_start, name="list_start"),
    path("daftar/<uuid:pk>/", views.list_detail, name="list_detail"),
    path("daftar/<uuid:pk>/rekap/", views.list_recap, name="list_recap"),
    path("daftar/<uuid:pk>/keputusan/", views.list_decide, name="list_decide"),
    path("daftar/<uuid:pk>/keluarga/<uuid:family_id>/", views.family_explanation, name="family_explanation"),
    path("daftar/<uuid:pk>/keluarga/<uuid:family_id>/ganti/", views.entry_substitute_view, name="entry_substitute"),
    path("tinjau/<uuid:pk>/", views.review_decide, name="review_decide"),
]
