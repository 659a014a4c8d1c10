"""Channels as data, list versions, pre-flight cleansing into the return queue, export with declared totals
and a recorded hash, immutability of an exported version."""

from __future__ import annotations

import hashlib
import io

import msoffcrypto
import pytest

from conftest import VILLAGE, assert_audited
from tepat.core.exceptions import BusinessRuleViolation, ValidationFailed
from tepat.distribution.models import Channel, DistributionEntry, DistributionList, ExportFile, ReturnItem
from tepat.distribution.services.export import list_export, read_declared_totals_csv
from tepat.distribution.services.lists import distribution_create, list_version_create
from tepat.distribution.services.realisation import return_resolve

pytestmark = pytest.mark.django_db


def test_channels_are_seeded_with_layouts():
    codes = set(Channel.objects.values_list("code", flat=True))
    assert {"POS_KANTOR", "POS_KOMUNITAS", "POS_RUMAH", "BRI", "BNI", "MANDIRI", "BTN", "BSI", "BULOG"} <= codes
    for channel in Channel.objects.all():
        assert any(field == "amount" for _, field in channel.columns)


def test_only_an_approved_list_is_distributed(world):
    from tepat.programs.services.lists import list_determine

    blist = list_determine(actor=world.op, release=world.sembako, period=world.period, tahap=1)
    with pytest.raises(ValidationFailed):
        distribution_create(actor=world.op, blist=blist)


def test_version_entries_refs_and_audit(world, dist, dlist):
    entries = list(dlist.entries.all())
    recipients = dist.beneficiary_list.entries.filter(status="recipient").count()
    assert dlist.entry_count == len(entries) and len(entries) + dlist.held_back == recipients
    assert dlist.total_amount == sum(e.amount for e in entries) and dlist.total_amount > 0
    refs = {e.kpm_ref for e in entries}
    assert len(refs) == len(entries) and all(r.startswith("K") and len(r) == 12 for r in refs)
    assert all(e.nik not in r and e.kk_number[:6] not in r for e, r in zip(entries, refs, strict=False))
    assert_audited("distribution_list.create", actor=world.op, target=dlist)


def test_preflight_sends_incomplete_address_to_the_village_queue(world, dist):
    world.f_old2.rt = ""
    world.f_old2.save(update_fields=["rt"])
    dlist = list_version_create(actor=world.op, dist=dist, channel=Channel.objects.get(code="POS_RUMAH"))
    assert not dlist.entries.filter(family=world.f_old2).exists()
    item = ReturnItem.objects.get(distribution=dist, family=world.f_old2)
    assert item.status == "open" and "address_rt_rw" in item.reason_codes and item.region_code == VILLAGE
    assert item.deadline > dist.created_at.date()
    assert_audited("distribution.preflight", actor=world.op, target=dist)
    # completed by the village, it rejoins the next version with a reference of its own
    world.f_old2.rt, world.f_old2.address = "2", "Jl. Melati, dekat masjid"
    world.f_old2.save(update_fields=["rt", "address"])
    return_resolve(actor=world.op, item=item, action="complete", note="RT dilengkapi")
    v2 = list_version_create(actor=world.op, dist=dist, channel=Channel.objects.get(code="POS_RUMAH"))
    assert v2.version == 2 and v2.entries.filter(family=world.f_old2).exists()
    assert DistributionList.objects.get(pk=dlist.pk).status == "superseded"


def test_new_version_keeps_the_reference(world, dist, dlist, pos):
    before = dict(dlist.entries.values_list("family_id", "kpm_ref"))
    v2 = list_version_create(actor=world.op, dist=dist, channel=pos)
    assert dict(v2.entries.values_list("family_id", "kpm_ref")) == before


def test_deceased_recipient_is_held_back(world, dist, pos):
    world.f_old2.members.update(presence=2)
    dlist = list_version_create(actor=world.op, dist=dist, channel=pos)
    assert not dlist.entries.filter(family=world.f_old2).exists()
    assert "deceased" in ReturnItem.objects.get(family=world.f_old2).reason_codes


def test_csv_export_declares_totals_records_hash_and_freezes(world, dlist):
    result = list_export(actor=world.op, dlist=dlist, fmt="csv")
    data = result.path.read_bytes()
    result.path.unlink()
    assert read_declared_totals_csv(data) == (dlist.entry_count, dlist.total_amount)
    record = ExportFile.objects.get(pk=result.record.pk)
    assert record.sha256 == hashlib.sha256(data).hexdigest() and result.password == ""
    assert record.masked is False  # the Dinsos operator may see NIK
    assert DistributionList.objects.get(pk=dlist.pk).status == "exported"
    assert_audited("personal_data.export", actor=world.op, target=record)
    assert_audited("distribution_list.export", actor=world.op, target=dlist)


