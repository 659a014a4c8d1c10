"""Pages: one authorization matrix per page (anonymous → login, wrong role 403, wrong region 404 or an
empty list, right role 200), and the main forms used through the pages."""

from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from conftest import OTHER_DISTRICT, OTHER_VILLAGE, client_for
from tepat.audit.models import AuditEvent
from tepat.updates.models import Deliberation, Proposal
from tepat.updates.services.freezes import freeze_create
from tepat.updates.tests.factories import create, new_family_payload, png_upload
from tepat.updates.tests.world import World


@pytest.fixture
def other_village_head(make_user):
    return make_user("village_head", [OTHER_VILLAGE], "kades_lain")


@pytest.fixture
def other_facilitator(make_user):
    return make_user("facilitator", [OTHER_VILLAGE], "psm_lain")


@pytest.fixture
def other_supervisor(make_user):
    return make_user("dinsos_supervisor", [OTHER_DISTRICT], "spv_kota")


# name: (url builder, right actor, wrong role, wrong region, for lists: text of the object the right actor sees and
# the wrong region does not; lists answer 200 to the wrong region, object pages 404)
PAGES = {
    "queue": (lambda w: (w.submitted, reverse("updates:queue"))[1], "village_operator", "administrator",
              "other_village_operator", lambda w: w.submitted.reference),
    "proposal_list": (lambda w: (w.submitted, reverse("updates:proposal_list"))[1], "village_head", "administrator",
                      "other_village_operator", lambda w: w.submitted.reference),
    "proposal_new": (lambda w: reverse("updates:proposal_new", args=["new_family"]), "village_operator",
                     "village_head", None, None),
    "emergency_new": (lambda w: reverse("updates:proposal_new", args=["emergency"]), "facilitator",
                      "auditor", None, None),
    "add_member": (lambda w: reverse("updates:family_proposal", args=[w.family.pk, "add_member"]),
                   "village_operator", "village_head", "other_village_operator", None),
    "change_member": (lambda w: reverse("updates:family_proposal", args=[w.family.pk, "change_data"])
                      + f"?member={w.family.members.first().pk}", "village_operator", "village_head",
                      "other_village_operator", None),
    "change_family": (lambda w: reverse("updates:family_proposal", args=[w.family.pk, "change_data"]),
                      "facilitator", "village_head", "other_village_operator", None),
    "remove_member": (lambda w: reverse("updates:family_proposal", args=[w.family.pk, "remove_member"])
                      + f"?member={w.family.members.first().pk}", "village_operator", "village_head",
                      "other_village_operator", None),
    "remove_family": (lambda w: reverse("updates:family_proposal", args=[w.family.pk, "remove_family"]),
                      "dinsos_operator", "village_head", "other_village_operator", None),
    "program": (lambda w: reverse("updates:family_proposal", args=[w.family.pk, "program"]), "village_operator",
                "village_head", "other_village_operator", None),
    "objection": (lambda w: reverse("updates:objection_new", args=[w.family.pk]), "village_operator",
                  "village_head", "other_village_operator", None),
    "proposal_detail": (lambda w: reverse("updates:proposal_detail", args=[w.accepted.pk]), "dinsos_operator",
                        "administrator", "other_village_operator", None),
    "proposal_verify": (lambda w: reverse("updates:proposal_verify", args=[w.in_verification.pk]), "facilitator",
                        "village_operator", "other_facilitator", None),
    "deliberation_list": (lambda w: (w.planned, reverse("updates:deliberation_list"))[1], "village_head",
                          "administrator", "other_village_head", lambda w: str(w.planned.pk)),
    "deliberation_detail": (lambda w: reverse("updates:deliberation_detail", args=[w.finalised.pk]),
                            "village_head", "administrator", "other_village_head", None),
    "minutes_pdf": (lambda w: reverse("updates:minutes_pdf", args=[w.finalised.pk]), "village_operator",
                    "administrator", "other_village_operator", None),
    "batch_list": (lambda w: (w.batch, reverse("updates:batch_list"))[1], "dinsos_operator", "administrator",
                   "other_dinsos_operator", lambda w: w.batch.number),
    "batch_detail": (lambda w: reverse("updates:batch_detail", args=[w.batch.pk]), "dinsos_operator",
                     "administrator", "other_dinsos_operator", None),
    "batch_file": (lambda w: reverse("updates:batch_file", args=[w.batch.pk]), "dinsos_operator", "auditor",
                   "other_dinsos_operator", None),
    "period_list": (lambda w: (w.period, reverse("updates:period_list"))[1], "dinsos_supervisor",
                    "administrator", "other_supervisor", lambda w: f'data-period="{w.period.label}"'),
    "period_detail": (lambda w: reverse("updates:period_detail", args=[w.period.pk]), "dinsos_supervisor",
                      "administrator", "other_supervisor", None),
    "period_progress": (lambda w: reverse("updates:period_progress", args=[w.two_periods[0].pk]), "dinsos_operator",
                        "administrator", "other_dinsos_operator", None),
    "period_diff": (lambda w: reverse("updates:period_diff") + f"?older={w.two_periods[0].pk}"
                    f"&newer={w.two_periods[1].pk}", "dinsos_operator", "administrator",
                    "other_dinsos_operator", None),
    "freeze_list": (lambda w: (w.freeze, reverse("updates:freeze_list"))[1], "dinsos_supervisor", "administrator",
                    "other_supervisor", lambda w: w.freeze.reason),
}


