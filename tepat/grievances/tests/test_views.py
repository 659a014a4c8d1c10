"""Pages: the intake (registry lookup with status and programmes, a person not in the registry, a registry
family), masking of the complainant for masked readers, and the views of a sensitive case logged."""

import pytest

from conftest import VILLAGE, assert_audited, audit_seq, client_for
from tepat.grievances.models import Complaint
from tepat.grievances.tests.factories import about_family

pytestmark = pytest.mark.django_db


def test_lookup_shows_registry_status_and_logs_the_search(village_operator, family):
    seq = audit_seq()
    response = client_for(village_operator).get("/pengaduan/baru/cari/?q=Budi+Santoso")
    body = response.content.decode()
    assert response.status_code == 200 and str(family.pk) in body and "Budi Santoso" in body
    assert_audited("personal_data.search", actor=village_operator, after=seq)
    assert_audited("personal_data.view", actor=village_operator, after=seq, kind="complaint_subject_lookup")
    missing = client_for(village_operator).get("/pengaduan/baru/cari/?q=Tidak+Ada+Orangnya").content.decode()
    assert "data-not-found" in missing


def test_intake_page_records_a_person_not_in_the_registry(village_operator):
    response = client_for(village_operator).post("/pengaduan/baru/", {
        "channel": "puskesos", "category": "data-not-listed", "description": "Belum terdaftar",
        "subject_kind": "unregistered", "subject_name": "Sarinah", "subject_address": "Kp. Pasir",
        "subject_region_code": VILLAGE, "complainant_anonymous": "on"})
    case = Complaint.objects.get()
    assert response.status_code == 302 and response["Location"].endswith(f"/pengaduan/kasus/{case.pk}/")
    assert case.complainant_anonymous and case.subject_kind == "unregistered"


def test_intake_page_records_a_registry_family_and_shows_errors(village_operator, family):
    client = client_for(village_operator)
    bad = client.post("/pengaduan/baru/", {"channel": "lapor", "category": "data-wrong", "description": "x",
                                           "subject_kind": "family", "family_id": str(family.pk),
                                           "complainant_anonymous": "on"})
    assert bad.status_code == 200 and "LAPOR!" in bad.content.decode() and not Complaint.objects.exists()
    ok = client.post("/pengaduan/baru/", {"channel": "lapor", "category": "data-wrong", "description": "x",
                                          "external_reference": "LPR-123", "subject_kind": "family",
                                          "family_id": str(family.pk), "complainant_anonymous": "on"})
    assert ok.status_code == 302 and Complaint.objects.get().family_id == family.pk


def test_masked_reader_sees_no_complainant_name_or_full_contact(village_operator, province_viewer, family):
    case = about_family(village_operator, family)
    detail = client_for(province_viewer).get(f"/api/v1/grievances/complaints/{case.pk}").json()
    assert detail["complainant"]["name"] == "•••" and detail["complainant"]["contact"] == "081234******"
    assert detail["subject"]["kk_number"].endswith("*" * 10)
    full = client_for(village_operator).get(f"/api/v1/grievances/complaints/{case.pk}").json()
    assert full["complainant"]["name"] == "Budi Santoso" and full["complainant"]["contact"] == "081234567890"


def test_every_view_of_a_sensitive_case_is_logged(village_operator, dinsos_supervisor, family):
    case = about_family(village_operator, family, "sensitive-child-law", description="ABH")
    for reader in (village_operator, dinsos_supervisor):
        seq = audit_seq()
        assert client_for(reader).get(f"/pengaduan/kasus/{case.pk}/").status_code == 200
        assert_audited("personal_data.view", actor=reader, target=case, after=seq, kind="complaint", sensitive=True)
        seq = audit_seq()
        client_for(reader).get(f"/api/v1/grievances/complaints/{case.pk}")
        assert_audited("personal_data.view", actor=reader, target=case, after=seq, sensitive=True)


def test_list_page_hides_sensitive_cases_from_others(village_operator, make_user, family):
    about_family(village_operator, family, "sensitive-violence")
    visible = about_family(village_operator, family)
    colleague = make_user("village_operator", [VILLAGE], "op_lain")
    body = client_for(colleague).get("/pengaduan/?status=").content.decode()
    assert visible.reference in body and body.count("data-complaint=") == 1
    assert client_for(colleague).get("/api/v1/grievances/dashboard").json()["open"] == 1


def test_dashboard_buckets_by_age_and_state(village_operator, family):
    from datetime import timedelta

    from django.utils import timezone

    from tepat.grievances.selectors import dashboard

    fresh, old, older = (about_family(village_operator, family) for _ in range(3))
    now = timezone.now()
    Complaint.objects.filter(pk=old.pk).update(created_at=now - timedelta(days=4), sla_state="at_risk")
    Complaint.objects.filter(pk=older.pk).update(created_at=now - timedelta(days=40), sla_state="breached")
    data = dashboard(actor=village_operator)
    counts = {b["label"]: b["counts"] for b in data["buckets"]}
    assert counts["0–2"] == {fresh.sla_state: 1} and counts["3–5"] == {"at_risk": 1} and counts["> 30"] == {
        "breached": 1}
    assert data["open"] == 3


def test_follow_up_from_the_page_with_proposal_data(village_operator, family):
    import json

    from tepat.grievances.tests.factories import assessed

    case = assessed(village_operator, about_family(village_operator, family))
    client = client_for(village_operator)
    client.post(f"/pengaduan/kasus/{case.pk}/follow_up/", {"payload": "{not json"})
    case.refresh_from_db()
    assert case.status == "assessed"
    client.post(f"/pengaduan/kasus/{case.pk}/follow_up/", {
        "payload": json.dumps({"target": "family", "changes": {"address": "Kp. Baru"}})})
    case.refresh_from_db()
    assert case.status == "followed_up" and case.follow_ups.get().proposal.kind == "change_data"
