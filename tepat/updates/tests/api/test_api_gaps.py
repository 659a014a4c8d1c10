"""Issue 9 items 12 and 13 in the JSON API: bulk endpoints, document download (logged), visit photos,
the proposal detail's facilitator, agenda items, reviews and submissions, codes and ids in the diff."""

import json
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import client_for
from tepat.audit.models import AuditEvent
from tepat.updates.models import Proposal
from tepat.updates.services.deliberations import deliberation_cancel
from tepat.updates.services.documents import document_add
from tepat.updates.services.submissions import submission_batch_create
from tepat.updates.tests.api.test_api_matrix import _visit_body
from tepat.updates.tests.factories import PDF_BYTES, create, new_family_payload, png_upload, to_approved
from tepat.updates.tests.world import World

API = "/api/v1/updates"


def _post(user, url, body):
    return client_for(user).post(url, data=json.dumps(body), content_type="application/json")


def test_bulk_assign_matrix_and_per_item_report(request, actors, other_village_operator):
    world = World(request)
    first, second = world.submitted, create(actors, "new_family", new_family_payload(head="Kedua"))
    body = {"proposal_ids": [str(first.pk), str(second.pk)]}
    url = f"{API}/proposals/bulk/assign"
    assert _post(None, url, body).status_code == 401
    events = AuditEvent.objects.count()
    assert _post(actors.village_head, url, body).status_code == 403
    out_of_region = _post(other_village_operator, url, body)
    assert out_of_region.status_code == 200 and out_of_region.json()["done"] == 0  # both "not found"
    assert AuditEvent.objects.count() == events
    assert set(Proposal.objects.filter(pk__in=[first.pk, second.pk]).values_list("status", flat=True)) == {"submitted"}

    response = _post(actors.village_operator, url, {**body, "proposal_ids": [*body["proposal_ids"], str(uuid.uuid4())],
                                                     "facilitator_id": actors.facilitator.pk})
    assert response.status_code == 200
    data = response.json()
    assert (data["done"], data["refused"]) == (2, 1)
    assert [item["ok"] for item in data["items"]] == [True, True, False]
    assert data["items"][0]["reference"] == first.reference and data["items"][0]["status"] == "in_verification"
    assert AuditEvent.objects.filter(action="proposal.assign", actor_id=actors.village_operator.pk).count() == 2


def test_bulk_approve_matrix(request, actors, other_dinsos_operator):
    world = World(request)
    accepted = world.accepted
    url, body = f"{API}/proposals/bulk/approve", {"proposal_ids": [str(accepted.pk)], "note": "lengkap"}
    assert _post(None, url, body).status_code == 401
    assert _post(actors.village_operator, url, body).status_code == 403
    assert _post(other_dinsos_operator, url, body).json()["refused"] == 1
    accepted.refresh_from_db()
    assert accepted.status == Proposal.Status.ACCEPTED
    assert _post(actors.dinsos_operator, url, body).json()["done"] == 1
    accepted.refresh_from_db()
    assert accepted.status == Proposal.Status.APPROVED
    assert AuditEvent.objects.filter(action="proposal.approve", target_id=str(accepted.pk),
                                     actor_id=actors.dinsos_operator.pk).exists()


def test_detail_has_facilitator_agenda_reviews_and_submissions(request, actors):
    proposal = to_approved(actors, create(actors, "new_family", new_family_payload(head="Lengkap")))
    submission_batch_create(actor=actors.dinsos_operator, region_code="36.04", destination="central")
    data = client_for(actors.dinsos_operator).get(f"{API}/proposals/{proposal.pk}").json()
    assert data["assigned_to"]["id"] == actors.facilitator.pk
    assert data["deliberation_items"][0]["decision"] == "accepted"
    assert data["deliberation_items"][0]["deliberation_id"]
    assert [r["decision"] for r in data["reviews"]] == ["approved"]
    assert data["submissions"][0]["destination"] == "central" and data["submissions"][0]["batch_number"]


def test_facilitators_to_assign(request, actors):
    world = World(request)
    data = client_for(actors.village_operator).get(f"{API}/proposals/{world.submitted.pk}/facilitators").json()
    assert [row["id"] for row in data] == [actors.facilitator.pk]


def test_document_download_is_logged_as_a_personal_data_view(request, actors):
    world = World(request)
    document = document_add(actor=actors.village_operator, proposal=world.submitted, kind="kk",
                            upload=SimpleUploadedFile("kk.pdf", PDF_BYTES))
    response = client_for(actors.village_operator).get(f"{API}/documents/{document.pk}")
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF_BYTES
    event = AuditEvent.objects.get(action="personal_data.view", target_id=str(document.pk))
    assert event.actor_id == actors.village_operator.pk
    # A role that does not see identity papers whole gets the signed minutes only.
    assert client_for(actors.village_head).get(f"{API}/documents/{document.pk}").status_code == 404


def test_visit_with_photos(request, actors):
    world = World(request)
    proposal = world.in_verification
    response = client_for(actors.facilitator).post(f"{API}/proposals/{proposal.pk}/visit", data={
        "data": json.dumps(_visit_body(world)), "photos": [png_upload("a.png"), png_upload("b.png")]})
    assert response.status_code == 200, response.content
    visit = proposal.verifications.get()
    assert visit.photos.count() == 2
    assert AuditEvent.objects.filter(action="proposal.verify", target_id=str(proposal.pk)).exists()


def test_visit_with_bad_json_is_refused_and_changes_nothing(request, actors):
    world = World(request)
    proposal = world.in_verification
    response = client_for(actors.facilitator).post(f"{API}/proposals/{proposal.pk}/visit", data={"data": "{"})
    assert response.status_code == 422
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.IN_VERIFICATION and not proposal.verifications.exists()


def test_cancel_records_its_event(request, actors):
    world = World(request)
    deliberation = world.planned
    response = _post(actors.village_operator, f"{API}/deliberations/{deliberation.pk}/cancel", {"reason": "banjir"})
    assert response.status_code == 200 and response.json()["status"] == "cancelled"
    event = AuditEvent.objects.get(action="deliberation.cancel", target_id=str(deliberation.pk))
    assert event.actor_id == actors.village_operator.pk
    assert _post(actors.village_operator, f"{API}/deliberations/{deliberation.pk}/cancel",
                 {"reason": "lagi"}).status_code == 409
    assert deliberation_cancel is not None


def test_decisions_endpoint_reports_each_item(request, actors):
    world = World(request)
    item = world.item
    response = _post(actors.village_head, f"{API}/deliberations/{item.deliberation_id}/decisions",
                     {"decisions": {str(item.pk): {"decision": "deferred"}, str(uuid.uuid4()): {"decision": "accepted"}}})
    data = response.json()
    assert response.status_code == 200 and data["done"] == 0 and data["refused"] == 2
    assert "reason" in data["items"][0]["message"]
    item.refresh_from_db()
    assert item.decision == "pending"
