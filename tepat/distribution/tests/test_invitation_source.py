"""Invitations wired to the distribution lists (the default TEPAT_INVITATION_SOURCE): one village's PDF end to
end from real entries, masked names only, the met and other villages' KPM left out, a closed tahap prints
nothing, the detail page links to the printing."""

from __future__ import annotations

import io
from datetime import date

import pytest
from pypdf import PdfReader

from conftest import OTHER_VILLAGE, VILLAGE, assert_audited, audit_seq, client_for
from tepat.distribution.invitations import signing
from tepat.distribution.invitations.source import distribution_invitations
from tepat.distribution.invitations.tests.test_pdf import printed_tokens
from tepat.distribution.models import DistributionEntry
from tepat.distribution.services.receipts import receipt_record
from tepat.registry.masking import public_name

pytestmark = pytest.mark.django_db


def _url(dist, village=VILLAGE, per_page=4):
    return f"/penyaluran/undangan/cetak/{village}/?programme={dist.programme_code}&tahap={dist.tahap}&per_page={per_page}"


def test_the_default_source_is_the_distribution_lists(settings):
    assert settings.TEPAT_INVITATION_SOURCE == "tepat.distribution.invitations.source.distribution_invitations"


def test_a_village_pdf_end_to_end_from_the_entries(world, dist, dlist, village_operator):
    entries = list(DistributionEntry.objects.filter(list=dlist, region_code=VILLAGE))
    assert entries and DistributionEntry.objects.filter(list=dlist, region_code=OTHER_VILLAGE).exists()
    met = entries[0]
    receipt_record(actor=village_operator, entry=met, data={"outcome": "none", "reason": "absent"})
    waiting = {e.kpm_ref: e for e in entries[1:]}
    seq = audit_seq()
    response = client_for(village_operator).get(_url(dist))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    # ReportLab writes "•" as WinAnsi 0x7F (an unused code, which viewers draw as the bullet)
    text = text.replace("\x7f", "•")
    payloads = [signing.verify(token, today=date(2026, 12, 3)) for token in printed_tokens(text)]
    assert {p.kpm_ref for p in payloads} == set(waiting)  # the met KPM and the other village are left out
    for p in payloads:
        entry = waiting[p.kpm_ref]
        assert (p.programme, p.tahap, p.amount, p.village_code) == (dist.programme_code, dist.tahap, entry.amount,
                                                                     VILLAGE)
        assert p.expires_on == dist.ends_on
    for entry in waiting.values():  # masked for print: never the whole name, the NIK or the KK
        assert public_name(entry.name) in text
        if len(entry.name.split()) > 1:
            assert entry.name not in text
        assert entry.nik not in text and entry.kk_number not in text
    assert_audited("invitation.print", actor=village_operator, after=seq, region_code=VILLAGE, count=len(waiting))


def test_the_source_reads_only_the_open_tahap_of_that_programme(world, dist, dlist, village_operator):
    from tepat.distribution.models import Distribution

    assert distribution_invitations(actor=village_operator, village_code=VILLAGE, programme="OTHER",
                                    tahap=dist.tahap) == []
    assert distribution_invitations(actor=village_operator, village_code=VILLAGE, programme=dist.programme_code,
                                    tahap=dist.tahap + 1) == []
    Distribution.objects.filter(pk=dist.pk).update(status="closed")
    seq = audit_seq()
    response = client_for(village_operator).get(_url(dist))
    assert response.status_code == 422 and "tidak ada undangan" in response.content.decode()
    assert audit_seq() == seq


def test_other_village_operator_cannot_print_this_village(world, dist, dlist, other_village_operator, facilitator):
    seq = audit_seq()
    assert client_for(other_village_operator).get(_url(dist)).status_code == 404
    assert client_for(facilitator).get(_url(dist)).status_code == 403
    assert client_for(None).get(_url(dist)).status_code == 302
    assert audit_seq() == seq


def test_detail_and_index_link_to_printing(world, dist, dlist):
    page = client_for(world.op).get(f"/penyaluran/tahap/{dist.pk}/").content.decode()
    assert f'data-village="{VILLAGE}"' in page and _url(dist).replace("&", "&amp;") in page
    assert "/penyaluran/undangan/tugas/" in page
    index = client_for(world.op).get("/penyaluran/").content.decode()
    assert 'data-action="print-region"' in index
