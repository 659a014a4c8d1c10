from django.urls import path

from tepat.grievances import views

app_name = "grievances"
urlpatterns = [
    path("", views.complaint_list_view, name="complaint_list"),
    path("baru/", views.complaint_new, name="complaint_new"),
    path("baru/cari/", views.subject_lookup_view, name="subject_lookup"),
    path("kasus/<uuid:pk>/", views.complaint_detail_view, name="complaint_detail"),
    path("kasus/<uuid:pk>/<slug:action>/", views.complaint_action, name="complaint_action"),
    path("rujukan/<uuid:pk>/surat.pdf", views.referral_letter, name="referral_letter"),
    path("rujukan/<uuid:pk>/<slug:action>/", views.referral_action, name="referral_action"),
    path("dasbor/", views.dashboard_view, name="dashboard"),
    path("eskalasi/<uuid:pk>/baca/", views.escalation_ack, name="escalation_ack"),
    path("kalender/", views.holidays_view, name="holidays"),
    path("verifikasi/<str:token>/", views.verify, name="verify"),
]
