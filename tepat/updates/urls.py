from django.urls import path

from tepat.updates.views import deliberations, district, proposals, verification

app_name = "updates"
urlpatterns = [
    path("", proposals.queue, name="queue"),
    path("usulan/", proposals.proposal_list_view, name="proposal_list"),
    path("usulan/baru/<str:kind>/", proposals.proposal_new, name="proposal_new"),
    path("keluarga/<uuid:family_id>/usulan/<str:kind>/", proposals.family_proposal, name="family_proposal"),
    path("keluarga/<uuid:family_id>/sanggah/", proposals.objection_new, name="objection_new"),
    path("usulan/<uuid:pk>/", proposals.proposal_detail_view, name="proposal_detail"),
    path("usulan/<uuid:pk>/ajukan/", proposals.proposal_submit_view, name="proposal_submit"),
    path("usulan/<uuid:pk>/tarik/", proposals.proposal_withdraw_view, name="proposal_withdraw"),
    path("usulan/<uuid:pk>/tugaskan/", proposals.proposal_assign_view, name="proposal_assign"),
    path("usulan/<uuid:pk>/verifikasi/", verification.proposal_verify, name="proposal_verify"),
    path("usulan/<uuid:pk>/setujui/", proposals.proposal_approve_view, name="proposal_approve"),
    path("usulan/<uuid:pk>/tolak/", proposals.proposal_reject_view, name="proposal_reject"),
    path("usulan/<uuid:pk>/dokumen/", proposals.document_add_view, name="document_add"),
    path("dokumen/<uuid:pk>/", proposals.document_download, name="document_download"),
    path("musyawarah/", deliberations.deliberation_list_view, name="deliberation_list"),
    path("musyawarah/<uuid:pk>/", deliberations.deliberation_detail_view, name="deliberation_detail"),
    path("musyawarah/<uuid:pk>/hadir/", deliberations.attendee_add, name="attendee_add"),
    path("musyawarah/<uuid:pk>/agenda/", deliberations.agenda_add, name="agenda_add"),
    path("musyawarah/keputusan/<uuid:item_id>/", deliberations.item_decide, name="item_decide"),
    path("musyawarah/<uuid:pk>/tutup/", deliberations.deliberation_finalise_view, name="deliberation_finalise"),
    path("musyawarah/<uuid:pk>/tanda-tangan/", deliberations.deliberation_sign_view, name="deliberation_sign"),
    path("musyawarah/<uuid:pk>/batal/", deliberations.deliberation_cancel_view, name="deliberation_cancel"),
    path("musyawarah/<uuid:pk>/berita-acara.pdf", deliberations.minutes_pdf_view, name="minutes_pdf"),
    path("pengiriman/", district.batch_list_view, name="batch_list"),
    path("pengiriman/<uuid:pk>/", district.batch_detail_view, name="batch_detail"),
    path("pengiriman/<uuid:pk>/berkas/", district.batch_file_view, name="batch_file"),
    path("pengiriman/<uuid:pk>/jawaban/", district.batch_response_view, name="batch_response"),
    path("penetapan/", district.period_list_view, name="period_list"),
    path("penetapan/<uuid:pk>/tetapkan/", district.period_determine_view, name="period_determine"),
    path("penetapan/selisih/", district.period_diff_view, name="period_diff"),
    path("pembekuan/", district.freeze_list_view, name="freeze_list"),
    path("pembekuan/<uuid:pk>/cabut/", district.freeze_lift_view, name="freeze_lift"),
]
