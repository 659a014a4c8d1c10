"""Region-less events (sign-ins, failed sign-ins with the typed username, the region master) are scoped
too: an administrator sees sign-in events of accounts assigned within their regions; the rest only an
administrator of national scope (assignments covering every province of the region master)."""

import pytest
from django.contrib.auth.models import AnonymousUser
from django.db import transaction

from conftest import DISTRICT, OTHER_DISTRICT, TEST_PROVINCES, client_for
from tepat.audit.services import audit_record
from tepat.trail.selectors import actor_has_national_scope, audit_event_list

API = "/api/v1/audit/events"


@pytest.fixture
def sign_ins(make_user):
    here = make_user("dinsos_operator", [DISTRICT], "op_here")
    there = make_user("dinsos_operator", [OTHER_DISTRICT], "op_there")
    with transaction.atomic():
        events = {
            "login_here": audit_record(actor=here, action="auth.login", target=here),
            "failed_here": audit_record(actor=AnonymousUser(), action="auth.login_failed", target=here,
                                        data={"username": "op_here"}),
            "login_there": audit_record(actor=there, action="auth.login", target=there),
            "failed_unknown": audit_record(actor=AnonymousUser(), action="auth.login_failed",
                                           data={"username": "op_there_typo"}),
        }
    return {name: event.seq for name, event in events.items()}


def _seen(actor) -> set[int]:
    return set(audit_event_list(actor=actor).filter(region_code="").values_list("seq", flat=True))


def test_a_district_administrator_sees_only_sign_ins_of_accounts_in_their_district(sign_ins, make_user):
    admin_here = make_user("administrator", [DISTRICT], "admin_here")
    admin_there = make_user("administrator", [OTHER_DISTRICT], "admin_there")

    seen_here, seen_there = _seen(admin_here), _seen(admin_there)

    assert {sign_ins["login_here"], sign_ins["failed_here"]} <= seen_here
    assert not {sign_ins["login_there"], sign_ins["failed_unknown"]} & seen_here
    assert sign_ins["login_there"] in seen_there
    assert not {sign_ins["login_here"], sign_ins["failed_here"], sign_ins["failed_unknown"]} & seen_there
    # The region master load (no target) is not a district administrator's either.
    assert not any(action == "regions.load" for action in
                   audit_event_list(actor=admin_here).values_list("action", flat=True))


def test_a_national_administrator_sees_every_region_less_event(sign_ins, make_user):
    national = make_user("administrator", sorted(TEST_PROVINCES), "admin_national")

    assert actor_has_national_scope(national)
    assert set(sign_ins.values()) <= _seen(national)
    assert audit_event_list(actor=national).filter(action="regions.load").exists()


def test_a_province_administrator_is_not_national_while_another_province_is_loaded(make_user):
    assert not actor_has_national_scope(make_user("administrator", ["36"], "admin_banten"))


def test_auditors_see_no_region_less_events(sign_ins, auditor):
    assert _seen(auditor) == set()


def test_the_api_applies_the_same_scope(sign_ins, make_user):
    admin_there = make_user("administrator", [OTHER_DISTRICT], "admin_there")

    items = client_for(admin_there).get(API, {"action": "auth."}).json()["items"]

    usernames = {(item["action"], item.get("target_id")) for item in items}
    assert all(item["region_code"] == "" for item in items)
    assert len(items) == 1 and ("auth.login", items[0]["target_id"]) in usernames
    assert "op_there_typo" not in str(items) and "op_here" not in str(items)
