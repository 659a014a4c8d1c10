"""Receipt photo and signature uploads (bounded, image type checked by content, size capped, all or nothing,
audited) from the page and the JSON API, and the follow-up API (susulan, post-distribution check): the
authorization matrix of every new route, refusals change nothing."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import VILLAGE, assert_audited, audit_seq, client_for
from tepat.distribution.models import DistributionEntry, Receipt
from tepat.distribution.models_followup import PostCheck, ReceiptFile, SusulanEntry
from tepat.distribution.services.evidence import MAX_PHOTOS, receipt_files_add
from tepat.distribution.services.receipts import receipt_record

pytestmark = pytest.mark.django_db
API = "/api/v1/distribution"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
JPEG = b"\xff\xd8\xff\xe0" + b"\x00" * 64
MATRIX_ROUTES = {
    "page distribution:receipt_files", "page distribution:receipt_file",
    f"POST {API}/entries/{{kpm_ref}}/receipt/files", f"GET {API}/receipt-files/{{file_id}}",
    f"GET {API}/distributions/{{distribution_id}}/susulan", f"POST {API}/distributions/{{distribution_id}}/susulan",
    f"POST {API}/susulan/{{item_id}}/pay", f"POST {API}/susulan/{{item_id}}/cancel",
    f"POST {API}/distributions/{{distribution_id}}/postchecks", f"GET {API}/postchecks/{{check_id}}",
    f"POST {API}/postcheck-items/{{item_id}}/answer",
}


def png(name="foto.png", content=PNG):
    return SimpleUploadedFile(name, content, content_type="image/png")


def _entry(dlist, n=0):
    return list(DistributionEntry.objects.filter(list=dlist, region_code=VILLAGE).order_by("id"))[n]


def _state():
    return ReceiptFile.objects.count(), Receipt.objects.count(), audit_seq()


def _post(client, url, body):
    return client.post(url, json.dumps(body), content_type="application/json")


def test_the_page_records_a_receipt_with_photos_and_signature(world, dlist, village_operator, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    entry = _entry(dlist)
    client = client_for(village_operator)
    seq = audit_seq()
    response = client.post("/penyaluran/tanda-terima/", {
        "ref": entry.kpm_ref, "outcome": "full", "collector": "self",
        "photos": [png(), SimpleUploadedFile("b.jpg", JPEG, content_type="image/jpeg")],
        "signature_image": png("ttd.png")})
    assert response.status_code == 302
    receipt = Receipt.objects.get(entry=entry)
    kinds = sorted(ReceiptFile.objects.filter(receipt=receipt).values_list("kind", flat=True))
    assert kinds == ["photo", "photo", "signature"]
    assert_audited("distribution_receipt.file_add", actor=village_operator, target=receipt, after=seq, kind="signature")
    page = client.get(f"/penyaluran/tanda-terima/?ref={entry.kpm_ref}").content.decode()
    assert page.count("data-file-kind=") == 3
    row = ReceiptFile.objects.filter(receipt=receipt, kind="photo").first()
    shown = client.get(f"/penyaluran/tanda-terima/berkas/{row.pk}/")
    assert shown.status_code == 200 and shown["Content-Type"] == "image/png" and shown["X-Content-Type-Options"] == "nosniff"


def test_a_bad_file_refuses_the_receipt_and_every_file(world, dlist, village_operator, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    entry = _entry(dlist)
    before = _state()
    response = client_for(village_operator).post("/penyaluran/tanda-terima/", {
        "ref": entry.kpm_ref, "outcome": "full", "collector": "self",
        "photos": [png(), png("palsu.png", b"<svg onload=alert(1)>")]})
    assert response.status_code == 200 and "palsu.png" in response.content.decode()
    from tepat.audit.models import AuditEvent

    written = set(AuditEvent.objects.filter(seq__gt=before[2]).values_list("action", flat=True))
    assert written <= {"personal_data.view"}, written  # the page shows the entry again: a read, nothing written
    assert _state()[:2] == before[:2] and DistributionEntry.objects.get(pk=entry.pk).status == "pending"
    assert not list(tmp_path.rglob("*.png"))


def test_uploads_are_bounded_typed_and_counted(world, dlist, village_operator, settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    settings.TEPAT_UPLOAD_LIMITS = {"receipt_image": 100}
    entry = _entry(dlist)
    receipt = receipt_record(actor=village_operator, entry=entry, data={"outcome": "full", "collector": "self"})
    before = _state()
    cases = [
        ({"photos": [png(content=PNG + b"\x00" * 200)]}, "file_too_large"),
        ({"photos": [SimpleUploadedFile("a.pdf", b"%PDF-1.4", content_type="application/pdf")]}, "file_type"),
        ({"photos": [png("a.png", JPEG)]}, "file_content"),
        ({"photos": [png(f"{n}.png") for n in range(MAX_PHOTOS + 1)]}, "too_many"),
        ({}, "required"),
    ]
    from tepat.core.exceptions import ValidationFailed

    for kwargs, code in cases:
        with pytest.raises(ValidationFailed) as err:
            receipt_files_add(actor=village_operator, receipt=receipt, **kwargs)
        assert code in {i.code for i in err.value.issues}, (code, err.value.issues)
    assert _state() == before
    receipt_files_add(actor=village_operator, receipt=receipt, signature=png("ttd.png"))
    with pytest.raises(ValidationFailed) as err:
        receipt_files_add(actor=village_operator, receipt=receipt, signature=png("ttd2.png"))
    assert err.value.issues[0].code == "signature_exists"


def test_upload_matrix_page_and_api(world, dlist, village_operator, other_village_operator, village_head,
                                    settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    entry = _entry(dlist)
    receipt = receipt_record(actor=village_operator, entry=entry, data={"outcome": "full", "collector": "self"})
    page = f"/penyaluran/tanda-terima/{receipt.pk}/berkas/"
    api = f"{API}/entries/{entry.kpm_ref}/receipt/files"
    before = _state()
    assert client_for(None).post(page, {"photos": [png()]}).status_code == 302
    assert client_for(village_head).post(page, {"photos": [png()]}).status_code == 403
    assert client_for(other_village_operator).post(page, {"photos": [png()]}).status_code == 404
    assert client_for(None).post(api, {"photos": [png()]}).status_code == 401
    assert client_for(village_head).post(api, {"photos": [png()]}).status_code == 403
    assert client_for(other_village_operator).post(api, {"photos": [png()]}).status_code == 404
    assert _state() == before
    assert client_for(village_operator).post(page, {"photos": [png()]}).status_code == 302
    response = client_for(village_operator).post(api, {"photos": [png()], "signature_image": png("t.png")})
    assert response.status_code == 201 and [f["kind"] for f in response.json()] == ["photo", "signature"]
    url = response.json()[0]["url"]
    assert client_for(None).get(url).status_code == 401
    assert client_for(village_head).get(url).status_code == 403
    assert client_for(other_village_operator).get(url).status_code == 404
    got = client_for(village_operator).get(url)
    assert got.status_code == 200 and b"".join(got.streaming_content) == PNG
    file_page = f"/penyaluran/tanda-terima/berkas/{response.json()[0]['id']}/"
    assert client_for(None).get(file_page).status_code == 302
    assert client_for(village_head).get(file_page).status_code == 403
    assert client_for(other_village_operator).get(file_page).status_code == 404
    assert client_for(village_operator).post(api, {"photos": [png("x.png", b"GIF89a")]}).status_code == 422


def test_susulan_api_matrix(world, dist, dlist, village_operator, other_dinsos_operator):
    entry = _entry(dlist)
    receipt_record(actor=village_operator, entry=entry, data={"outcome": "none", "reason": "absent"})
    url = f"{API}/distributions/{dist.pk}/susulan"
    seq = audit_seq()
    assert client_for(None).get(url).status_code == 401
    assert client_for(village_operator).get(url).status_code == 403
    assert client_for(other_dinsos_operator).get(url).status_code == 404
    for client in (client_for(None), client_for(village_operator), client_for(other_dinsos_operator)):
        assert _post(client, url, {}).status_code in (401, 403, 404)
    assert audit_seq() == seq and not SusulanEntry.objects.exists()
    listed = client_for(world.op).get(url).json()
    assert [c["kpm_ref"] for c in listed["eligible"]] == [entry.kpm_ref]
    created = _post(client_for(world.op), url, {"note": "susulan 1"})
    assert created.status_code == 201
    item = created.json()["entries"][0]
    pay, cancel = f"{API}/susulan/{item['id']}/pay", f"{API}/susulan/{item['id']}/cancel"
    for path, body in ((pay, {"amount": item["amount"]}), (cancel, {"reason": "x"})):
        assert _post(client_for(None), path, body).status_code == 401
        assert _post(client_for(village_operator), path, body).status_code == 403
        assert _post(client_for(other_dinsos_operator), path, body).status_code == 404
    assert SusulanEntry.objects.get().status == "pending"
    assert _post(client_for(world.op), pay, {"amount": item["amount"] - 1}).status_code == 422
    paid = _post(client_for(world.op), pay, {"amount": item["amount"], "reference": "T-1"})
    assert paid.status_code == 200 and paid.json()["status"] == "paid"
    assert _post(client_for(world.op), pay, {"amount": item["amount"]}).status_code == 409  # once
    assert _post(client_for(world.op), cancel, {"reason": "x"}).status_code == 409


def test_postcheck_api_matrix(world, dist, dlist, village_operator, other_village_operator, other_dinsos_operator,
                              auditor):
    entry = _entry(dlist)
    receipt_record(actor=village_operator, entry=entry, data={"outcome": "full", "collector": "self"})
    url = f"{API}/distributions/{dist.pk}/postchecks"
    body = {"village_code": VILLAGE, "confidence": 0.95, "margin": 0.1}
    seq = audit_seq()
    assert _post(client_for(None), url, body).status_code == 401
    assert _post(client_for(village_operator), url, body).status_code == 403
    assert _post(client_for(other_dinsos_operator), url, body).status_code == 404
    assert audit_seq() == seq and not PostCheck.objects.exists()
    created = _post(client_for(world.op), url, body)
    assert created.status_code == 201 and created.json()["population"] == 1 and created.json()["sample_size"] == 1
    check_url = f"{API}/postchecks/{created.json()['id']}"
    assert client_for(None).get(check_url).status_code == 401
    assert client_for(other_village_operator).get(check_url).status_code == 404
    assert client_for(village_operator).get(check_url).json()["progress"]["sample"] == 1
    answer = f"{API}/postcheck-items/{created.json()['items'][0]['id']}/answer"
    seq = audit_seq()
    assert _post(client_for(None), answer, {"amount": 1}).status_code == 401
    assert _post(client_for(auditor), answer, {"amount": 1}).status_code == 403
    assert _post(client_for(other_village_operator), answer, {"amount": 1}).status_code == 404
    assert audit_seq() == seq
    done = _post(client_for(village_operator), answer, {"amount": entry.amount})
    assert done.status_code == 200 and done.json()["status"] == "answered" and done.json()["shortfall"] == 0