@pytest.mark.parametrize("name", list(PAGES))
def test_page_authorization_matrix(request, actors, name):
    url_for, right, wrong_role, wrong_region, marker = PAGES[name]
    world = World(request)
    url = url_for(world)
    users = {n: world.user(n) for n in (right, wrong_role, wrong_region) if n}

    response = client_for(None).get(url)
    assert response.status_code == 302
    assert "/akun/" in response["Location"] or "login" in response["Location"]
    assert client_for(users[wrong_role]).get(url).status_code == 403
    if wrong_region:
        response = client_for(users[wrong_region]).get(url)
        assert response.status_code == (200 if marker else 404)
        if marker:
            assert marker(world) not in response.content.decode()
    response = client_for(users[right]).get(url)
    assert response.status_code == 200
    if marker:
        assert marker(world) in response.content.decode()


def test_new_family_through_the_page(actors):
    client = client_for(actors.village_operator)
    payload = new_family_payload(head="Ujang Suherman")
    members = payload["members"]
    data = {
        "region": "36.04.05.2001", "kk_number": payload["family"]["kk_number"], "rw": "3", "rt": "7",
        "address": "Kp. Baru", "source": "village_operator", "submit_now": "1",
    }
    for i, member in enumerate(members):
        data |= {f"m{i}_{k}": member[k] for k in ("nik", "name", "sex", "birth_place", "birth_date", "relation")}

    response = client.post(reverse("updates:proposal_new", args=["new_family"]), data)

    assert response.status_code == 302
    proposal = Proposal.objects.get()
    assert proposal.status == Proposal.Status.SUBMITTED
    assert proposal.payload["members"][0]["name"].lower() == "ujang suherman"
    page = client.get(response["Location"])
    assert page.status_code == 200
    assert proposal.reference.encode() in page.content


def test_service_errors_come_back_on_the_fields(actors):
    client = client_for(actors.village_operator)
    response = client.post(reverse("updates:proposal_new", args=["new_family"]), {
        "region": "36.04.05.2001", "kk_number": "123", "source": "citizen_request", "m0_name": "Tanpa NIK"})
    assert response.status_code == 422
    assert response.context["form"].errors["kk_number"]
    assert response.context["form"].errors["source_reference"]
    assert response.context["form"].errors["m0_nik"]
    assert not Proposal.objects.exists()


