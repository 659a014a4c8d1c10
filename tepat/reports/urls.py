from django.urls import path

from tepat.reports import realisation, views

app_name = "reports"
urlpatterns = [
    path("", views.recap, name="recap"),
    path("segarkan/", views.recap_refresh, name="recap_refresh"),
    path("tren.svg", views.trend_chart, name="trend_chart"),
    path("grafik.svg", views.recap_chart, name="recap_chart"),
    path("unduh.<str:file_format>", views.recap_download, name="recap_download"),
    path("penyaluran/<uuid:pk>/", realisation.dashboard, name="realisation"),
    path("penyaluran/<uuid:pk>/grafik.svg", realisation.dashboard_chart, name="realisation_chart"),
]
