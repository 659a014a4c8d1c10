"""The masking policy (ADR 0008): a masked role cannot rebuild a NIK or KK from anything it can fetch,
searches only by whole numbers, and every search and list page is recorded without the query in clear."""

import itertools
import json
import re

import pytest
from django.urls import reverse

from conftest import VILLAGE, client_for
from tepat.audit.models import AuditEvent
from tepat.registry import masking
from tepat.registry.models import Individual

API = "/api/v1/registry"
pytestmark = pytest.mark.django_db


def test_mask_keeps_the_region_digits_only():
    assert masking.mask_identity("3604051403850001") == "360405**********"
    assert masking.mask_identity("1234567890") == "**********"
    assert masking.mask_identity("") == ""


def test_audit_payload_masks_dotted_paths_and_drops_sensitive_answers():
    data = {"corrections": {"members.0.nik": "3604051403850001", "members.0.chronic_illness": 3},
            "note": "ktp 3604051403850001", "after": {"birth_date": "1985-03-14"}}
    safe = masking.audit_payload(data)
    assert safe["corrections"] == {"members.0.nik": "360405**********", "members.0.chronic_illness": "•••"}
    assert safe["note"] == "ktp 360405**********"
    assert masking.redact(masking.MASKED, safe)["after"]["birth_date"] == 1985
    assert "members.0.chronic_illness" not in masking.redact(masking.MASKED, safe)["corrections"]


def test_fact_results_are_masked_by_their_path():
    results = [{"path": "members.0.nik", "proposed": "3604051403850001", "value": "3604051403850002"},
               {"path": "members.0.chronic_illness", "proposed": 1, "value": 3}]
    shown = masking.redact(masking.MASKED, results)
    assert shown[0]["proposed"] == shown[0]["value"] == "360405**********"
    assert shown[1]["proposed"] == shown[1]["value"] == "•••"


_DATES = (re.compile(r"(?<!\d)(\d{4})-(\d{2})-(\d{2})(?!\d)"), re.compile(r"(?<!\d)(\d{2})[-/.](\d{2})[-/.](\d{4})(?!\d)"))


def _rebuild_candidates(body: str, real: set[str]) -> set[str]:
    """Everything an attacker could read: 16-digit runs, and every region prefix shown masked combined with
    every full date shown (either sex, the first serials): a masked export with full birth dates fails here."""
    found = set(re.findall(r"(?<!\d)\d{16}(?!\d)", body))
    prefixes = set(re.findall(r"(?<!\d)(\d{6})\*{10}", body))
    dates = {(int(y), int(m), int(d)) for y, m, d in _DATES[0].findall(body)}
    dates |= {(int(y), int(m), int(d)) for d, m, y in _DATES[1].findall(body)}
    for prefix, (y, m, d), offset, serial in itertools.product(prefixes, dates, (0, 40), range(1, 21)):
        found.add(f"{prefix}{d + offset:02d}{m:02d}{y % 100:02d}{serial:04d}")
    return found & real


@pytest.mark.parametrize("role", ["village_head", "province_viewer", "auditor"])
def test_a_masked_role_cannot_rebuild_any_nik_from_what_it_can_fetch(role, request, family, village_operator):
    actor = request.getfixturevalue(role)
    head = family.members.get(relation=1)
    client_for(village_operator).patch(f"{API}/members/{head.pk}", data=json.dumps({"chronic_illness": 2}),
                                       content_type="application/json")
    client = client_for(actor)
    responses = [client.get(url) for url in (
        f"{API}/families", f"{API}/families/{family.pk}", f"{API}/families/{family.pk}/history",
        reverse("registry:family_detail", args=[family.pk]), reverse("registry:family_list"), "/api/v1/audit/events",
    )]
    assert [r.status_code for r in responses][:5] == [200] * 5
    bodies = [r.content.decode() for r in responses]
    real = set(Individual.objects.values_list("nik", flat=True)) | {family.kk_number}
    everything = "\n".join(bodies)
    assert not _rebuild_candidates(everything, real)
    detail = json.loads(bodies[1]) if bodies[1].startswith("{") else None
    if detail is not None:
        for member in detail["members"]:
            assert member["birth_date"] is None and member["birth_year"]
            assert member["nik"].endswith("*" * 10)
            # The hidden digits cover the date and the serial: every date of the year and every serial fit.
            year = member["birth_year"] % 100
            fits = [f"{member['nik'][:6]}{d:02d}{m:02d}{year:02d}{s:04d}"
                    for d, m, s in itertools.product(range(1, 72), range(1, 13), range(1, 3))]
            assert len(set(fits)) > 1000
        assert "chronic_illness" not in json.dumps(detail["members"]).replace('"chronic_illness": null', "")


def test_a_masked_role_may_not_search_by_part_of_a_number(village_head, family):
    head = family.members.get(relation=1)
    seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    response = client_for(village_head).get(f"{API}/families", {"q": head.nik[:10]})
    assert response.status_code == 422 and "16" in response.content.decode()
    assert not AuditEvent.objects.filter(seq__gt=seq, action="personal_data.search").exists()
    page = client_for(village_head).get(reverse("registry:family_list"), {"q": head.nik[:10]})
    assert page.status_code == 422 and head.nik not in page.content.decode()


def test_a_whole_number_search_is_recorded_hashed(village_head, family):
    head = family.members.get(relation=1)
    response = client_for(village_head).get(f"{API}/families", {"q": head.nik})
    assert response.status_code == 200 and response.json()["count"] == 1
    event = AuditEvent.objects.filter(action="personal_data.search").latest("seq")
    assert event.actor_id == village_head.pk
    assert event.data == {"kind": "identity", "exact": True, "query_hash": masking.search_digest("identity", head.nik),
                          "ip_hash": masking.search_digest("ip", "127.0.0.1")}
    assert head.nik not in json.dumps(event.data)


