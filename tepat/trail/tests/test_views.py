"""Audit pages: only for AUDIT_VIEW roles, scoped to their regions; filters; the event with its hashes."""

from __future__ import annotations

import json
import re
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import client_for
from tepat.audit.models import AuditEvent

SPOUSE = 2  # relation code; the audit app's tests do not import the registry (layers contract)

LIST = reverse("audit:event_list")
LOGIN = reverse("accounts:login")


def detail_url(event: AuditEvent) -> str:
    return reverse("audit:event_detail", args=[event.seq])


def listed_seqs(content: str) -> set[int]:
    return {int(seq) for seq in re.findall(r'href="/audit/(\d+)/"', content)}


def edit_member(actor, member, **changes) -> None:
    """Change a member through the registry's page, as a person would."""
    data = {"nik": member.nik, "name": member.name, "sex": member.sex, "birth_place": member.birth_place,
            "birth_date": member.birth_date.isoformat(), "relation": member.relation,
            "marital_status": member.marital_status or "", "correction_reason": "koreksi uji", **changes}
    response = client_for(actor).post(reverse("registry:individual_update", args=[member.pk]), data)
    assert response.status_code == 302


@pytest.fixture
def family_event(family):
    return AuditEvent.objects.filter(action="individual.add").order_by("seq").first()


# Matrix ---------------------------------------------------------------------------------------------------

def test_anonymous_is_sent_to_login(client, family_event):
    for url in (LIST, detail_url(family_event)):
        response = client.get(url)
        assert response.status_code == 302
        assert response["Location"].startswith(f"{LOGIN}?next=")


@pytest.mark.parametrize("role", ["village_operator", "village_head", "dinsos_operator", "dinsos_supervisor",
                                  "province_viewer"])
def test_roles_without_audit_view_are_refused(request, family_event, role):
    client = client_for(request.getfixturevalue(role))
    assert client.get(LIST).status_code == 403
    assert client.get(detail_url(family_event)).status_code == 403


def test_other_region_does_not_see_the_events(other_auditor, family_event):
    client = client_for(other_auditor)
    response = client.get(LIST)
    assert response.status_code == 200
    assert family_event.seq not in listed_seqs(response.content.decode())
    assert client.get(detail_url(family_event)).status_code == 404


def test_unknown_event_is_not_found(auditor, family_event):
    assert client_for(auditor).get(reverse("audit:event_detail", args=[999999])).status_code == 404


@pytest.mark.parametrize("role", ["auditor", "administrator"])
def test_audit_roles_in_the_region_see_the_events(request, family_event, role):
    client = client_for(request.getfixturevalue(role))
    response = client.get(LIST)
    assert response.status_code == 200
    assert family_event.seq in listed_seqs(response.content.decode())
    assert client.get(detail_url(family_event)).status_code == 200


# Filters and pagination -------------------------------------------------------------------------------

def test_filters(auditor, dinsos_operator, family):
    client = client_for(auditor)
    member = family.members.get(relation=SPOUSE)
    edit_member(dinsos_operator, member, occupation="Petani")
    update = AuditEvent.objects.get(action="individual.update")
    create = AuditEvent.objects.get(action="family.create")

    by_prefix = listed_seqs(client.get(LIST, {"action": "individual."}).content.decode())
    assert update.seq in by_prefix and create.seq not in by_prefix
    assert listed_seqs(client.get(LIST, {"action": "family.create"}).content.decode()) == {create.seq}

    by_actor = listed_seqs(client.get(LIST, {"actor": "op_dinsos"}).content.decode())
    assert {update.seq, create.seq} <= by_actor
    assert not listed_seqs(client.get(LIST, {"actor": "nobody"}).content.decode())

    by_target = client.get(LIST, {"target_type": "registry.individual", "target_id": str(member.pk)})
    assert listed_seqs(by_target.content.decode()) == {
        e.seq for e in AuditEvent.objects.filter(target_type="registry.individual", target_id=str(member.pk))}

    assert update.seq in listed_seqs(client.get(LIST, {"region_code": "36.04.05"}).content.decode())
    assert not listed_seqs(client.get(LIST, {"region_code": "36.04.06"}).content.decode())

    today = timezone.localdate()
    assert update.seq in listed_seqs(client.get(LIST, {"date_from": today, "date_to": today}).content.decode())
    assert not listed_seqs(client.get(LIST, {"date_from": today + timedelta(days=1)}).content.decode())


def test_action_select_offers_prefixes_and_actions(auditor, family):
    content = client_for(auditor).get(LIST).content.decode()
    assert '<option value="family.">family.*</option>' in content
    assert '<option value="individual.add">Anggota keluarga ditambahkan (individual.add)</option>' in content


def test_event_list_shows_the_translated_action_label(auditor, family):
    content = client_for(auditor).get(LIST).content.decode()
    assert ">Keluarga ditambahkan</a>" in content


def test_invalid_filter_value_is_shown_not_a_crash(auditor, family):
    response = client_for(auditor).get(LIST, {"date_from": "kemarin"})
    assert response.status_code == 200
    assert 'id="id_date_from_error"' in response.content.decode()


def test_list_is_paginated_and_htmx_gets_the_results_only(auditor, family):
    client = client_for(auditor)
    visible = AuditEvent.objects.filter(region_code__startswith="36.04").count()
    assert visible > 0
    first = client.get(LIST).content.decode()
    assert len(listed_seqs(first)) == min(visible, 25)
    partial = client.get(LIST, {"page": 1}, headers={"HX-Request": "true"}).content.decode()
    assert "<html" not in partial and 'id="event-table"' in partial


# Detail ------------------------------------------------------------------------------------------------------

def test_detail_shows_data_and_hashes(auditor, family):
    event = AuditEvent.objects.filter(action="family.create").get()
    content = client_for(auditor).get(detail_url(event)).content.decode()
    assert event.hash in content and event.prev_hash in content
    assert "family.create" in content
    pre = content.split('<pre class="json" tabindex="0">', 1)[1].split("</pre>", 1)[0]
    assert "\n  " in pre  # indented
    assert reverse("registry:family_detail", args=[family.pk]) in content


def test_detail_masks_identity_numbers_for_roles_without_full_access(auditor, family):
    event = AuditEvent.objects.filter(action="individual.add").order_by("seq").first()
    nik = family.members.get(pk=event.target_id).nik
    content = client_for(auditor).get(detail_url(event)).content.decode()
    assert nik not in content
    assert f"{nik[:6]}**********" in content


def test_detail_hides_health_data_from_roles_that_may_not_see_it(auditor, dinsos_operator, family):
    member = family.members.get(relation=SPOUSE)
    edit_member(dinsos_operator, member, chronic_illness="6")  # diabetes
    event = AuditEvent.objects.get(action="individual.update")
    content = client_for(auditor).get(detail_url(event)).content.decode()
    pre = content.split('<pre class="json" tabindex="0">', 1)[1].split("</pre>", 1)[0]
    data = json.loads(pre.replace("&quot;", '"'))
    assert "chronic_illness" not in data["changes"]  # not even that a health answer changed
    assert "Diabetes" not in content
