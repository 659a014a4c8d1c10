"""The susulan and post-distribution check pages: authorization matrix (anonymous, wrong role, wrong region,
right), the flows (create a batch, pay, cancel; draw a sample, answer), refusals change nothing."""

from __future__ import annotations

import pytest

from conftest import VILLAGE, assert_audited, audit_seq, client_for
from tepat.distribution.models import DistributionEntry
from tepat.distribution.models_followup import PostCheck, SusulanEntry
from tepat.distribution.services.receipts import receipt_record

pytestmark = pytest.mark.django_db
MATRIX_ROUTES = {"page distribution:susulan", "page distribution:susulan_create", "page distribution:susulan_entry",
                 "page distribution:postchecks", "page distribution:postcheck_create", "page distribution:postcheck",
                 "page distribution:postcheck_answer"}


def _entries(dlist):
    return list(DistributionEntry.objects.filter(list=dlist, region_code=VILLAGE).order_by("id"))


def _state():
    return SusulanEntry.objects.count(), SusulanEntry.objects.filter(status="paid").count(), \
        PostCheck.objects.count(), audit_seq()


def test_susulan_pages_matrix_and_flow(world, dist, dlist, village_operator, other_dinsos_operator):
    absent, refused = _entries(dlist)[:2]
    receipt_record(actor=village_operator, entry=absent, data={"outcome": "none", "reason": "absent"})
    receipt_record(actor=village_operator, entry=refused, data={"outcome": "none", "reason": "refused"})
    page, create = f"/penyaluran/tahap/{dist.pk}/susulan/", f"/penyaluran/tahap/{dist.pk}/susulan/buat/"
    before = _state()
    assert client_for(None).get(page).status_code == 302
    assert client_for(village_operator).get(page).status_code == 403
    assert client_for(other_dinsos_operator).get(page).status_code == 404
    assert client_for(None).post(create).status_code == 302
    assert client_for(village_operator).post(create).status_code == 403
    assert client_for(other_dinsos_operator).post(create).status_code == 404
    assert _state() == before
    text = client_for(world.op).get(page).content.decode()
    assert f'data-kpm="{absent.kpm_ref}"' in text and "refused the aid" in text
    assert client_for(world.op).post(create, {"note": "s1"}).status_code == 302
    item = SusulanEntry.objects.get()
    entry_url = f"/penyaluran/susulan/{item.pk}/"
    before = _state()
    assert client_for(None).post(entry_url, {"action": "pay", "amount": item.amount}).status_code == 302
    assert client_for(village_operator).post(entry_url, {"action": "pay", "amount": item.amount}).status_code == 403
    assert client_for(other_dinsos_operator).post(entry_url, {"action": "pay", "amount": item.amount}).status_code == 404
    assert _state() == before
    seq = audit_seq()
    assert client_for(world.op).post(entry_url, {"action": "pay", "amount": item.amount, "reference": "T1"}
                                     ).status_code == 302
    assert_audited("susulan_entry.pay", actor=world.op, target=item, after=seq)
    before = _state()
    response = client_for(world.op).post(entry_url, {"action": "pay", "amount": item.amount}, follow=True)
    assert _state() == before and "sudah" in response.content.decode()
    assert 'data-status="paid"' in response.content.decode()


def test_postcheck_pages_matrix_and_flow(world, dist, dlist, village_operator, other_village_operator, auditor,
                                         other_dinsos_operator, village_head):
    entry = _entries(dlist)[0]
    receipt_record(actor=village_operator, entry=entry, data={"outcome": "full", "collector": "self"})
    page, create = f"/penyaluran/tahap/{dist.pk}/pemeriksaan/", f"/penyaluran/tahap/{dist.pk}/pemeriksaan/buat/"
    body = {"village": VILLAGE, "confidence": "0.95", "margin": "0.1"}
    before = _state()
    assert client_for(None).get(page).status_code == 302
    assert client_for(village_head).get(page).status_code == 403
    assert client_for(other_dinsos_operator).get(page).status_code == 404
    assert client_for(village_operator).post(create, body).status_code == 403
    assert client_for(other_dinsos_operator).post(create, body).status_code == 404
    assert _state() == before
    assert 'data-action="postcheck-create"' in client_for(world.op).get(page).content.decode()
    response = client_for(world.op).post(create, body)
    check = PostCheck.objects.get()
    assert response.status_code == 302 and response.url == f"/penyaluran/pemeriksaan/{check.pk}/"
    view = response.url
    assert client_for(None).get(view).status_code == 302
    assert client_for(village_head).get(view).status_code == 403
    assert client_for(other_village_operator).get(view).status_code == 404
    assert f'data-item="{entry.kpm_ref}"' in client_for(village_operator).get(view).content.decode()
    item = check.items.get()
    answer = f"/penyaluran/pemeriksaan/jawab/{item.pk}/"
    seq = audit_seq()
    assert client_for(None).post(answer, {"amount": entry.amount}).status_code == 302
    assert client_for(auditor).post(answer, {"amount": entry.amount}).status_code == 403
    assert client_for(other_village_operator).post(answer, {"amount": entry.amount}).status_code == 404
    assert audit_seq() == seq
    assert client_for(village_operator).post(answer, {"action": "answer", "amount": entry.amount}).status_code == 302
    item.refresh_from_db()
    assert item.status == "answered" and item.shortfall == 0
    assert_audited("distribution_postcheck.answer", actor=village_operator, target=item, after=seq)