def test_each_list_page_is_one_view_event(village_head, family):
    client_for(village_head).get(reverse("registry:family_list"))
    event = AuditEvent.objects.filter(action="personal_data.view").latest("seq")
    assert (event.actor_id, event.data["kind"], event.data["count"], event.data["page"]) == (
        village_head.pk, "family_list", 1, 1)
    client_for(village_head).get(f"{API}/families", {"region": VILLAGE})
    event = AuditEvent.objects.filter(action="personal_data.view").latest("seq")
    assert (event.data["kind"], event.region_code) == ("family_list", VILLAGE)


@pytest.mark.parametrize(("fmt", "preset"), [("csv", "siks"), ("xlsx", "siks"), ("csv", "tepat"), ("xlsx", "tepat")])
@pytest.mark.parametrize("role", ["village_head", "province_viewer", "auditor"])
def test_a_masked_export_rebuilds_no_nik(role, fmt, preset, request, family, monkeypatch, tmp_path):
    """A masked role given the export capability gets exactly what the pages show it: region digits of
    NIK/KK, the birth year only, no sensitive columns. Nothing in the file rebuilds a NIK."""
    from python_calamine import CalamineWorkbook

    from tepat.accounts import roles
    from tepat.accounts.roles import Capability
    from tepat.registry.transfer.exporter import registry_export

    actor = request.getfixturevalue(role)
    granted = {r: caps | {Capability.REGISTRY_EXPORT} for r, caps in roles.ROLE_CAPABILITIES.items()}
    monkeypatch.setattr(roles, "ROLE_CAPABILITIES", granted)
    out = tmp_path / f"export.{fmt}"
    result = registry_export(actor=actor, region_code=VILLAGE, out=out, fmt=fmt, preset=preset)
    assert result.masked is True and result.rows == family.members.count()
    if fmt == "csv":
        body = out.read_bytes().decode("utf-8-sig")
    else:
        body = "\n".join(";".join(str(v) for v in row)
                         for row in CalamineWorkbook.from_path(str(out)).get_sheet_by_index(0).to_python())
    real = set(Individual.objects.values_list("nik", flat=True)) | {family.kk_number}
    assert not _rebuild_candidates(body, real)
    years = {str(m.birth_date.year) for m in family.members.all()}
    assert years <= set(re.split(r"[;\n]", body))  # the year is there, the day and month are not
    for member in family.members.all():
        for shown in (member.birth_date.isoformat(), member.birth_date.strftime("%d-%m-%Y")):
            assert shown not in body
    assert "chronic_illness" not in body.lower() and "PENYAKIT" not in body.upper()


def _search(user, nik, ip="10.0.0.1"):
    response = client_for(user).get(f"{API}/families", {"q": nik}, REMOTE_ADDR=ip)
    assert response.status_code == 200
    return response.json()


def test_whole_number_searches_are_throttled_per_user_answering_like_no_match(village_head, family, settings):
    settings.TEPAT_IDENTITY_SEARCH_LIMIT_USER = 3
    head = family.members.get(relation=1)
    unknown = "3604051111110001"
    assert _search(village_head, head.nik)["count"] == 1
    _search(village_head, unknown)
    no_match = _search(village_head, unknown)
    assert no_match["count"] == 0
    assert not AuditEvent.objects.filter(action="personal_data.search_throttled").exists()

    throttled = _search(village_head, head.nik)  # the fourth: a real NIK now finds nothing

    assert throttled == no_match  # the same answer as a number that matches no one
    event = AuditEvent.objects.get(action="personal_data.search_throttled")
    assert (event.actor_id, event.data["limit"], event.data["max"]) == (village_head.pk, "user", 3)
    assert AuditEvent.objects.filter(action="personal_data.search").count() == 4  # the attempt is recorded too
    page = client_for(village_head).get(reverse("registry:family_list"), {"q": head.nik})
    assert page.status_code == 200 and head.name not in page.content.decode()


def test_whole_number_searches_are_throttled_per_address(request, family, make_user, settings):
    settings.TEPAT_IDENTITY_SEARCH_LIMIT_USER = 0
    settings.TEPAT_IDENTITY_SEARCH_LIMIT_IP = 2
    head = family.members.get(relation=1)
    first, second = make_user("village_head", [VILLAGE]), make_user("village_head", [VILLAGE])
    assert _search(first, head.nik)["count"] == 1
    assert _search(second, head.nik, ip="10.0.0.2")["count"] == 1
    assert _search(second, head.nik)["count"] == 1
    assert _search(first, head.nik)["count"] == 0  # third from 10.0.0.1, whoever asks
    assert _search(first, head.nik, ip="10.0.0.2")["count"] == 1
    event = AuditEvent.objects.get(action="personal_data.search_throttled")
    assert event.data["limit"] == "ip" and "10.0.0" not in json.dumps(
        list(AuditEvent.objects.values_list("data", flat=True)))


def test_full_access_roles_are_not_throttled(village_operator, family, settings):
    settings.TEPAT_IDENTITY_SEARCH_LIMIT_USER = 1
    head = family.members.get(relation=1)
    for _ in range(3):
        assert _search(village_operator, head.nik)["count"] == 1
    assert not AuditEvent.objects.filter(action="personal_data.search_throttled").exists()
