from django.urls import path

from tepat.public import views

app_name = "public"
urlpatterns = [
    path("publik/", views.index, name="index"),
    path("publik/tantangan/", views.challenge, name="challenge"),
    path("publik/wilayah/", views.region_picker, name="region_picker"),
    path("cek-bansos/", views.lookup, name="lookup"),
    path("sanggah/", views.objection, name="objection"),
    path("usul/", views.proposal, name="proposal"),
    path("lacak/", views.track, name="track"),
    path("transparansi/", views.transparency, name="transparency"),
    path("transparansi/daftar-penerima/", views.published_list, name="published_list"),
    path("transparansi/penerima-per-desa.csv", views.open_data, name="open_data"),
    path("transparansi/pengaduan-per-kecamatan.csv", views.complaint_open_data, name="complaint_open_data"),
    # staff (login): the village queue of citizens' reports
    path("laporan-warga/", views.queue, name="queue"),
    path("laporan-warga/<uuid:report_id>/", views.report_detail, name="report_detail"),
]