def test_refused_approval_on_the_page_changes_nothing_and_says_why(actors):
    proposal = create(actors, Proposal.Kind.NEW_FAMILY, new_family_payload())
    client = client_for(actors.dinsos_operator)
    writes = AuditEvent.objects.exclude(action="personal_data.view")
    events = writes.count()

    response = client.post(reverse("updates:proposal_approve", args=[proposal.pk]), follow=True)

    assert response.status_code == 200
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.SUBMITTED
    assert writes.count() == events  # only the redirect's page view is recorded
    assert any("approve" in str(m) for m in response.context["messages"])


def test_freeze_is_explained_on_the_page(actors, request):
    world = World(request)
    proposal = world.accepted
    today = timezone.localdate()
    freeze_create(actor=actors.dinsos_supervisor, region_code="36.04", starts_on=today,
                  ends_on=today + timedelta(days=3), reason="Masa tenang Pilkada")

    response = client_for(actors.dinsos_operator).post(reverse("updates:proposal_approve", args=[proposal.pk]),
                                                       follow=True)

    assert "Pilkada" in response.content.decode()
    assert Proposal.objects.get(pk=proposal.pk).status == Proposal.Status.ACCEPTED


def test_visit_form_on_the_page(actors, request):
    world = World(request)
    proposal = world.in_verification
    client = client_for(actors.facilitator)
    form = client.get(reverse("updates:proposal_verify", args=[proposal.pk])).context["form"]
    data = {"visited_on": timezone.localdate().isoformat(), "household_found": "yes", "outcome": "confirmed",
            "latitude": "-6.051234", "longitude": "106.110987", "photos": png_upload()}
    for i, fact in enumerate(form.facts):
        data[f"f{i}_result"] = "confirmed"
        data[f"f{i}_value"] = "" if fact.raw is None else fact.raw
    rt = next(i for i, fact in enumerate(form.facts) if fact.path == "family.rt")
    data[f"f{rt}_result"] = "corrected"
    data[f"f{rt}_value"] = "8"

    response = client.post(reverse("updates:proposal_verify", args=[proposal.pk]), data)

    assert response.status_code == 302, response.context["form"].errors if response.context else ""
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.VERIFIED
    assert proposal.verified_payload["family"]["rt"] == "008"
    visit = proposal.verifications.get()
    assert visit.outcome == "corrected"
    assert visit.photos.count() == 1


def test_session_pages_walk(actors, request):
    world = World(request)
    verified = world.verified
    client = client_for(actors.village_operator)
    response = client.post(reverse("updates:deliberation_list"), {
        "region": "36.04.05.2001", "held_on": timezone.localdate().isoformat(), "place": "Balai Desa",
        "chair_name": "H. Sukarna"})
    deliberation = Deliberation.objects.get()
    assert response.status_code == 302
    client.post(reverse("updates:agenda_add", args=[deliberation.pk]), {"proposals": [str(verified.pk)]})
    client.post(reverse("updates:attendee_add", args=[deliberation.pk]), {"name": "H. Sukarna",
                                                                          "position": "Kepala Desa"})
    item = deliberation.items.get()
    client.post(reverse("updates:item_decide", args=[item.pk]), {"decision": "accepted"})
    head = client_for(actors.village_head)
    head.post(reverse("updates:deliberation_finalise", args=[deliberation.pk]), {"number": "01/BA/2025"})
    pdf = head.get(reverse("updates:minutes_pdf", args=[deliberation.pk]))
    assert pdf["Content-Type"] == "application/pdf"
    from django.core.files.uploadedfile import SimpleUploadedFile

    head.post(reverse("updates:deliberation_sign", args=[deliberation.pk]),
              {"signed_scan": SimpleUploadedFile("ba.pdf", pdf.content)})

    deliberation.refresh_from_db()
    assert deliberation.status == Deliberation.Status.SIGNED
    assert Proposal.objects.get(pk=verified.pk).status == Proposal.Status.ACCEPTED
