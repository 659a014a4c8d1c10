"""End to end in real headless Chromium: a new-family proposal from the village operator to determination,
switching users at each stage (operator → facilitator → operator → village head → Dinsos operator →
Dinsos supervisor), and the family is in the registry only at the end.

Set TEPAT_SCREENSHOT_DIR to keep screenshots of the pages visited (desktop and phone widths).
"""

from __future__ import annotations

import os
from contextlib import contextmanager
from datetime import date
from pathlib import Path

import pytest
from django.conf import settings

from conftest import DISTRICT, VILLAGE, make_kk, make_nik
from tepat.core.tests.browser import CHROMIUM, LAUNCH_ARGS
from tepat.core.tests.browser import require_chromium as _require_chromium
from tepat.updates.tests.factories import PDF_BYTES

pytestmark = pytest.mark.browser


def _session_cookie(user) -> str:
    """A signed-in session for the user, made before the browser starts (no ORM inside Playwright's loop)."""
    from django.test import Client

    client = Client()
    client.force_login(user)
    return client.cookies[settings.SESSION_COOKIE_NAME].value


@contextmanager
def chromium_context():
    from playwright.sync_api import sync_playwright

    with sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=CHROMIUM, args=LAUNCH_ARGS)
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="id-ID")
        context.set_default_timeout(15000)
        try:
            yield context
        finally:
            context.close()
            browser.close()


def _shot(page, name: str) -> None:
    folder = os.environ.get("TEPAT_SCREENSHOT_DIR")
    if folder:
        Path(folder).mkdir(parents=True, exist_ok=True)
        page.screenshot(path=str(Path(folder) / f"updates_{name}.png"), full_page=True)


def test_new_family_from_village_operator_to_determination(live_server, transactional_db, regions, make_user,
                                                            monkeypatch):
    from tepat.registry.models import Family
    from tepat.updates.models import Proposal

    _require_chromium()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    users = {
        "operator": make_user("village_operator", [VILLAGE], "op_desa"),
        "facilitator": make_user("facilitator", [VILLAGE], "psm"),
        "head": make_user("village_head", [VILLAGE], "kades"),
        "dinsos": make_user("dinsos_operator", [DISTRICT], "op_dinsos"),
        "supervisor": make_user("dinsos_supervisor", [DISTRICT], "spv_dinsos"),
    }
    cookies = {name: _session_cookie(user) for name, user in users.items()}
    kk = make_kk(issued=date(2018, 3, 9))
    head_nik = make_nik(born=date(1981, 6, 12))
    wife_nik = make_nik(born=date(1984, 2, 3), sex=2)

    with chromium_context() as context:
        reference = _scenario(context, live_server.url, cookies, kk, head_nik, wife_nik)

    proposal = Proposal.objects.get(reference=reference)
    assert proposal.status == Proposal.Status.APPLIED
    family = Family.objects.get(kk_number=kk)
    assert family.region_id == VILLAGE
    assert family.rt == "009"  # corrected by the facilitator in the field (proposed 4)
    assert sorted(family.members.values_list("nik", flat=True)) == sorted([head_nik, wife_nik])
    assert proposal.family_id == family.pk


