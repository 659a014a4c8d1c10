"""The field app's distribution API (issue 14 item 7): the download of the KPM a distributor may record
receipts for (masked, scoped, only what a receipt needs) and the batch upload of receipts recorded offline
(per item, idempotent, a second receipt a conflict with nothing changed, the scanned invitation checked and
its single scan recorded, audited). Authorization matrix: anonymous, wrong role, wrong region, right."""

from __future__ import annotations

import json
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import VILLAGE, assert_audited, audit_seq, client_for
from tepat.distribution.invitations import signing
from tepat.distribution.invitations.data import InvitationData
from tepat.distribution.invitations.models import InvitationScan
from tepat.distribution.models import DistributionEntry, Receipt
from tepat.distribution.models_followup import ReceiptFile
from tepat.registry import masking

pytestmark = pytest.mark.django_db
API = "/api/v1/distribution"
MATRIX_ROUTES = {f"GET {API}/field/entries", f"POST {API}/field/receipts"}
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64


def _entries(dlist):
    return list(DistributionEntry.objects.filter(list=dlist, region_code=VILLAGE).order_by("id"))


def _token(entry, **kwargs):
    dist = entry.list.distribution
    data = {"kpm_ref": entry.kpm_ref, "programme": dist.programme_code, "tahap": dist.tahap, "amount": entry.amount,
            "expires_on": dist.ends_on, "recipient_name": "A. B.", "village_code": entry.region_code,
            "village_name": "Uji", **kwargs}
    return signing.sign(InvitationData(**data))


def _item(entry, client_id="c-1", token=None, **receipt):
    body = {"outcome": "full", "collector": "self", "latitude": -6.1, "longitude": 106.1, "accuracy_m": 12,
            "received_at": timezone.now().isoformat(), "device": "Tepat Lapangan", **receipt}
    item = {"client_id": client_id, "kpm_ref": entry.kpm_ref, "receipt": body}
    if token:
        item["token"] = token
    return item


def _upload(client, items, files=None):
    data = {"items": json.dumps(items)}
    data.update(files or {})
    return client.post(f"{API}/field/receipts", data)


def _files(client_id):
    return {f"photo:{client_id}": SimpleUploadedFile("foto.jpg", JPEG, content_type="image/jpeg"),
            f"signature:{client_id}": SimpleUploadedFile("ttd.png", PNG, content_type="image/png")}


def _state():
    return (Receipt.objects.count(), ReceiptFile.objects.count(), InvitationScan.objects.count(),
            list(DistributionEntry.objects.values_list("status", flat=True).order_by("id")), audit_seq())


def test_download_matrix_masks_and_keeps_only_what_a_receipt_needs(world, dlist, village_operator, facilitator,
                                                                   other_village_operator, village_head):
    assert client_for(None).get(f"{API}/field/entries").status_code == 401
    assert client_for(village_head).get(f"{API}/field/entries").status_code == 403
    seq = audit_seq()
    hidden = client_for(other_village_operator).get(f"{API}/field/entries")
    assert hidden.status_code == 200 and all(r["village"] != VILLAGE for r in hidden.json()["entries"])
    mine = _entries(dlist)
    from tepat.distribution.services.receipts import receipt_record

    receipt_record(actor=village_operator, entry=mine[0], data={"outcome": "none", "reason": "absent"})
    seq = audit_seq()
    response = client_for(facilitator).get(f"{API}/field/entries?limit=1000")
    assert response.status_code == 200
    body = response.json()
    rows = {r["kpm_ref"]: r for r in body["entries"]}
    assert set(rows) == {e.kpm_ref for e in mine}  # every KPM of my village, nothing of another one
    met, waiting = rows[mine[0].kpm_ref], rows[mine[1].kpm_ref]
    assert met == {"kpm_ref": mine[0].kpm_ref, "distribution_id": str(dlist.distribution_id), "village": VILLAGE,
                   "status": "not_delivered"}  # already met: no personal data at all
    assert waiting["name"] == mine[1].name and waiting["amount"] == mine[1].amount
    assert waiting["nik"] == masking.identity(facilitator, mine[1].nik)  # the one masking rule
    assert "kk" not in waiting
    assert [d["programme"] for d in body["distributions"]] == [dlist.distribution.programme_code]
    assert {r["code"] for r in body["reasons"]} >= {"deceased", "absent"}
    assert_audited("personal_data.view", actor=facilitator, after=seq, kind="distribution_field_download",
                   count=len(mine) - 1)
    first = client_for(facilitator).get(f"{API}/field/entries?limit=2").json()
    assert first["has_more"] and len(first["entries"]) == 2
    rest = client_for(facilitator).get(f"{API}/field/entries?limit=1000&cursor={first['cursor']}").json()
    assert "distributions" not in rest
    assert [r["kpm_ref"] for r in first["entries"] + rest["entries"]] == [r["kpm_ref"] for r in body["entries"]]
    assert client_for(facilitator).get(f"{API}/field/entries?cursor=x").status_code == 422