def test_xlsx_export_is_encrypted_with_a_one_time_password(world, dlist):
    result = list_export(actor=world.op, dlist=dlist, fmt="xlsx")
    data = result.path.read_bytes()
    result.path.unlink()
    office = msoffcrypto.OfficeFile(io.BytesIO(data))
    assert office.is_encrypted() and len(result.password) >= 12
    office.load_key(password=result.password)
    plain = io.BytesIO()
    office.decrypt(plain)
    from python_calamine import CalamineWorkbook

    book = CalamineWorkbook.from_filelike(io.BytesIO(plain.getvalue()))
    rows = book.get_sheet_by_name("DANOM").to_python()
    assert rows[-1][0] == "TOTAL" and int(rows[-1][rows[0].index("NOMINAL")]) == dlist.total_amount
    assert result.password not in str(ExportFile.objects.get(pk=result.record.pk).__dict__)


def test_masked_reader_gets_masked_identity(world, dlist, province_viewer):
    from tepat.distribution.services.export import _rows

    row = next(_rows(province_viewer, dlist, dlist.distribution.region_code))
    assert row["nik"].endswith("*" * 10)


def test_export_refused_for_wrong_role_and_changes_nothing(dlist, village_operator):
    from tepat.core.exceptions import PermissionDeniedError

    with pytest.raises(PermissionDeniedError):
        list_export(actor=village_operator, dlist=dlist, fmt="csv")
    assert ExportFile.objects.count() == 0 and DistributionList.objects.get(pk=dlist.pk).status == "draft"


def test_superseded_version_cannot_be_exported(world, dist, dlist, pos):
    list_version_create(actor=world.op, dist=dist, channel=pos)
    with pytest.raises(ValidationFailed):
        list_export(actor=world.op, dlist=DistributionList.objects.get(pk=dlist.pk), fmt="csv")


def test_duplicate_kk_goes_to_the_queue(world, dist, pos):
    from tepat.programs.models import ListEntry

    kk = world.f_old2.kk_number
    ListEntry.objects.filter(list=dist.beneficiary_list, family=world.f_adults).update(kk_number=kk)
    dlist = list_version_create(actor=world.op, dist=dist, channel=pos)
    assert not dlist.entries.filter(family__in=[world.f_old2, world.f_adults]).exists()
    assert ReturnItem.objects.filter(reasons__contains="duplicate_kk").count() == 2


def test_closed_tahap_refuses_a_new_version(world, dist, pos, dinsos_supervisor):
    from tepat.distribution.services.close import close_approve, close_request

    close_request(actor=world.op, dist=dist)
    close_approve(actor=dinsos_supervisor, dist=dist)
    dist.refresh_from_db()
    with pytest.raises(BusinessRuleViolation):
        list_version_create(actor=world.op, dist=dist, channel=pos)
    assert not DistributionEntry.objects.exists()


def test_bad_recipient_nik_is_held_back(world, dist, pos):
    world.f_old2.members.update(nik="1234")
    dlist = list_version_create(actor=world.op, dist=dist, channel=pos)
    assert not dlist.entries.filter(family=world.f_old2).exists()
    assert "nik_structure" in ReturnItem.objects.get(family=world.f_old2).reason_codes


def test_queue_row_is_swapped_in_place_by_htmx(world, dist, village_operator):
    from conftest import client_for

    world.f_old2.rt = ""
    world.f_old2.save(update_fields=["rt"])
    list_version_create(actor=world.op, dist=dist, channel=Channel.objects.get(code="POS_KANTOR"))
    item = ReturnItem.objects.get(family=world.f_old2)
    answer = client_for(village_operator).post(f"/penyaluran/dikembalikan/{item.pk}/", {"action": "drop", "note": ""},
                                               HTTP_HX_REQUEST="true")
    assert answer.status_code == 422 and ReturnItem.objects.get(pk=item.pk).status == "open"
    answer = client_for(village_operator).post(f"/penyaluran/dikembalikan/{item.pk}/",
                                               {"action": "drop", "note": "pindah ke luar kabupaten"},
                                               HTTP_HX_REQUEST="true")
    assert answer.status_code == 200 and f'id="item-{item.pk}"' in answer.content.decode()
    assert ReturnItem.objects.get(pk=item.pk).status == "dropped"
    assert_audited("distribution_return.drop", actor=village_operator, target=item)