def _scenario(context, base: str, cookies: dict[str, str], kk: str, head_nik: str, wife_nik: str) -> str:
    from playwright.sync_api import expect

    page = context.new_page()

    def become(name: str) -> None:
        context.clear_cookies()
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookies[name], "url": base}])

    # 1. Village operator enters the proposal.
    become("operator")
    page.goto(f"{base}/pemutakhiran/usulan/baru/new_family/")
    page.select_option("#id_region", VILLAGE)
    page.fill("#id_kk_number", kk)
    page.fill("#id_address", "Kp. Sukamaju")
    page.fill("#id_rw", "2")
    page.fill("#id_rt", "4")
    for i, (nik, name, sex, born, relation) in enumerate([
        (head_nik, "Wawan Setiawan", "1", "1981-06-12", "1"), (wife_nik, "Euis Nurhayati", "2", "1984-02-03", "2"),
    ]):
        page.fill(f"#id_m{i}_nik", nik)
        page.fill(f"#id_m{i}_name", name)
        page.select_option(f"#id_m{i}_sex", sex)
        page.fill(f"#id_m{i}_birth_place", "Serang")
        page.fill(f"#id_m{i}_birth_date", born)
        page.select_option(f"#id_m{i}_relation", relation)
    page.select_option("#id_source", "village_operator")
    _shot(page, "new_family_form")
    page.click("button[name=submit_now]")
    page.wait_for_selector("[data-status='submitted']")
    reference = page.locator("h1 .mono").inner_text().strip()
    detail_url = page.url
    # Assign a facilitator (round-robin).
    page.click("form[action$='/tugaskan/'] button[type=submit]")
    expect(page.locator("[data-status='in_verification']")).to_be_visible()
    _shot(page, "proposal_assigned")

    # 2. Facilitator visits, on a phone, and corrects the RT.
    become("facilitator")
    page.set_viewport_size({"width": 390, "height": 844})
    page.goto(detail_url)
    page.click("#record-visit")
    page.wait_for_selector("[data-fact='family.rt']")
    rt = page.locator("[data-fact='family.rt']")
    rt.locator("input[value=corrected]").check()
    rt.locator("input[type=text]").fill("9")
    page.fill("#id_latitude", "-6.051234")
    page.fill("#id_longitude", "106.110987")
    _shot(page, "visit_form_phone")
    page.click("form button[type=submit].button--block")
    page.wait_for_selector("[data-status='verified']")
    page.set_viewport_size({"width": 1280, "height": 900})

    # 3. Village operator plans the deliberation and records the decision.
    become("operator")
    page.goto(f"{base}/pemutakhiran/musyawarah/")
    page.click("details summary")
    page.fill("#id_place", "Balai Desa Kramatwatu")
    page.fill("#id_chair_name", "H. Sukarna")
    page.select_option("#id_region", VILLAGE)
    page.click("#deliberation-create button[type=submit]")
    page.wait_for_selector("[data-status='planned']")
    page.click("form[action$='/agenda/'] button[type=submit]")
    page.wait_for_selector(f"tr[data-item='{reference}']")
    page.fill("#id_name", "H. Sukarna")
    page.fill("#id_position", "Kepala Desa")
    page.click("form[action$='/hadir/'] button[type=submit]")
    page.locator(f"tr[data-item='{reference}'] select[name^=decision_]").select_option("accepted")
    page.click("#decisions-form button[type=submit]")
    expect(page.locator(f"tr[data-item='{reference}'] [data-decision='accepted']")).to_be_visible()
    _shot(page, "deliberation")

    # 4. Village head closes the session, prints the minutes, uploads the signed scan.
    become("head")
    page.reload()
    page.fill("#id_number", "141/07/BA-MUSDES/2025")
    page.click("form[action$='/tutup/'] button[type=submit]")
    page.wait_for_selector("[data-status='finalised']")
    minutes = page.request.get(base + page.locator("a[href$='berita-acara.pdf']").get_attribute("href"))
    assert minutes.ok and minutes.body().startswith(b"%PDF-")
    page.set_input_files("#id_signed_scan", {"name": "ba-ttd.pdf", "mimeType": "application/pdf",
                                             "buffer": PDF_BYTES})
    page.click("form[action$='/tanda-tangan/'] button[type=submit]")
    page.wait_for_selector("[data-status='signed']")

    # 5. Dinsos operator approves.
    become("dinsos")
    page.goto(detail_url)
    page.wait_for_selector("[data-status='accepted']")
    page.click("form[action$='/setujui/'] button[type=submit]")
    page.wait_for_selector("[data-status='approved']")
    _shot(page, "proposal_approved")

    # 6. Dinsos supervisor opens the period and determines it.
    become("supervisor")
    page.goto(f"{base}/pemutakhiran/penetapan/")
    page.fill("#id_starts_on", "2025-07-01")
    page.click("#period-create button[type=submit]")
    row = page.locator("tr[data-period='2025-07']")
    row.wait_for()
    row.locator("input[name=decree_number]").fill("SK-460/07/Dinsos/2025")
    row.locator("input[name=decree_date]").fill("2025-07-31")
    row.locator("button[type=submit]").click()
    # The run is a background job (immediate in tests); the period page shows its progress until done.
    page.wait_for_selector("#period-progress[data-status='determined'] #period-done")
    page.goto(f"{base}/pemutakhiran/penetapan/")
    page.wait_for_selector("tr[data-period='2025-07'] [data-status='determined']")
    _shot(page, "periods")
    page.goto(detail_url)
    page.wait_for_selector("[data-status='applied']")
    _shot(page, "proposal_applied")
    return reference
