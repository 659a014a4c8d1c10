"""Authorization matrix for every distribution page and API operation: anonymous, wrong role, wrong region,
right one. A refused request leaves no audit event and changes nothing; the right one's write is audited."""

from __future__ import annotations

import json
import shutil

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import DISTRICT, OTHER_DISTRICT, audit_seq, client_for
from tepat.audit.models import AuditEvent
from tepat.distribution.models import (
    Channel,
    Distribution,
    DistributionEntry,
    DistributionList,
    ExportFile,
    RealisationLine,
    Receipt,
    ReturnItem,
)

pytestmark = pytest.mark.django_db
ROUTES = 32
MATRIX_ROUTES = {
    "page distribution:index",
    "page distribution:open",
    "page distribution:detail",
    "page distribution:version_create",
    "page distribution:realisation",
    "page distribution:queue",
    "page distribution:reconciliation",
    "page distribution:close",
    "page distribution:export",
    "page distribution:export_download",
    "page distribution:return_resolve",
    "page distribution:receipt",
    "GET /api/v1/distribution/channels",
    "GET /api/v1/distribution/distributions",
    "POST /api/v1/distribution/distributions",
    "GET /api/v1/distribution/distributions/{distribution_id}",
    "POST /api/v1/distribution/distributions/{distribution_id}/lists",
    "GET /api/v1/distribution/lists/{list_id}/entries",
    "POST /api/v1/distribution/lists/{list_id}/export",
    "GET /api/v1/distribution/entries/{kpm_ref}",
    "POST /api/v1/distribution/entries/{kpm_ref}/receipt",
    "GET /api/v1/distribution/distributions/{distribution_id}/returns",
    "POST /api/v1/distribution/returns/{item_id}/complete",
    "POST /api/v1/distribution/returns/{item_id}/drop",
    "POST /api/v1/distribution/distributions/{distribution_id}/realisation",
    "POST /api/v1/distribution/distributions/{distribution_id}/channel-returns",
    "GET /api/v1/distribution/distributions/{distribution_id}/reconciliation",
    "POST /api/v1/distribution/distributions/{distribution_id}/close-request",
    "POST /api/v1/distribution/distributions/{distribution_id}/close",
    "POST /api/v1/distribution/distributions/{distribution_id}/close-refuse",
}


@pytest.fixture
def ctx(world, dist, make_user, village_head, facilitator, other_dinsos_operator, village_operator,
        other_village_operator):
    from tepat.distribution.services.export import list_export
    from tepat.distribution.services.lists import list_version_create
    from tepat.distribution.views import _export_dir
    from tepat.programs.services.lists import list_approve, list_determine

    world.f_old2.rt = ""
    world.f_old2.save(update_fields=["rt"])
    dlist = list_version_create(actor=world.op, dist=dist, channel=Channel.objects.get(code="POS_KANTOR"),
                                area_codes=["36.04.05.2001"])
    item = ReturnItem.objects.get(distribution=dist, family=world.f_old2)
    entry = dlist.entries.filter(region_code="36.04.05.2001").first()
    result = list_export(actor=world.op, dlist=dlist, fmt="csv")
    shutil.move(str(result.path), _export_dir() / f"{result.record.pk}.csv")
    pkh = list_approve(actor=world.spv, blist=list_determine(actor=world.op, release=world.pkh, period=world.period,
                                                             tahap=1))
    return {"w": world, "dist": dist, "list": dlist, "item": item, "entry": entry, "export": result.record,
            "pkh": pkh, "actors": {
                "op": world.op, "spv": make_user("dinsos_supervisor", [DISTRICT], "spv_penutup"),
                "village_head": village_head, "facilitator": facilitator, "other_op": other_dinsos_operator,
                "other_spv": make_user("dinsos_supervisor", [OTHER_DISTRICT], "spv_kota"),
                "vop": village_operator, "other_vop": other_village_operator}}


