"""Scanning (single use, audited, scoped) and batch printing through the services."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from django.utils import timezone

from conftest import OTHER_VILLAGE, VILLAGE, assert_audited, audit_seq
from tepat.core.exceptions import ObjectNotFound, PermissionDeniedError, ValidationFailed
from tepat.distribution.invitations import signing
from tepat.distribution.invitations.models import InvitationScan
from tepat.distribution.invitations.services import (
    ACCEPTED,
    ALREADY_USED,
    INVALID,
    invitation_batch_pdf,
    invitation_region_zip,
    invitation_scan,
    invitation_scanned,
)
from tepat.distribution.invitations.tests.factories import TODAY, invitation, village_batch

pytestmark = pytest.mark.django_db


def test_first_scan_is_accepted_recorded_and_audited(facilitator):
    token = signing.sign(invitation())
    seq = audit_seq()
    received = []
    invitation_scanned.connect(lambda **kw: received.append(kw["scan"]), weak=False, dispatch_uid="t-scan")
    try:
        verdict = invitation_scan(actor=facilitator, token=token, device="HP-01", today=TODAY)
    finally:
        invitation_scanned.disconnect(dispatch_uid="t-scan")
    assert verdict.verdict == ACCEPTED and verdict.accepted
    scan = InvitationScan.objects.get()
    assert (scan.kpm_ref, scan.programme, scan.tahap, scan.amount, scan.region_code, scan.scanned_by,
            scan.device) == ("KPM-0000001", "BPNT", 4, 600_000, VILLAGE, facilitator, "HP-01")
    assert received == [scan]
    assert_audited("invitation.scan", actor=facilitator, target=scan, region_code=VILLAGE, after=seq,
                   kpm_ref="KPM-0000001", amount=600_000, key_id="inv-2026")
    assert verdict.as_dict()["scan"]["scanned_by"] == facilitator.username


def test_second_scan_says_already_used_when_and_by_whom_and_changes_nothing(facilitator, village_operator):
    token = signing.sign(invitation())
    when = timezone.now() - timedelta(hours=2)
    first = invitation_scan(actor=facilitator, token=token, today=TODAY, now=when)
    before = list(InvitationScan.objects.values())
    seq = audit_seq()
    second = invitation_scan(actor=village_operator, token=token, device="HP-02", today=TODAY)
    assert second.verdict == ALREADY_USED and not second.accepted
    assert second.scan.pk == first.scan.pk
    local = timezone.localtime(when).strftime("%d-%m-%Y %H:%M")
    assert local in second.message_id and local in second.message_en
    assert "Uji facilitator" in second.message_id and "sudah dipakai" in second.message_id
    assert "already used" in second.message_en
    assert list(InvitationScan.objects.values()) == before  # nothing changed
    assert_audited("invitation.scan_refused", actor=village_operator, target=first.scan, after=seq,
                   reason="already_used")


def test_a_reprint_under_a_new_key_is_the_same_invitation(facilitator, settings):
    invitation_scan(actor=facilitator, token=signing.sign(invitation()), today=TODAY)
    settings.TEPAT_INVITATION_KEYS = {**settings.TEPAT_INVITATION_KEYS, "inv-2027": signing.generate_key_text()}
    settings.TEPAT_INVITATION_KEY_ID = "inv-2027"
    again = invitation_scan(actor=facilitator, token=signing.sign(invitation()), today=TODAY)
    assert again.verdict == ALREADY_USED and InvitationScan.objects.count() == 1


def test_another_tahap_of_the_same_kpm_is_another_invitation(facilitator):
    invitation_scan(actor=facilitator, token=signing.sign(invitation()), today=TODAY)
    other = invitation_scan(actor=facilitator, token=signing.sign(invitation(tahap=5)), today=TODAY)
    assert other.verdict == ACCEPTED and InvitationScan.objects.count() == 2


@pytest.mark.parametrize("make,reason", [
    (lambda: signing.sign(invitation())[:-3] + "AAA", "bad_signature"),
    (lambda: signing.sign(invitation(expires_on=date(2026, 11, 30))), "expired"),
    (lambda: "tidak-ada-isinya", "malformed"),
])
def test_invalid_tokens_are_refused_audited_and_write_no_scan(make, reason, facilitator):
    seq = audit_seq()
    verdict = invitation_scan(actor=facilitator, token=make(), today=TODAY)
    assert (verdict.verdict, verdict.reason) == (INVALID, reason)
    assert verdict.payload is None and not InvitationScan.objects.exists()
    assert_audited("invitation.scan_refused", actor=facilitator, after=seq, reason=reason)


def test_wrong_role_and_wrong_region_are_refused_and_change_nothing(village_head, other_village_operator):
    token = signing.sign(invitation())
    seq = audit_seq()
    with pytest.raises(PermissionDeniedError):
        invitation_scan(actor=village_head, token=token, today=TODAY)
    with pytest.raises(ObjectNotFound):
        invitation_scan(actor=other_village_operator, token=token, today=TODAY)
    assert audit_seq() == seq and not InvitationScan.objects.exists()
    # the operator of the other village scans its own KPM
    own = invitation_scan(actor=other_village_operator, token=signing.sign(invitation(village_code=OTHER_VILLAGE)),
                          today=TODAY)
    assert own.accepted


def test_batch_pdf_is_audited_and_refuses_bad_items_all_or_nothing(village_operator, other_village_operator):
    seq = audit_seq()
    content = invitation_batch_pdf(actor=village_operator, village_code=VILLAGE, items=village_batch(6))
    assert content.startswith(b"%PDF")
    assert_audited("invitation.print", actor=village_operator, region_code=VILLAGE, after=seq, count=6,
                   per_page=4, programmes=["BPNT/4"])
    seq = audit_seq()
    bad = [*village_batch(2), invitation(3, amount=-1), invitation(4, village_code=OTHER_VILLAGE)]
    with pytest.raises(ValidationFailed) as caught:
        invitation_batch_pdf(actor=village_operator, village_code=VILLAGE, items=bad)
    assert [i.code for i in caught.value.issues] == ["invitation_amount", "invitation_other_village"]
    with pytest.raises(ValidationFailed):
        invitation_batch_pdf(actor=village_operator, village_code=VILLAGE, items=[])
    with pytest.raises(ObjectNotFound):
        invitation_batch_pdf(actor=other_village_operator, village_code=VILLAGE, items=village_batch(1))
    assert audit_seq() == seq


def test_region_zip_prints_each_village_with_progress(settings, dinsos_operator, village_operator):
    import io
    import zipfile

    from conftest import KECAMATAN

    settings.TEPAT_INVITATION_SOURCE = "tepat.distribution.invitations.tests.factories.source_two_villages"
    seq = audit_seq()
    seen = []
    content, stats = invitation_region_zip(actor=dinsos_operator, region_code=KECAMATAN, programme="BPNT", tahap=4,
                                           progress=lambda done, total: seen.append((done, total)))
    names = zipfile.ZipFile(io.BytesIO(content)).namelist()
    assert names == [f"undangan-BPNT-4-{VILLAGE}.pdf", f"undangan-BPNT-4-{OTHER_VILLAGE}.pdf"]
    assert stats["printed"] == 2 and stats["invitations"] == 10 and stats["empty"] == stats["villages"] - 2
    assert seen[-1] == (stats["villages"], stats["villages"]) and len(seen) == stats["villages"]
    assert_audited("invitation.print", actor=dinsos_operator, region_code=OTHER_VILLAGE, after=seq, count=5)
    with pytest.raises(ObjectNotFound):  # a village operator cannot print the kecamatan
        invitation_region_zip(actor=village_operator, region_code=KECAMATAN, programme="BPNT", tahap=4)
