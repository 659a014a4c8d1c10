"""`desil_import`: bad input row by row, matching by KK and by NIK, idempotent reruns, immutability, audit."""

from __future__ import annotations

from datetime import date

import pytest

from conftest import DISTRICT, OTHER_DISTRICT, VILLAGE, assert_audited, audit_seq
from tepat.audit.models import AuditEvent
from tepat.core.actors import SYSTEM
from tepat.core.exceptions import InvalidTransition, ObjectNotFound, PermissionDeniedError, ValidationFailed
from tepat.targeting.models import DesilIssue, DesilRelease, FamilyDesil
from tepat.targeting.selectors import desil_frame, families_without_desil, latest_published_release
from tepat.targeting.services import desil_import
from tepat.targeting.tests.conftest import desil_csv

pytestmark = pytest.mark.django_db


def run(actor, content: bytes, *, period="2026-T4", region=DISTRICT, name="desil.csv", **kw):
    return desil_import(actor=actor, source=content, file_name=name, period=period, source_label="DTSEN Kemensos",
                        region_code=region, **kw)


def state() -> tuple:
    return (DesilRelease.objects.count(), FamilyDesil.objects.count(), AuditEvent.objects.count())


def codes(result) -> dict[int, list[str]]:
    out: dict[int, list[str]] = {}
    for row, code in result.issues.select("row", "code").iter_rows():
        out.setdefault(row, []).append(code)
    return out


def test_match_by_kk_and_by_nik_publishes_one_release_with_one_event(dinsos_operator, families):
    a, b = families[0], families[1]
    head_nik = b.members.get(relation=1).nik
    seq = audit_seq()
    result = run(dinsos_operator, desil_csv((a.kk_number, "", "2"), ("", head_nik, "7")),
                 decree_number="SK 12/2026", decree_date=date(2026, 11, 1))
    release = result.release
    assert release.status == DesilRelease.Status.PUBLISHED and result.changed
    assert dict(FamilyDesil.objects.filter(release=release).values_list("family_id", "desil")) == {a.pk: 2, b.pk: 7}
    assert dict(FamilyDesil.objects.filter(release=release).values_list("family_id", "matched_by")) == {
        a.pk: "kk", b.pk: "nik"}
    assert (release.period, release.source, release.decree_number, release.file_name) == (
        "2026-T4", "DTSEN Kemensos", "SK 12/2026", "desil.csv")
    assert len(release.file_sha256) == 64 and release.family_count == 2
    assert_audited("desil_release.create", actor=dinsos_operator, target=release, after=seq, period="2026-T4")
    assert_audited("desil_release.publish", actor=dinsos_operator, target=release, after=seq,
                   desil_counts={"2": 1, "7": 1})
    # one batch event, not one per family
    assert AuditEvent.objects.filter(seq__gt=seq, action="desil_release.publish").count() == 1
    assert latest_published_release(VILLAGE) == release
    assert desil_frame(release).height == 2


def test_bad_rows_are_reported_and_change_nothing(dinsos_operator, families):
    f = families
    content = desil_csv(
        (f[0].kk_number, "", "3"),            # row 2 ok
        ("3604051506159999", "", "4"),        # row 3 unknown KK
        ("", "3604051401809999", "4"),        # row 4 unknown NIK
        (f[1].kk_number, "", "11"),           # row 5 out of range
        (f[2].kk_number, "", "miskin"),       # row 6 text
        (f[3].kk_number, "", "5"),            # row 7 conflict with row 8
        (f[3].kk_number, "", "6"),            # row 8
        (f[4].kk_number, "", "2"),            # row 9 duplicate, same desil (kept once)
        (f[4].kk_number, "", "2"),            # row 10 warning
        ("", "", "2"),                        # row 11 no identity
        ("3,60405E+15", "", "2"),             # row 12 KK mangled by a spreadsheet
        (f[5].kk_number, "", ""),             # row 13 empty desil
        (f[6].kk_number, "", "0"),            # row 14 out of range
    )
    result = run(dinsos_operator, content)
    got = codes(result)
    assert got[3] == ["kk_unknown"] and got[4] == ["nik_unknown"]
    assert got[5] == ["desil_range"] and got[6] == ["desil_not_number"] and got[14] == ["desil_range"]
    assert got[7] == ["desil_conflict"] and got[8] == ["desil_conflict"]
    assert got[10] == ["duplicate_row"] and 9 not in got
    assert got[11] == ["identity_missing"] and got[13] == ["desil_missing"]
    assert got[12] == ["spreadsheet_scientific"]
    stored = {f.family_id: f.desil for f in FamilyDesil.objects.filter(release=result.release)}
    assert stored == {f[0].pk: 3, f[4].pk: 2}
    assert result.counts["rows_rejected"] == 10 and result.counts["warnings"] == 1
    conflict = DesilIssue.objects.get(release=result.release, row=7)
    assert "7, 8" in conflict.message_id and "5, 6" in conflict.message_en and conflict.column == "DESIL"
    assert DesilIssue.objects.filter(release=result.release).count() == result.issues.height