def _realisation_file(c):
    e = c["entry"]
    data = f"ID_KPM;STATUS;NOMINAL;TANGGAL\n{e.kpm_ref};SALUR;{e.amount};2026-02-10\n".encode()
    return {"file": SimpleUploadedFile("real.csv", data, content_type="text/csv"), "kind": "realisation"}


def _returns_file(c):
    e = c["entry"]
    return {"file": SimpleUploadedFile("retur.csv", f"ID_KPM;ALASAN\n{e.kpm_ref};alamat\n".encode(),
                                       content_type="text/csv")}


def _request_close(c):
    from tepat.distribution.services.close import close_request

    close_request(actor=c["w"].op, dist=c["dist"])


def _paths(c):
    d, lid, ref, item = c["dist"].pk, c["list"].pk, c["entry"].kpm_ref, c["item"].pk
    api = "/api/v1/distribution"
    return [
        # (method, url, body, wrong role, wrong region, right, status[, prepare])
        ("get", "/penyaluran/", None, "village_head", None, "op", 200),
        ("post", "/penyaluran/buka/", {"list": str(c["pkh"].pk)}, "facilitator", "other_op", "op", 302),
        ("get", f"/penyaluran/tahap/{d}/", None, "village_head", "other_op", "op", 200),
        ("post", f"/penyaluran/tahap/{d}/versi/", {"channel": "BRI", "area": "36.04.05.2002"}, "facilitator",
         "other_op", "op", 302),
        ("post", f"/penyaluran/tahap/{d}/realisasi/", _realisation_file, "facilitator", "other_op", "op", 200),
        ("get", f"/penyaluran/tahap/{d}/dikembalikan/", None, "village_head", "other_op", "op", 200),
        ("get", f"/penyaluran/tahap/{d}/rekonsiliasi/", None, "village_head", "other_op", "op", 200),
        ("post", f"/penyaluran/tahap/{d}/tutup/", {"step": "request"}, "facilitator", "other_op", "op", 302),
        ("post", f"/penyaluran/tahap/{d}/tutup/", {"step": "close"}, "op", "other_spv", "spv", 302, _request_close),
        ("post", f"/penyaluran/daftar/{lid}/ekspor/", {"format": "xlsx"}, "facilitator", "other_op", "op", 200),
        ("get", f"/penyaluran/ekspor/{c['export'].pk}/unduh/", None, "village_head", "other_op", "op", 200),
        ("post", f"/penyaluran/dikembalikan/{item}/", {"action": "complete", "note": "RT diisi"}, "facilitator",
         "other_vop", "vop", 302),
        ("get", f"/penyaluran/tanda-terima/?ref={ref}", None, "village_head", None, "vop", 200),
        ("post", "/penyaluran/tanda-terima/", {"ref": ref, "outcome": "none", "reason": "absent"}, "village_head",
         "other_vop", "vop", 302),
        ("api_get", f"{api}/channels", None, "village_head", None, "op", 200),
        ("api_get", f"{api}/distributions", None, "village_head", None, "op", 200),
        ("api_post", f"{api}/distributions", {"list_id": str(c["pkh"].pk)}, "facilitator", "other_op", "op", 201),
        ("api_get", f"{api}/distributions/{d}", None, "village_head", "other_op", "op", 200),
        ("api_post", f"{api}/distributions/{d}/lists", {"channel": "BRI", "area_codes": ["36.04.05.2002"]},
         "facilitator", "other_op", "op", 201),
        ("api_get", f"{api}/lists/{lid}/entries", None, "village_head", "other_op", "op", 200),
        ("api_post", f"{api}/lists/{lid}/export", {"format": "csv"}, "facilitator", "other_op", "op", 200),
        ("api_get", f"{api}/entries/{ref}", None, "village_head", "other_vop", "vop", 200),
        ("api_post", f"{api}/entries/{ref}/receipt", {"outcome": "full", "collector": "self"}, "village_head",
         "other_vop", "vop", 201),
        ("api_get", f"{api}/distributions/{d}/returns", None, "village_head", "other_op", "op", 200),
        ("api_post", f"{api}/returns/{item}/complete", {"note": "lengkap"}, "facilitator", "other_vop", "vop", 200),
        ("api_post", f"{api}/returns/{item}/drop", {"note": "pindah"}, "facilitator", "other_vop", "vop", 200),
        ("api_upload", f"{api}/distributions/{d}/realisation", _realisation_file, "facilitator", "other_op", "op", 201),
        ("api_upload", f"{api}/distributions/{d}/channel-returns", _returns_file, "facilitator", "other_op", "op",
         201),
        ("api_get", f"{api}/distributions/{d}/reconciliation", None, "village_head", "other_op", "op", 200),
        ("api_post", f"{api}/distributions/{d}/close-request", {}, "facilitator", "other_op", "op", 200),
        ("api_post", f"{api}/distributions/{d}/close", {}, "op", "other_spv", "spv", 200, _request_close),
        ("api_post", f"{api}/distributions/{d}/close-refuse", {"note": "retur kurang"}, "op", "other_spv", "spv",
         200, _request_close),
    ]


