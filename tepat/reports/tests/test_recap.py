"""The regional recap: figures per child region, scope failing closed, sections by capability, the
downloads (small cells suppressed, audited), the chart (SVG without script), and the page matrix."""

from __future__ import annotations

import io

import pytest
from pypdf import PdfReader
from python_calamine import CalamineWorkbook

from conftest import (
    DISTRICT,
    KECAMATAN,
    OTHER_DISTRICT_VILLAGE,
    OTHER_VILLAGE,
    VILLAGE,
    assert_audited,
    audit_seq,
    client_for,
)
from tepat.audit.models import AuditEvent
from tepat.core.exceptions import ObjectNotFound, PermissionDeniedError
from tepat.reports import exports
from tepat.reports.selectors import region_recap

pytestmark = pytest.mark.django_db

MATRIX_ROUTES = {"page reports:recap", "page reports:recap_chart", "page reports:recap_download"}


def _row(recap, code):
    return next(row for row in recap.rows if row["code"] == code)


def test_district_recap_counts_per_kecamatan(dinsos_operator, family, other_village_family):
    recap = region_recap(actor=dinsos_operator, region_code=DISTRICT)
    assert recap.region.code == DISTRICT
    assert recap.child_level == 3  # kecamatan rows
    row = _row(recap, KECAMATAN)
    assert row["families_active"] == 2
    assert row["individuals_living"] == 4
    assert recap.totals["families_active"] == 2
    assert all(r["families_active"] == 0 for r in recap.rows if r["code"] != KECAMATAN)


def test_kecamatan_recap_counts_per_village(dinsos_operator, family, other_village_family):
    recap = region_recap(actor=dinsos_operator, region_code=KECAMATAN)
    assert recap.child_level == 4
    assert _row(recap, VILLAGE)["families_active"] == 1
    assert _row(recap, VILLAGE)["individuals_living"] == 3
    assert _row(recap, OTHER_VILLAGE)["families_active"] == 1


def test_a_village_recap_is_its_own_row(village_operator, family, other_village_family):
    recap = region_recap(actor=village_operator)  # default: the first assigned region
    assert [row["code"] for row in recap.rows] == [VILLAGE]
    assert recap.rows[0]["families_active"] == 1


def test_an_empty_region_gives_zeros_not_errors(dinsos_operator):
    recap = region_recap(actor=dinsos_operator, region_code=DISTRICT)
    assert recap.rows and all(value == 0 for value in recap.totals.values())


def test_scope_fails_closed(village_operator, other_dinsos_operator, unassigned_operator, family):
    with pytest.raises(ObjectNotFound):
        region_recap(actor=village_operator, region_code=KECAMATAN)  # above the assignment
    with pytest.raises(ObjectNotFound):
        region_recap(actor=village_operator, region_code=OTHER_VILLAGE)
    with pytest.raises(ObjectNotFound):
        region_recap(actor=other_dinsos_operator, region_code=DISTRICT)
    with pytest.raises(ObjectNotFound):
        region_recap(actor=unassigned_operator)
    with pytest.raises(ObjectNotFound):
        region_recap(actor=other_dinsos_operator, region_code="99.99")


def test_a_role_without_registry_view_is_refused(make_user):
    from tepat.accounts.roles import Capability, capabilities_of

    roles = ["auditor", "administrator"]
    refused = [r for r in roles if Capability.REGISTRY_VIEW not in capabilities_of(r)]
    for role in refused:
        with pytest.raises(PermissionDeniedError):
            region_recap(actor=make_user(role, [DISTRICT]), region_code=DISTRICT)


def test_sections_follow_capabilities(dinsos_operator, village_operator, family):
    from tepat.accounts.roles import Capability, capabilities_of

    keys = {col.key for col in region_recap(actor=dinsos_operator, region_code=DISTRICT).columns}
    assert {"families_active", "age_1y"} <= keys
    for user in (dinsos_operator, village_operator):
        caps = capabilities_of(user.role)
        cols = {col.section for col in region_recap(actor=user).columns}
        assert ("quality" in cols) == (Capability.QUALITY_VIEW in caps)
        assert ("grievances" in cols) == (Capability.GRIEVANCES_VIEW in caps)
        assert ("updates" in cols) == (Capability.UPDATES_VIEW in caps)


def test_recent_families_count_as_changed_within_a_year(dinsos_operator, family):
    recap = region_recap(actor=dinsos_operator, region_code=VILLAGE)
    assert recap.rows[0]["age_1y"] == 1 and recap.rows[0]["age_old"] == 0


def test_small_cells_are_suppressed_in_files(dinsos_operator, family):
    recap = region_recap(actor=dinsos_operator, region_code=KECAMATAN)
    header, body = exports.table(recap)
    village = next(row for row in body if row[0] == VILLAGE)
    column = header.index(str(next(c.label for c in recap.columns if c.key == "families_active")))
    assert village[column] == "< 5"  # one family
    zero_column = header.index(str(next(c.label for c in recap.columns if c.key == "individuals_died")))
    assert village[zero_column] == 0  # zero is not a small cell


