from django.urls import path

from tepat.relief import views

app_name = "relief"
urlpatterns = [
    path("", views.event_list, name="event_list"),
    path("kejadian/baru/", views.event_create, name="event_create"),
    path("kejadian/<uuid:pk>/", views.event_detail, name="event_detail"),
    path("kejadian/<uuid:pk>/rumah-tangga/", views.household_create, name="household_create"),
    path("kejadian/<uuid:pk>/<slug:action>/", views.event_action, name="event_action"),
    path("gudang/", views.warehouse_list, name="warehouse_list"),
    path("gudang/<uuid:pk>/", views.warehouse_detail, name="warehouse_detail"),
    path("gudang/<uuid:pk>/keluarkan/", views.issue_form, name="issue_form"),
    path("gudang/<uuid:pk>/<slug:action>/", views.warehouse_action, name="warehouse_action"),
]