def _call(client, method, url, body, c):
    body = body(c) if callable(body) else body
    if method == "get" or method == "api_get":
        return client.get(url)
    if method in ("post", "api_upload"):
        return client.post(url, body or {})
    return client.post(url, data=json.dumps(body or {}), content_type="application/json")


def _snapshot():
    return (AuditEvent.objects.exclude(action="personal_data.view").count(),
            list(Distribution.objects.values_list("status", flat=True).order_by("pk")),
            list(DistributionList.objects.values_list("status", flat=True).order_by("pk")),
            list(ReturnItem.objects.values_list("status", flat=True).order_by("pk")),
            DistributionEntry.objects.count(), Receipt.objects.count(), RealisationLine.objects.count(),
            ExportFile.objects.count())


@pytest.mark.parametrize("index", range(ROUTES))
def test_matrix(ctx, index):
    method, url, body, wrong_role, wrong_region, right, status, *prepare = _paths(ctx)[index]
    if prepare:
        prepare[0](ctx)
    actors = ctx["actors"]
    api = method.startswith("api")
    before = _snapshot()
    seq = audit_seq()
    anonymous = _call(client_for(None), method, url, body, ctx)
    assert anonymous.status_code == (401 if api else 302), url
    refused = _call(client_for(actors[wrong_role]), method, url, body, ctx)
    assert refused.status_code == 403, (url, refused.status_code, refused.content[:300])
    if wrong_region:
        hidden = _call(client_for(actors[wrong_region]), method, url, body, ctx)
        assert hidden.status_code == 404, (url, hidden.status_code, hidden.content[:300])
    assert _snapshot() == before
    assert not AuditEvent.objects.filter(seq__gt=seq).exists()
    answer = _call(client_for(actors[right]), method, url, body, ctx)
    assert answer.status_code == status, (url, answer.status_code, answer.content[:800])
    if method != "get" and method != "api_get":
        assert AuditEvent.objects.filter(seq__gt=seq).exclude(action="personal_data.view").exists(), url
        assert _snapshot() != before, url


def test_matrix_covers_every_route():
    from config.urls import urlpatterns  # noqa: F401 - the URLconf is loaded
    from tepat.distribution import api, urls

    operations = sum(len(p.operations) for p in api.router.path_operations.values())
    # the follow-up pages have their matrices in test_followup_api.py and test_followup_pages.py
    from tepat.distribution.tests.test_followup_api import MATRIX_ROUTES as api_routes
    from tepat.distribution.tests.test_followup_pages import MATRIX_ROUTES as page_routes_followup

    followup = {key.split(":", 1)[1] for key in api_routes | page_routes_followup if key.startswith("page ")}
    page_routes = len([u for u in urls.urlpatterns if u.name not in followup])
    # pages: tutup has two steps, tanda-terima GET and POST; the API: every operation once
    assert operations == 18 and page_routes == 12
    assert operations + page_routes + 2 == ROUTES
    assert len(MATRIX_ROUTES) == operations + page_routes
