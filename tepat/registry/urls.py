from django.urls import path

from tepat.registry import views

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
]
