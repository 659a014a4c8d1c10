"""Workflow payloads and their audit events go through the masking module (ADR 0008, issue 8 items 2, 3, 9)."""

import json
from datetime import date

from conftest import client_for, make_nik
from tepat.audit.models import AuditEvent
from tepat.updates.models import Proposal
from tepat.updates.tests.factories import create, new_family_payload, verify


def test_a_corrected_nik_is_masked_in_the_api_the_page_and_the_event(actors, province_viewer):
    payload = new_family_payload()
    proposal = create(actors, Proposal.Kind.NEW_FAMILY, payload)
    corrected = make_nik(born=date(1979, 2, 10), sex=1)
    proposal = verify(actors, proposal, {"members.0.nik": corrected})
    proposed = payload["members"][0]["nik"]

    event = AuditEvent.objects.filter(action="proposal.verify").latest("seq")
    stored = json.dumps(event.data)
    assert corrected not in stored and proposed not in stored
    assert event.data["corrections"] == {"members.0.nik": corrected[:6] + "*" * 10}
    created = json.dumps(AuditEvent.objects.get(action="proposal.create", target_id=str(proposal.pk)).data)
    assert proposed not in created and payload["family"]["kk_number"] not in created

    body = client_for(province_viewer).get(f"/api/v1/updates/proposals/{proposal.pk}")
    assert body.status_code == 200
    text = body.content.decode()
    assert corrected not in text and proposed not in text
    [visit] = body.json()["verifications"]
    assert any(r.get("value") == corrected[:6] + "*" * 10 for r in visit["fact_results"])
    view = AuditEvent.objects.filter(action="personal_data.view").latest("seq")
    assert (view.actor_id, view.data["kind"], view.target_id) == (province_viewer.pk, "proposal_detail",
                                                                  str(proposal.pk))
    full = client_for(actors.village_operator).get(f"/api/v1/updates/proposals/{proposal.pk}").content.decode()
    assert corrected in full
