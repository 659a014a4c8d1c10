from django.urls import path

from tepat.distribution.invitations import views

app_name = "invitations"
urlpatterns = [
    path("pindai/", views.scan_view, name="scan"),
    path("cetak/<str:village_code>/", views.print_view, name="print"),
]