def test_xlsx_download_is_suppressed_and_audited(dinsos_operator, family):
    before = audit_seq()
    response = client_for(dinsos_operator).get(f"/laporan/unduh.xlsx?region={KECAMATAN}")
    assert response.status_code == 200
    assert response["Content-Disposition"].startswith('attachment; filename="rekap-36.04.05-')
    sheet = CalamineWorkbook.from_filelike(io.BytesIO(response.content)).get_sheet_by_index(0).to_python()
    flat = [str(v) for row in sheet for v in row]
    assert "< 5" in flat and VILLAGE in flat
    assert_audited("report.export", actor=dinsos_operator, region_code=KECAMATAN, after=before,
                   format="xlsx", report="region_recap")


def test_pdf_download_reads_back(dinsos_operator, family):
    before = audit_seq()
    response = client_for(dinsos_operator).get(f"/laporan/unduh.pdf?region={DISTRICT}")
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.content)).pages)
    assert KECAMATAN in text and "< 5" in text
    assert_audited("report.export", actor=dinsos_operator, region_code=DISTRICT, after=before, format="pdf")


def test_unknown_format_is_404_and_not_audited(dinsos_operator):
    before = audit_seq()
    assert client_for(dinsos_operator).get("/laporan/unduh.docx").status_code == 404
    assert not AuditEvent.objects.filter(seq__gt=before, action="report.export").exists()


def test_chart_is_svg_without_script_under_its_own_policy(dinsos_operator, family):
    response = client_for(dinsos_operator).get(f"/laporan/grafik.svg?region={KECAMATAN}")
    assert response.status_code == 200 and response["Content-Type"] == "image/svg+xml"
    body = response.content.decode()
    assert "<svg" in body and "<script" not in body
    assert 'href="http' not in body and 'src="http' not in body and "@import" not in body
    policy = response["Content-Security-Policy"]
    assert "default-src 'none'" in policy and "script-src 'none'" in policy


def test_page_shows_rows_and_drill_down(dinsos_operator, family):
    response = client_for(dinsos_operator).get(f"/laporan/?region={DISTRICT}")
    assert response.status_code == 200
    html = response.content.decode()
    assert f'data-region="{KECAMATAN}"' in html and f'href="?region={KECAMATAN}"' in html
    assert "/laporan/grafik.svg" in html


def test_page_sorts_by_a_column(dinsos_operator, family, other_village_family):
    response = client_for(dinsos_operator).get(f"/laporan/?region={KECAMATAN}&sort=-families_active")
    assert response.status_code == 200


URLS = [f"/laporan/?region={VILLAGE}", f"/laporan/grafik.svg?region={VILLAGE}",
        f"/laporan/unduh.xlsx?region={VILLAGE}", f"/laporan/unduh.pdf?region={VILLAGE}"]


@pytest.mark.parametrize("url", URLS)
def test_matrix(url, village_operator, other_village_operator, other_dinsos_operator, dinsos_operator, family):
    from tepat.accounts.roles import Capability, capabilities_of

    before = audit_seq()
    anonymous = client_for(None).get(url)
    assert anonymous.status_code == 302 and "/akun/masuk/" in anonymous["Location"]
    assert client_for(other_village_operator).get(url).status_code == 404  # wrong village
    assert client_for(other_dinsos_operator).get(url).status_code == 404  # wrong district
    assert not AuditEvent.objects.filter(seq__gt=before, action="report.export").exists()
    assert client_for(village_operator).get(url).status_code == 200
    assert client_for(dinsos_operator).get(url).status_code == 200
    assert Capability.REGISTRY_VIEW in capabilities_of(village_operator.role)


@pytest.mark.parametrize("url", URLS)
def test_matrix_wrong_role(url, make_user, family):
    from tepat.accounts.roles import ROLE_CAPABILITIES, Capability

    for role, caps in ROLE_CAPABILITIES.items():
        if Capability.REGISTRY_VIEW not in caps:
            assert client_for(make_user(str(role), [VILLAGE])).get(url).status_code == 403


def test_out_of_district_data_never_counts(dinsos_operator, make_user):
    from datetime import date

    from conftest import make_kk, member_data
    from tepat.registry.services import family_create

    city = make_user("dinsos_operator", ["36.73"])
    family_create(correction_reason="test fixture", actor=city, region_code=OTHER_DISTRICT_VILLAGE,
                  data={"kk_number": make_kk(region6="367305"), "rw": "1", "rt": "1"},
                  members=[member_data(relation=1, name="Dedi", born=date(1970, 1, 1))])
    assert region_recap(actor=dinsos_operator, region_code=DISTRICT).totals["families_active"] == 0
    assert region_recap(actor=city, region_code="36.73").totals["families_active"] == 1
