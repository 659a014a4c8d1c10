import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import assert_audited, assert_moved
from tepat.audit.models import AuditEvent
from tepat.core.exceptions import BusinessRuleViolation, InvalidTransition, ValidationFailed
from tepat.updates import siks
from tepat.updates.models import Proposal, SubmissionBatch
from tepat.updates.services.submissions import (
    submission_batch_create,
    submission_batch_export,
    submission_response_import,
)
from tepat.updates.tests.factories import create, new_family_payload, to_approved


def csv_upload(text: str) -> SimpleUploadedFile:
    return SimpleUploadedFile("jawaban.csv", text.encode("utf-8"), content_type="text/csv")


@pytest.fixture
def approved(actors, family):
    first = to_approved(actors, create(actors, Proposal.Kind.NEW_FAMILY, new_family_payload(head="Ujang")))
    second = to_approved(actors, create(actors, Proposal.Kind.PROGRAM, {"program": "pkh"}, family=family))
    provincial = to_approved(actors, create(actors, Proposal.Kind.PROGRAM, {"program": "regional"}, family=family))
    return first, second, provincial


def test_batch_file_in_siks_layout(actors, approved):
    first, second, provincial = approved
    batch = submission_batch_create(actor=actors.dinsos_operator, region_code="36.04", destination="central")
    assert batch.records.count() == 2  # the provincial program goes in the province's batch
    assert_audited("submission_batch.create", actor=actors.dinsos_operator, target=batch, region_code="36.04")

    content = submission_batch_export(actor=actors.dinsos_operator, batch=batch).decode("utf-8-sig")

    lines = content.splitlines()
    assert lines[0] == ";".join(siks.SUBMISSION_COLUMNS)
    assert len(lines) == 1 + 2 + 1  # two members of the new family, the PKH family's head
    assert all(line.startswith(batch.number) for line in lines[1:])
    assert first.reference in content and second.reference in content and provincial.reference not in content
    assert "USULAN_BARU" in content and "USULAN_PROGRAM" in content and "KRAMATWATU" in content.upper()
    assert AuditEvent.objects.filter(action="submission_batch.export").count() == 1
    with pytest.raises(BusinessRuleViolation):  # nothing left to send to the centre
        submission_batch_create(actor=actors.dinsos_operator, region_code="36.04", destination="central")
    assert submission_batch_create(actor=actors.dinsos_operator, region_code="36.04",
                                   destination="province").records.get().proposal == provincial


def test_response_import_returns_and_accepts(actors, approved):
    first, second, _ = approved
    batch = submission_batch_create(actor=actors.dinsos_operator, region_code="36.04", destination="central")
    response = (
        "NO_BATCH;ID_USULAN;STATUS;KETERANGAN\n"
        f"{batch.number};{first.reference};DITERIMA;\n"
        f"{batch.number};{second.reference};DIKEMBALIKAN;NIK tidak padan Dukcapil\n"
    )

    result = submission_response_import(actor=actors.dinsos_operator, batch=batch, upload=csv_upload(response))

    assert result.accepted == [first.reference]
    assert result.returned == [second.reference]
    second.refresh_from_db()
    assert second.status == Proposal.Status.RETURNED
    assert second.closed_reason == "NIK tidak padan Dukcapil"
    batch.refresh_from_db()
    assert batch.status == SubmissionBatch.Status.ANSWERED
    assert batch.documents.get().kind == "submission_response"
    assert_audited("submission_batch.response_import", actor=actors.dinsos_operator, target=batch)
    assert_audited("submission_batch.answer", actor=actors.dinsos_operator, target=batch, to="answered")
    assert_moved(second, "return_from_upstream", actor=actors.dinsos_operator, to_status=Proposal.Status.RETURNED)
    with pytest.raises(InvalidTransition):
        submission_response_import(actor=actors.dinsos_operator, batch=batch, upload=csv_upload(response))


def test_a_proposal_pulled_back_while_its_batch_is_unanswered_is_not_called_determined(actors, approved):
    """Issue 9 bug: the supervisor pulls an approved proposal back after it was sent; the centre then returns
    it. The answer is recorded and reported as pulled back (not "already determined"); the proposal stays at
    the supervisor's check and, approved again, can be sent in a new batch."""
    from tepat.updates.services.reviews import proposal_approve, proposal_pull_back

    first, second, _ = approved
    batch = submission_batch_create(actor=actors.dinsos_operator, region_code="36.04", destination="central")
    proposal_pull_back(actor=actors.dinsos_supervisor, proposal=second, reason="KK ganda")
    assert_moved(second, "pull_back", actor=actors.dinsos_supervisor, to_status=Proposal.Status.AWAITING_SUPERVISOR)
    response = (
        "NO_BATCH;ID_USULAN;STATUS;KETERANGAN\n"
        f"{batch.number};{first.reference};DITERIMA;\n"
        f"{batch.number};{second.reference};DIKEMBALIKAN;NIK tidak padan Dukcapil\n"
    )

    result = submission_response_import(actor=actors.dinsos_operator, batch=batch, upload=csv_upload(response))

    assert result.accepted == [first.reference]
    assert result.returned == [] and result.already_determined == []
    assert result.pulled_back == [second.reference]
    second.refresh_from_db()
    assert second.status == Proposal.Status.AWAITING_SUPERVISOR
    assert batch.records.get(proposal=second).response == "returned"
    assert_audited("submission_batch.response_import", actor=actors.dinsos_operator, target=batch,
                   pulled_back=[second.reference], already_determined=[])
    proposal_approve(actor=actors.dinsos_supervisor, proposal=second)
    again = submission_batch_create(actor=actors.dinsos_operator, region_code="36.04", destination="central")
    assert again.records.get().proposal == second


def test_bad_response_imports_nothing(actors, approved):
    first, second, _ = approved
    batch = submission_batch_create(actor=actors.dinsos_operator, region_code="36.04", destination="central")
    response = (
        "NO_BATCH;ID_USULAN;STATUS;KETERANGAN\n"
        f"{batch.number};{first.reference};DIKEMBALIKAN;Data ganda\n"
        f"{batch.number};USL-0000-XXXXXX;DITERIMA;\n"
        f"{batch.number};{second.reference};MUNGKIN;\n"
    )
    with pytest.raises(ValidationFailed) as exc:
        submission_response_import(actor=actors.dinsos_operator, batch=batch, upload=csv_upload(response))
    assert set(exc.value.by_field()) == {"line.3", "line.4"}
    first.refresh_from_db()
    assert first.status == Proposal.Status.APPROVED
    assert not batch.records.exclude(response="pending").exists()


def test_formula_cells_are_neutralised():
    content = siks.write_submission([{"NAMA": "=HYPERLINK(\"x\")", "NO": 1}]).decode("utf-8-sig")
    assert "'=HYPERLINK" in content


def test_batch_file_gives_the_removal_reason_in_words(actors, family):
    member = family.members.order_by("relation").last()
    removal = to_approved(actors, create(actors, Proposal.Kind.REMOVE_MEMBER,
                                         {"reason": "died", "on_date": "2026-11-02", "note": ""}, individual=member))
    batch = submission_batch_create(actor=actors.dinsos_operator, region_code="36.04", destination="central")
    content = submission_batch_export(actor=actors.dinsos_operator, batch=batch).decode("utf-8-sig")
    row = next(line for line in content.splitlines()[1:] if removal.reference in line)
    assert row.split(";")[-1] == "Meninggal"
    assert ";died" not in content
