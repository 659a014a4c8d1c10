"""Authorization matrices (anonymous, wrong role, wrong region, right one) of the four pages that were
`KNOWN_GAPS` in the route matrix: resuming a determination, pulling an approved proposal back, downloading
a document, lifting a freeze. Each refused attempt changes nothing and records nothing."""

from datetime import date, timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from conftest import DISTRICT, OTHER_DISTRICT, assert_audited, client_for
from tepat.audit.models import AuditEvent
from tepat.updates.models import DeterminationPeriod, Proposal
from tepat.updates.services.determination import period_determine_fail, period_determine_start
from tepat.updates.services.documents import document_add
from tepat.updates.services.freezes import freeze_create
from tepat.updates.tests.factories import PDF_BYTES, create, to_approved
from tepat.updates.tests.world import World

MATRIX_ROUTES = {"page updates:period_resume", "page updates:proposal_pull_back",
                 "page updates:document_download", "page updates:freeze_lift"}

pytestmark = pytest.mark.django_db


@pytest.fixture
def other_supervisor(make_user):
    return make_user("dinsos_supervisor", [OTHER_DISTRICT], "spv_dinsos_kota")


def _refused_unchanged(response, obj, field, before, events):
    obj.refresh_from_db()
    assert getattr(obj, field) == before
    assert AuditEvent.objects.count() == events
    return response


def _anonymous(url):
    response = client_for(None).post(url, {"reason": "x"})
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]


def test_proposal_pull_back_matrix(actors, family, other_supervisor):
    proposal = to_approved(actors, create(actors, Proposal.Kind.PROGRAM, {"program": "pkh"}, family=family))
    url = reverse("updates:proposal_pull_back", args=[proposal.pk])
    events = AuditEvent.objects.count()

    _anonymous(url)
    # Wrong role: the operator may see the proposal but not pull it back.
    response = client_for(actors.dinsos_operator).post(url, {"reason": "ganda"})
    assert response.status_code == 403
    _refused_unchanged(response, proposal, "status", Proposal.Status.APPROVED, events)
    # Wrong region: a supervisor of another regency sees "not found".
    response = client_for(other_supervisor).post(url, {"reason": "ganda"})
    assert response.status_code == 404
    _refused_unchanged(response, proposal, "status", Proposal.Status.APPROVED, events)

    response = client_for(actors.dinsos_supervisor).post(url, {"reason": "ganda"})
    assert response.status_code == 302
    proposal.refresh_from_db()
    assert proposal.status == Proposal.Status.AWAITING_SUPERVISOR
    assert_audited("proposal.pull_back", actor=actors.dinsos_supervisor, target=proposal)


def test_document_download_matrix(request, actors, administrator, other_village_operator):
    world = World(request)
    document = document_add(actor=actors.village_operator, proposal=world.submitted, kind="kk",
                            upload=SimpleUploadedFile("kk.pdf", PDF_BYTES))
    url = reverse("updates:document_download", args=[document.pk])
    events = AuditEvent.objects.count()

    response = client_for(None).get(url)
    assert response.status_code == 302 and reverse("accounts:login") in response["Location"]
    assert client_for(administrator).get(url).status_code == 403  # no updates.view
    assert client_for(actors.village_head).get(url).status_code == 404  # masked role: identity papers unseen
    assert client_for(other_village_operator).get(url).status_code == 404  # another village
    assert AuditEvent.objects.count() == events

    response = client_for(actors.village_operator).get(url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF_BYTES
    assert_audited("personal_data.view", actor=actors.village_operator, target=document)


def test_freeze_lift_matrix(actors, other_supervisor):
    today = timezone.localdate()
    freeze = freeze_create(actor=actors.dinsos_supervisor, region_code=DISTRICT, starts_on=today,
                           ends_on=today + timedelta(days=10), reason="Masa tenang Pemilu")
    url = reverse("updates:freeze_lift", args=[freeze.pk])
    field = "lifted_at"
    before = getattr(freeze, field)
    events = AuditEvent.objects.count()

    _anonymous(url)
    response = client_for(actors.dinsos_operator).post(url, {"reason": "selesai"})
    assert response.status_code == 302  # back to the list, the refusal shown
    _refused_unchanged(response, freeze, field, before, events)
    response = client_for(other_supervisor).post(url, {"reason": "selesai"})
    assert response.status_code == 404
    _refused_unchanged(response, freeze, field, before, events)

    response = client_for(actors.dinsos_supervisor).post(url, {"reason": "Keputusan KPU"})
    assert response.status_code == 302
    freeze.refresh_from_db()
    assert getattr(freeze, field) != before
    assert_audited("freeze.lift", actor=actors.dinsos_supervisor, target=freeze)


def test_period_resume_matrix(actors, period, other_supervisor, monkeypatch):
    from tepat.updates.views import district

    enqueued = []
    monkeypatch.setattr(district, "_enqueue", lambda period, request: enqueued.append(period.pk))
    period = period_determine_start(actor=actors.dinsos_supervisor, period=period, decree_number="SK-1",
                                    decree_date=date(2025, 7, 31))
    period = period_determine_fail(actor=actors.dinsos_supervisor, period_id=period.pk, error="disk full")
    url = reverse("updates:period_resume", args=[period.pk])
    events = AuditEvent.objects.count()

    _anonymous(url)
    response = client_for(actors.dinsos_operator).post(url)  # no updates.determine
    assert response.status_code == 302
    _refused_unchanged(response, period, "error", "disk full", events)
    response = client_for(other_supervisor).post(url)
    assert response.status_code == 404
    _refused_unchanged(response, period, "error", "disk full", events)
    assert not enqueued

    response = client_for(actors.dinsos_supervisor).post(url)
    assert response.status_code == 302
    period.refresh_from_db()
    assert (period.status, period.error) == (DeterminationPeriod.Status.DETERMINING, "")
    assert enqueued == [period.pk]
    assert_audited("determination_period.start", actor=actors.dinsos_supervisor, target=period, resumed=True)
