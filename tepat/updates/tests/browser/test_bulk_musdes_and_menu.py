"""In real headless Chromium: every musdes decision recorded on one form (issue 9 item 12), and the main
menu at 390 px showing every section the user may open, "Kualitas data" included (item 11).

Set TEPAT_SCREENSHOT_DIR to keep screenshots.
"""

from __future__ import annotations

import pytest
from django.conf import settings

from conftest import DISTRICT, VILLAGE
from tepat.updates.tests.browser.test_new_family_flow import (
    _require_chromium,
    _session_cookie,
    _shot,
    chromium_context,
)

pytestmark = pytest.mark.browser


def test_every_musdes_decision_on_one_form(live_server, transactional_db, regions, make_user, monkeypatch):
    from tepat.updates.models import DeliberationItem
    from tepat.updates.services.deliberations import deliberation_agenda_add
    from tepat.updates.tests.factories import Actors, create, new_family_payload, session, verify

    _require_chromium()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    actors = Actors(make_user("village_operator", [VILLAGE], "op_desa"), make_user("facilitator", [VILLAGE], "psm"),
                    make_user("village_head", [VILLAGE], "kades"), make_user("dinsos_operator", [DISTRICT], "op_dinsos"),
                    make_user("dinsos_supervisor", [DISTRICT], "spv"))
    proposals = [verify(actors, create(actors, "new_family", new_family_payload(head=f"Kepala {n}"))) for n in "ABC"]
    deliberation = session(actors)
    deliberation_agenda_add(actor=actors.village_operator, deliberation=deliberation, proposals=proposals)
    refs = [p.reference for p in proposals]
    cookie = _session_cookie(actors.village_operator)
    url = f"{live_server.url}/pemutakhiran/musyawarah/{deliberation.pk}/"

    with chromium_context() as context:
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
        page = context.new_page()
        page.goto(url)
        row = {ref: page.locator(f"tr[data-item='{ref}']") for ref in refs}
        row[refs[0]].locator("select").select_option("accepted")
        row[refs[1]].locator("select").select_option("rejected")
        row[refs[1]].locator("input[type=text]").fill("sudah mampu")
        row[refs[2]].locator("select").select_option("accepted")
        page.click("#decisions-form button[type=submit]")  # one click for the whole session
        page.wait_for_selector(f"tr[data-item='{refs[2]}'] [data-decision='accepted']")
        decided = {ref: page.locator(f"tr[data-item='{ref}'] [data-decision]").get_attribute("data-decision")
                   for ref in refs}
        _shot(page, "musdes_bulk_decisions")

    assert decided == {refs[0]: "accepted", refs[1]: "rejected", refs[2]: "accepted"}
    stored = dict(DeliberationItem.objects.filter(deliberation=deliberation)
                  .values_list("proposal__reference", "decision"))
    assert stored == decided


@pytest.mark.parametrize("width", [390, 1280])
def test_menu_shows_every_section_at_phone_width(live_server, transactional_db, regions, make_user, monkeypatch,
                                                 width):
    _require_chromium()
    monkeypatch.setenv("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
    cookie = _session_cookie(make_user("dinsos_operator", [DISTRICT], "op_dinsos"))
    with chromium_context() as context:
        context.add_cookies([{"name": settings.SESSION_COOKIE_NAME, "value": cookie, "url": live_server.url}])
        page = context.new_page()
        page.set_viewport_size({"width": width, "height": 800})
        page.goto(f"{live_server.url}/")
        links = page.locator(".mainnav a")
        boxes = [(links.nth(i).inner_text(), links.nth(i).bounding_box()) for i in range(links.count())]
        language = page.locator(".langswitch").bounding_box()
        _shot(page, f"menu_{width}")
    labels = [label for label, _ in boxes]
    assert any("Kualitas" in label or "quality" in label.lower() for label in labels), labels
    for label, box in boxes:
        assert box is not None and box["x"] >= 0 and box["x"] + box["width"] <= width, (label, box)
    assert language["x"] + language["width"] <= width
