"""End to end in real headless Chromium: the planner opens the 2025 Renja (source 001 imported), enters a
quarter's realisation of one sub-kegiatan, sees its achievement update in the row (HTMX), sees the checker's
finding about it, and downloads the XLSX."""

from __future__ import annotations

import pytest

from conftest import DISTRICT
from tepat.updates.tests.browser.test_new_family_flow import (
    _require_chromium,
    _session_cookie,
    chromium_context,
)

pytestmark = pytest.mark.browser
CODE = "1.06.04.2.01.01"  # Penyediaan Permakanan: target 20 Orang, pagu 108.901.000


def test_planner_enters_a_quarter_and_downloads_the_workbook(live_server, transactional_db, regions, make_user,
                                                              monkeypatch):
    from tepat.planning.importer import import_workbook
    from tepat.planning.models import NomenclatureItem, NomenclatureVersion, PredicateBand, Realisation
    from tepat.planning.seed import SOURCE_001_WORKBOOK, load_bands, load_nomenclature

    _require_chromium()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    load_nomenclature(NomenclatureVersion, NomenclatureItem)  # the flush removed what the migration seeded
    load_bands(PredicateBand)
    planner = make_user("dinsos_operator", [DISTRICT], "perencana")
    plan = import_workbook(actor=planner, source=SOURCE_001_WORKBOOK).plan
    cookie = _session_cookie(planner)
    with chromium_context() as context:
        context.add_cookies([{"name": "sessionid", "value": cookie, "url": live_server.url}])
        page = context.new_page()
        page.goto(f"{live_server.url}/renja/")
        page.click("[data-plan='2025'] a")
        page.wait_for_selector("[data-lines]")
        row = f"[data-line='{CODE}']"
        assert "n/a" in page.inner_text(f"{row} [data-achievement]")
        page.select_option(f"{row} select[name=quarter]", "1")
        page.fill(f"{row} input[name=physical]", "10")
        page.fill(f"{row} input[name=financial]", "0")
        page.click(f"{row} button[type=submit]")
        page.locator(f"{row} [data-achievement]", has_text="Rendah").wait_for()  # 10 of 20: 50 %, "Sangat rendah"
        assert page.inner_text(f"{row} [data-achievement]").startswith("50")
        assert page.inner_text(f"{row} [data-quarter='1']").strip() == "10"
        assert Realisation.objects.get(item__code=CODE).physical == 10
        page.reload()
        finding = page.locator("[data-findings] [data-rule=physical_financial]", has_text=CODE)
        assert finding.count() == 1 and "keuangan 0" in finding.inner_text()
        assert page.locator("[data-findings] [data-rule=stated_rate]").count() >= 13  # the source's #DIV/0!
        with page.expect_download() as info:
            page.click("[data-download=xlsx]")
        path = info.value.path()
        with open(path, "rb") as handle:
            assert handle.read(2) == b"PK"
        assert info.value.suggested_filename == f"renja-{plan.year}.xlsx"