def test_kk_and_nik_of_different_families_is_a_conflict(dinsos_operator, families):
    a, b = families[0], families[1]
    result = run(dinsos_operator, desil_csv((a.kk_number, b.members.get(relation=1).nik, "4")))
    assert codes(result) == {2: ["kk_nik_mismatch"]}
    assert result.release.status == DesilRelease.Status.FAILED


@pytest.mark.parametrize("rows", [0, 1, 2])
def test_zero_one_two_rows(dinsos_operator, families, rows):
    content = desil_csv(*[(families[i].kk_number, "", str(i + 1)) for i in range(rows)])
    before = state()
    result = run(dinsos_operator, content)
    if rows == 0:
        assert result.release.status == DesilRelease.Status.FAILED
        assert FamilyDesil.objects.count() == before[1]
    else:
        assert result.release.status == DesilRelease.Status.PUBLISHED
        assert FamilyDesil.objects.filter(release=result.release).count() == rows


def test_everything_unknown_publishes_nothing(dinsos_operator, families):
    seq = audit_seq()
    result = run(dinsos_operator, desil_csv(("3604051506159991", "", "1"), ("3604051506159992", "", "2")))
    assert result.release.status == DesilRelease.Status.FAILED and not result.changed
    assert not FamilyDesil.objects.exists()
    assert latest_published_release(VILLAGE) is None
    assert_audited("desil_release.fail", actor=dinsos_operator, target=result.release, after=seq)
    assert set(result.issues.get_column("code")) == {"kk_unknown"}


def test_families_out_of_region_are_unknown(dinsos_operator, families, city_family):
    result = run(dinsos_operator, desil_csv((city_family.kk_number, "", "1"), (families[0].kk_number, "", "1")))
    assert codes(result) == {2: ["kk_unknown"]}


def test_rerun_of_the_same_file_is_idempotent(dinsos_operator, families):
    content = desil_csv((families[0].kk_number, "", "2"))
    first = run(dinsos_operator, content)
    before = state()
    again = run(dinsos_operator, content)
    assert again.release == first.release and not again.changed
    assert state() == before
    # without a region too (the region is derived from the matched families)
    derived = run(dinsos_operator, content, region="")
    before = state()
    again = run(dinsos_operator, content, region="")
    assert again.release == derived.release and not again.changed and state() == before


def test_a_correction_is_a_new_release_and_the_old_one_never_changes(dinsos_operator, families):
    first = run(dinsos_operator, desil_csv((families[0].kk_number, "", "2"))).release
    second = run(dinsos_operator, desil_csv((families[0].kk_number, "", "5"))).release
    assert second.pk != first.pk
    assert FamilyDesil.objects.get(release=first).desil == 2
    assert FamilyDesil.objects.get(release=second).desil == 5
    assert latest_published_release(VILLAGE) == second
    from tepat.audit.transitions import transition

    with pytest.raises(InvalidTransition):
        transition(first, "fail", actor=SYSTEM, region_code=DISTRICT)
    first.refresh_from_db()
    assert first.status == DesilRelease.Status.PUBLISHED


