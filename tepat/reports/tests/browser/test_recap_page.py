"""In real headless Chromium: a Dinsos operator opens the recap (its menu entry marked current), sees the chart render under
the page's policy, drills down from the district to a kecamatan, sorts by a column and downloads the XLSX."""

from __future__ import annotations

import pytest

from conftest import DISTRICT, KECAMATAN, VILLAGE
from tepat.updates.tests.browser.test_new_family_flow import (
    _require_chromium,
    _session_cookie,
    chromium_context,
)

pytestmark = pytest.mark.browser


def test_operator_reads_the_recap_and_downloads_it(live_server, transactional_db, regions, make_user, monkeypatch):
    from datetime import date

    from conftest import make_kk, member_data
    from tepat.registry.services import family_create

    _require_chromium()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    operator = make_user("dinsos_operator", [DISTRICT], "op_dinsos")
    for i in range(3):
        family_create(correction_reason="test fixture", actor=operator, region_code=VILLAGE,
                      data={"kk_number": make_kk(), "rw": "1", "rt": str(i + 1)},
                      members=[member_data(relation=1, name=f"Kepala {i}", born=date(1970, 1, 1 + i))])
    cookie = _session_cookie(operator)
    errors: list[str] = []
    with chromium_context() as context:
        context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])
        page = context.new_page()
        page.on("console", lambda msg: errors.append(msg.text) if msg.type == "error" else None)
        context.set_default_timeout(45000)  # the chart is a second request; CI machines are shared
        page.goto(f"{live_server.url}/laporan/", wait_until="domcontentloaded")
        assert page.get_attribute("nav.mainnav a[href='/laporan/']", "aria-current") == "page"
        page.wait_for_selector(f"[data-region='{KECAMATAN}']")
        assert page.get_attribute("[data-staleness]", "data-staleness") == "live"  # no precomputed run yet
        page.wait_for_function("() => document.querySelector('[data-chart=recap]').naturalWidth > 0")
        page.click(f"[data-region='{KECAMATAN}'] a")
        page.wait_for_selector(f"[data-region='{VILLAGE}']")
        assert page.inner_text(f"[data-region='{VILLAGE}'] td:nth-child(3)") == "3"
        page.click("[data-sort=families_active]")
        page.wait_for_url("**sort=families_active**", wait_until="domcontentloaded")
        with page.expect_download() as download:
            page.click("[data-action=download-xlsx]")
        assert download.value.suggested_filename.startswith(f"rekap-{KECAMATAN}-")
    assert not [e for e in errors if "Content Security Policy" in e], errors