def test_upload_matrix_records_once_with_files_scan_and_audit(world, dlist, facilitator, village_head,
                                                              other_village_operator, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    entry = _entries(dlist)[0]
    token = _token(entry)
    item = _item(entry, token=token)
    before = _state()
    assert _upload(client_for(None), [item], _files("c-1")).status_code == 401
    assert _upload(client_for(village_head), [item], _files("c-1")).status_code == 403
    hidden = _upload(client_for(other_village_operator), [item], _files("c-1"))
    assert hidden.status_code == 200 and hidden.json()["results"][0]["code"] == "not_found"
    assert _state() == before  # every refusal changed nothing, audited nothing
    seq = audit_seq()
    response = _upload(client_for(facilitator), [item], _files("c-1"))
    assert response.status_code == 200, response.content
    result = response.json()["results"][0]
    assert result["status"] == "ok" and result["files"] == 2 and result["invitation"] == "accepted"
    receipt = Receipt.objects.get(entry=entry)
    assert receipt.officer == facilitator and receipt.accuracy_m == 12 and receipt.device == "Tepat Lapangan"
    assert sorted(ReceiptFile.objects.filter(receipt=receipt).values_list("kind", flat=True)) == ["photo", "signature"]
    entry.refresh_from_db()
    assert entry.status == "delivered"
    assert_audited("distribution_entry.receipt", actor=facilitator, target=entry, after=seq, outcome="full")
    assert_audited("distribution_receipt.file_add", actor=facilitator, target=receipt, after=seq, kind="signature")
    scan = InvitationScan.objects.get(kpm_ref=entry.kpm_ref)
    assert scan.scanned_by == facilitator and scan.scanned_at == receipt.received_at  # the device's time
    assert_audited("invitation.scan", actor=facilitator, target=scan, after=seq, kpm_ref=entry.kpm_ref)
    # the same item again (a lost answer): the first result, nothing recorded twice
    after = _state()
    again = _upload(client_for(facilitator), [item], _files("c-1")).json()["results"][0]
    assert again["replayed"] and again["receipt_id"] == result["receipt_id"]
    assert _state() == after


def test_a_second_receipt_is_a_conflict_and_changes_nothing(world, dlist, facilitator, village_operator,
                                                            settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    entry = _entries(dlist)[1]
    assert _upload(client_for(village_operator), [_item(entry, "desk")]).json()["results"][0]["status"] == "ok"
    before = _state()
    response = _upload(client_for(facilitator), [_item(entry, "phone", outcome="none", reason="absent",
                                                       collector="")], _files("phone"))
    result = response.json()["results"][0]
    assert result["status"] == "conflict" and result["code"] == "already_received"
    assert result["current"]["officer"] == village_operator.get_username() and result["current"]["outcome"] == "full"
    assert result["sent"]["outcome"] == "none"
    assert _state() == before
    assert Receipt.objects.get(entry=entry).officer == village_operator  # never overwritten


def test_a_bad_invitation_or_bad_data_refuses_that_item_only(world, dlist, facilitator, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    first, second, third, fourth = _entries(dlist)[:4]
    expired_token = _token(first, expires_on=timezone.localdate() - timedelta(days=1))
    items = [_item(first, "a", token=expired_token),
             _item(second, "b", token=_token(third)),  # another KPM's invitation
             _item(third, "c", outcome="full", collector="authorised"),  # no letter of authority
             _item(fourth, "d", outcome="none", reason="moved", collector="")]
    before = Receipt.objects.count()
    body = _upload(client_for(facilitator), items).json()
    codes = [(r["client_id"], r["status"], r.get("code")) for r in body["results"]]
    assert codes[:2] == [("a", "error", "invitation_expired"), ("b", "error", "invitation_mismatch")]
    assert codes[2][:2] == ("c", "error") and body["results"][2]["field"] in ("authority_letter", "collector_name")
    assert codes[3] == ("d", "ok", None)
    assert Receipt.objects.count() == before + 1 and not InvitationScan.objects.exists()
    assert body["ok"] == 1 and body["errors"] == 3
    # the same client_id with another content is refused, not replayed
    reused = _upload(client_for(facilitator), [_item(fourth, "d", outcome="none", reason="deceased",
                                                     collector="")]).json()["results"][0]
    assert reused["code"] == "idempotency_key_reused"
    assert Receipt.objects.get(entry=fourth).reason == "moved"
