from django.urls import path

from tepat.targeting import views

app_name = "targeting"
urlpatterns = [
    path("desil/", views.release_list, name="release_list"),
    path("desil/templat.csv", views.desil_template, name="desil_template"),
    path("desil/<uuid:pk>/", views.release_detail, name="release_detail"),
    path("desil/<uuid:pk>/progres/", views.release_progress, name="release_progress"),
    path("desil/<uuid:pk>/laporan.csv", views.release_report, name="release_report"),
    path("desil/<uuid:pk>/tanpa-desil/", views.release_missing, name="release_missing"),
    path("desil/<uuid:pk>/tanpa-desil.csv", views.release_missing_csv, name="release_missing_csv"),
    path("pmt/", views.weight_sets, name="weight_sets"),
    path("pmt/<uuid:pk>/", views.weight_set_detail, name="weight_set_detail"),
    path("pmt/<uuid:pk>/rekap/", views.recap, name="recap"),
    path("pmt/<uuid:pk>/tinjau/", views.review, name="review"),
    path("pmt/<uuid:pk>/tinjau.csv", views.review_csv, name="review_csv"),
]
