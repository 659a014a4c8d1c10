"""End to end in real headless Chromium: a village operator records a walk-in complaint about a person who
is not in the registry (the lookup finds nobody), assesses it, decides the service and refers it; the referral
letter is issued and its QR verification answers without login."""

from __future__ import annotations

import pytest

from conftest import VILLAGE
from tepat.updates.tests.browser.test_new_family_flow import (
    _require_chromium,
    _session_cookie,
    chromium_context,
)

pytestmark = pytest.mark.browser


def test_village_operator_records_a_walk_in_and_refers_it(live_server, transactional_db, regions, make_user,
                                                          monkeypatch):
    from django.apps import apps

    from tepat.grievances.letters import letter_token
    from tepat.grievances.models import Complaint, Referral
    from tepat.grievances.seed import seed

    _require_chromium()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    seed(apps)  # a transactional test's flush removed the catalogue the migration seeded
    operator = make_user("village_operator", [VILLAGE], "op_desa")
    cookie = _session_cookie(operator)
    with chromium_context() as context:
        context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])
        page = context.new_page()
        page.goto(f"{live_server.url}/pengaduan/baru/")
        page.fill("#lookup-q", "Marsinah Wulandari")
        page.wait_for_selector("[data-not-found]")
        page.select_option("#id_channel", "puskesos")
        page.select_option("#id_category", "service-referral")
        page.fill("#id_description", "Datang ke Puskesos: anak sakit, belum punya JKN, tidak terdaftar DTKS.")
        page.select_option("#id_subject_kind", "unregistered")
        page.fill("#id_subject_name", "Marsinah Wulandari")
        page.fill("#id_subject_address", "Kp. Pasir RT 03/RW 01")
        page.fill("#id_subject_region_code", VILLAGE)
        page.fill("#id_complainant_name", "Marsinah Wulandari")
        page.fill("#id_complainant_contact", "081234567890")
        page.click("[data-intake] button[type=submit]")
        page.wait_for_selector("[data-status=registered]")
        assert page.inner_text("[data-registry-status]") in ("Not in the registry", "Belum terdaftar di registri")

        page.click("[data-action=assess] summary")
        page.fill("[data-action=assess] textarea[name=assessment]", "Tidak terdaftar; anak perlu layanan kesehatan.")
        page.fill("[data-action=assess] textarea[name=recommendation]", "Rujuk ke Dinas Kesehatan untuk PBI-JK.")
        page.click("[data-action=assess] button[type=submit]")
        page.wait_for_selector("[data-status=assessed]")
        page.click("[data-action=decide] summary")
        page.fill("[data-action=decide] textarea[name=decision]", "Rujukan pendaftaran PBI-JK.")
        page.click("[data-action=decide] button[type=submit]")
        page.wait_for_selector("[data-decision]")
        page.click("[data-action=refer] summary")
        page.select_option("[data-action=refer] select[name=service]", label="Dinas Kesehatan — Pendaftaran PBI-JK / JKN")
        page.click("[data-action=refer] button[type=submit]")
        page.wait_for_selector("[data-status=referred]")
        letter_number = page.get_attribute("[data-referral]", "data-referral")
        assert letter_number and "/RJK-SLRT/36.04/" in letter_number
        response = page.request.get(live_server.url + page.get_attribute("[data-letter]", "href"))
        assert response.status == 200 and response.body().startswith(b"%PDF")

        case = Complaint.objects.get()
        referral = Referral.objects.get()
        assert case.subject_kind == "unregistered" and case.region_id == VILLAGE and case.status == "referred"
        public = context.browser.new_context()  # no session: the QR's verification page
        verify = public.new_page()
        verify.goto(f"{live_server.url}/pengaduan/verifikasi/{letter_token(referral)}/")
        assert verify.get_attribute("[data-valid]", "data-valid") == "true"
        assert "Marsinah" not in verify.content()
        public.close()
