from django.urls import path

from tepat.planning import views

app_name = "planning"
urlpatterns = [
    path("", views.plan_list, name="plan_list"),
    path("<int:pk>/", views.plan_detail, name="plan_detail"),
    path("<int:pk>/baris/<int:line_id>/realisasi/", views.realisation_enter, name="realisation_enter"),
    path("<int:pk>/hitung/", views.realisation_compute_view, name="realisation_compute"),
    path("<int:pk>/rincian/<str:code>/<int:quarter>/", views.drilldown_view, name="drilldown"),
    path("<int:pk>/aksi/<slug:action>/", views.plan_action, name="plan_action"),
    path("<int:pk>/versi/", views.version_diff_view, name="version_diff"),
    path("<int:pk>/unduh.<str:fmt>", views.plan_export, name="plan_export"),
]