def test_dry_run_writes_nothing(dinsos_operator, families):
    before = state()
    result = run(dinsos_operator, desil_csv((families[0].kk_number, "", "2"), ("x", "", "2")), dry_run=True)
    assert result.release is None and result.counts["families"] == 1 and result.issues.height == 1
    assert state() == before


def test_refused_actors_change_nothing(facilitator, other_dinsos_operator, families):
    content = desil_csv((families[0].kk_number, "", "2"))
    before = state()
    with pytest.raises(PermissionDeniedError):
        run(facilitator, content)
    with pytest.raises(ObjectNotFound):
        run(other_dinsos_operator, content)
    with pytest.raises(ValueError):
        run(None, content)
    assert state() == before


def test_bad_arguments_are_named(dinsos_operator, families):
    before = state()
    with pytest.raises(ValidationFailed) as exc:
        desil_import(actor=dinsos_operator, source=b"x", file_name="d.xls", period="", source_label="",
                     region_code=DISTRICT, decree_number="SK 1")
    assert {i.code for i in exc.value.issues} == {"period", "source", "decree", "file_type"}
    with pytest.raises(ValidationFailed) as exc:
        run(dinsos_operator, b"NAMA;ALAMAT\r\nx;y\r\n")
    assert exc.value.issues[0].code == "no_header"
    with pytest.raises(ValidationFailed) as exc:
        run(dinsos_operator, desil_csv(("1", "", "2"), header="NO_KK;NIK;NAMA"))
    assert exc.value.issues[0].code == "missing_columns"
    assert state() == before


def test_mapping_and_xlsx(dinsos_operator, families):
    import io

    import xlsxwriter

    buffer = io.BytesIO()
    book = xlsxwriter.Workbook(buffer)
    sheet = book.add_worksheet()
    sheet.write_row(0, 0, ["Nomor Kartu", "Peringkat 2026"])
    sheet.write_row(1, 0, [families[0].kk_number, 4])
    book.close()
    result = run(dinsos_operator, buffer.getvalue(), name="desil.xlsx",
                 mapping='{"columns": {"Nomor Kartu": "kk_number", "Peringkat 2026": "desil"}}')
    assert FamilyDesil.objects.get(release=result.release).desil == 4


def test_families_without_desil(dinsos_operator, village_operator, families):
    release = run(dinsos_operator, desil_csv((families[0].kk_number, "", "2"))).release
    missing = set(families_without_desil(actor=dinsos_operator, release=release))
    assert missing == set(families[1:])
    assert set(families_without_desil(actor=village_operator, release=release)) == set(families[1:5])


def test_system_import_without_region_covers_the_matched_families(families):
    result = desil_import(actor=SYSTEM, source=desil_csv((families[0].kk_number, "", "2"), (families[1].kk_number, "", "3")),
                          file_name="d.csv", period="2026-T4", source_label="DTSEN")
    assert result.release.region_id == VILLAGE
    assert_audited("desil_release.publish", actor=SYSTEM, target=result.release)
    assert OTHER_DISTRICT not in result.release.region_id


def test_an_unreadable_upload_fails_the_release_with_the_reason(dinsos_operator, families):
    from tepat.targeting.services import desil_import_run, desil_import_start

    release, queued = desil_import_start(actor=dinsos_operator, content=b"NAMA;ALAMAT\r\nx;y\r\n", file_name="d.csv",
                                         region_code=DISTRICT, period="2026-T4", source_label="DTSEN")
    assert queued and release.status == DesilRelease.Status.IMPORTING
    seq = audit_seq()
    release = desil_import_run(actor=dinsos_operator, release_id=release.pk)
    assert release.status == DesilRelease.Status.FAILED and "header" in release.error
    assert_audited("desil_release.fail", actor=dinsos_operator, target=release, after=seq, codes=["no_header"])
    assert not FamilyDesil.objects.exists()
    # a finished release is not run again
    assert desil_import_run(actor=dinsos_operator, release_id=release.pk).status == DesilRelease.Status.FAILED
