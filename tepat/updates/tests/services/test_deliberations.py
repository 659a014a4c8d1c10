from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import assert_audited
from tepat.audit.models import AuditEvent
from tepat.core.exceptions import InvalidTransition, ObjectNotFound, PermissionDeniedError, ValidationFailed
from tepat.updates.models import Deliberation, DeliberationItem, Document, Proposal
from tepat.updates.services.deliberations import (
    deliberation_agenda_add,
    deliberation_attendee_add,
    deliberation_cancel,
    deliberation_create,
    deliberation_decide,
    deliberation_finalise,
    deliberation_sign,
)
from tepat.updates.tests.factories import create, deliberate, new_family_payload, pdf_upload, session, verify

S = Proposal.Status


@pytest.fixture
def verified(actors):
    proposals = [create(actors, Proposal.Kind.NEW_FAMILY, new_family_payload()) for _ in range(3)]
    return [verify(actors, p) for p in proposals]


def test_decisions_take_effect_when_the_signed_minutes_are_uploaded(actors, verified):
    accepted, rejected, deferred = verified
    deliberation = deliberate(actors, verified, sign=False, decisions={
        rejected.reference: "rejected", deferred.reference: "deferred"})
    assert deliberation.status == Deliberation.Status.FINALISED
    assert deliberation.number.startswith("BA/MUSDES/36.04.05.2001/")
    # Finalised but not signed: nothing has moved yet.
    assert set(Proposal.objects.filter(pk__in=[p.pk for p in verified]).values_list("status", flat=True)) == {S.VERIFIED}

    deliberation = deliberation_sign(actor=actors.village_head, deliberation=deliberation, signed_scan=pdf_upload())

    assert deliberation.status == Deliberation.Status.SIGNED
    assert Document.objects.get(deliberation=deliberation).kind == Document.Kind.SIGNED_MINUTES
    statuses = {p.pk: p for p in Proposal.objects.filter(pk__in=[p.pk for p in verified])}
    assert statuses[accepted.pk].status == S.ACCEPTED
    assert statuses[rejected.pk].status == S.REJECTED
    assert statuses[rejected.pk].closed_reason == "alasan musyawarah"
    assert statuses[deferred.pk].status == S.VERIFIED


def test_deferred_proposal_can_go_to_a_later_session(actors, verified):
    proposal = verified[0]
    deliberate(actors, [proposal], decisions={proposal.reference: "deferred"})
    deliberation = deliberate(actors, [Proposal.objects.get(pk=proposal.pk)])
    assert deliberation.items.get().decision == "accepted"
    assert Proposal.objects.get(pk=proposal.pk).status == S.ACCEPTED


def test_signed_session_is_locked(actors, verified):
    deliberation = deliberate(actors, verified[:1])
    item = deliberation.items.get()
    events = AuditEvent.objects.count()
    with pytest.raises(InvalidTransition):
        deliberation_decide(actor=actors.village_operator, item=item, decision="rejected", reason="ubah")
    with pytest.raises(InvalidTransition):
        deliberation_attendee_add(actor=actors.village_operator, deliberation=deliberation, name="X", position="Y")
    with pytest.raises(InvalidTransition):
        deliberation_agenda_add(actor=actors.village_operator, deliberation=deliberation, proposals=verified[1:2])
    with pytest.raises(InvalidTransition):
        deliberation_sign(actor=actors.village_head, deliberation=deliberation, signed_scan=pdf_upload())
    assert AuditEvent.objects.count() == events
    assert DeliberationItem.objects.get(pk=item.pk).decision == "accepted"


def test_finalise_needs_every_decision_and_attendees(actors, verified):
    deliberation = deliberation_create(actor=actors.village_operator, region_code="36.04.05.2001",
                                       held_on=timezone.localdate(), place="Balai Desa", chair_name="H. Sukarna")
    deliberation_agenda_add(actor=actors.village_operator, deliberation=deliberation, proposals=verified[:1])
    with pytest.raises(ValidationFailed) as exc:
        deliberation_finalise(actor=actors.village_head, deliberation=deliberation)
    assert set(exc.value.by_field()) == {"items", "attendees"}
    assert Deliberation.objects.get(pk=deliberation.pk).status == Deliberation.Status.PLANNED


def test_agenda_takes_only_verified_proposals_of_the_village(actors, verified, other_village_family):
    deliberation = session(actors)
    draft = create(actors, Proposal.Kind.NEW_FAMILY, new_family_payload())
    with pytest.raises(ValidationFailed):
        deliberation_agenda_add(actor=actors.village_operator, deliberation=deliberation, proposals=[draft])
    deliberation_agenda_add(actor=actors.village_operator, deliberation=deliberation, proposals=verified[:1])
    other = session(actors)
    with pytest.raises(ValidationFailed) as exc:
        deliberation_agenda_add(actor=actors.village_operator, deliberation=other, proposals=verified[:1])
    assert "on_agenda" in str(exc.value.extra)
    assert not other.items.exists()


def test_reason_required_for_rejection(actors, verified):
    deliberation = session(actors)
    [item] = deliberation_agenda_add(actor=actors.village_operator, deliberation=deliberation, proposals=verified[:1])
    with pytest.raises(ValidationFailed):
        deliberation_decide(actor=actors.village_operator, item=item, decision="rejected", reason="")
    assert DeliberationItem.objects.get(pk=item.pk).decision == "pending"


def test_wrong_role_and_wrong_village(actors, verified, other_village_operator, dinsos_operator):
    with pytest.raises(PermissionDeniedError):
        deliberation_create(actor=dinsos_operator, region_code="36.04.05.2001", held_on=timezone.localdate(),
                            place="Balai", chair_name="X")
    with pytest.raises(ObjectNotFound):
        deliberation_create(actor=other_village_operator, region_code="36.04.05.2001",
                            held_on=timezone.localdate(), place="Balai", chair_name="X")
    assert not Deliberation.objects.exists()


def test_signed_scan_must_be_a_pdf_or_image(actors, verified):
    from django.core.files.uploadedfile import SimpleUploadedFile

    deliberation = deliberate(actors, verified[:1], sign=False)
    fake = SimpleUploadedFile("ba.pdf", b"MZ\x90\x00 not a pdf", content_type="application/pdf")
    with pytest.raises(ValidationFailed):
        deliberation_sign(actor=actors.village_head, deliberation=deliberation, signed_scan=fake)
    assert Deliberation.objects.get(pk=deliberation.pk).status == Deliberation.Status.FINALISED
    assert not Document.objects.exists()


def test_cancel_a_planned_session(actors, verified):
    deliberation = session(actors)
    deliberation = deliberation_cancel(actor=actors.village_operator, deliberation=deliberation, reason="hujan")
    assert deliberation.status == Deliberation.Status.CANCELLED
    assert_audited("deliberation.cancel", actor=actors.village_operator, target=deliberation, reason="hujan")
    assert timezone.localdate() - timedelta(days=1) < deliberation.held_on + timedelta(days=1)


def test_kelurahan_holds_a_muskel(make_user):
    operator = make_user("village_operator", ["36.73.05.1001"], "op_kel")
    deliberation = deliberation_create(actor=operator, region_code="36.73.05.1001", held_on=timezone.localdate(),
                                       place="Aula Kelurahan", chair_name="Drs. Lurah")
    assert deliberation.kind == Deliberation.Kind.MUSKEL
    assert deliberation.chair_title == "Lurah"
