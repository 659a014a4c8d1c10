"""Authorization matrix of every targeting page and API operation: anonymous, wrong role, wrong region,
right one. Refused writes change nothing."""

from __future__ import annotations

import json

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from conftest import DISTRICT, client_for
from tepat.audit.models import AuditEvent
from tepat.targeting.models import DesilRelease, FamilyDesil, PmtWeightSet
from tepat.targeting.pmt import default_weights
from tepat.targeting.services import desil_import, pmt_weight_set_create
from tepat.targeting.tests.conftest import desil_csv

pytestmark = pytest.mark.django_db

MATRIX_ROUTES = {
    "page targeting:release_list", "page targeting:desil_template", "page targeting:release_detail",
    "page targeting:release_progress", "page targeting:release_report", "page targeting:release_missing",
    "page targeting:release_missing_csv", "page targeting:weight_sets", "page targeting:weight_set_detail",
    "page targeting:recap", "page targeting:review", "page targeting:review_csv",
    "GET /api/v1/targeting/releases", "POST /api/v1/targeting/releases", "GET /api/v1/targeting/releases/{release_id}",
    "GET /api/v1/targeting/releases/{release_id}/issues",
    "GET /api/v1/targeting/releases/{release_id}/families-without-desil",
    "GET /api/v1/targeting/pmt/weight-sets", "POST /api/v1/targeting/pmt/weight-sets",
    "GET /api/v1/targeting/pmt/weight-sets/{weight_set_id}",
    "GET /api/v1/targeting/pmt/weight-sets/{weight_set_id}/recap",
    "GET /api/v1/targeting/pmt/weight-sets/{weight_set_id}/review",
    "GET /api/v1/targeting/desil/distribution",
}


@pytest.fixture
def setup(dinsos_operator, dinsos_supervisor, families):
    release = desil_import(actor=dinsos_operator, source=desil_csv((families[0].kk_number, "", "2"), ("x", "", "1")),
                           file_name="d.csv", period="2026-T4", source_label="DTSEN", region_code=DISTRICT).release
    weight_set = pmt_weight_set_create(actor=dinsos_supervisor, region_code=DISTRICT, label="awal",
                                       weights=default_weights())
    return release, weight_set


READS = [
    ("page", "targeting:release_list", None),
    ("page", "targeting:desil_template", None),
    ("page", "targeting:release_detail", "release"),
    ("page", "targeting:release_progress", "release"),
    ("page", "targeting:release_report", "release"),
    ("page", "targeting:release_missing", "release"),
    ("page", "targeting:release_missing_csv", "release"),
    ("page", "targeting:weight_sets", None),
    ("page", "targeting:weight_set_detail", "ws"),
    ("page", "targeting:recap", "ws"),
    ("page", "targeting:review", "ws"),
    ("page", "targeting:review_csv", "ws"),
    ("api", "/api/v1/targeting/releases", None),
    ("api", "/api/v1/targeting/releases/{release}", "release"),
    ("api", "/api/v1/targeting/releases/{release}/issues", "release"),
    ("api", "/api/v1/targeting/releases/{release}/families-without-desil", "release"),
    ("api", "/api/v1/targeting/pmt/weight-sets", None),
    ("api", "/api/v1/targeting/pmt/weight-sets/{ws}", "ws"),
    ("api", "/api/v1/targeting/pmt/weight-sets/{ws}/recap", "ws"),
    ("api", "/api/v1/targeting/pmt/weight-sets/{ws}/review", "ws"),
    ("api", "/api/v1/targeting/desil/distribution", None),
]


def _url(kind: str, name: str, obj: str | None, release, ws) -> str:
    target = {"release": release, "ws": ws}.get(obj or "")
    if kind == "page":
        return reverse(name, args=[target.pk]) if target else reverse(name)
    return name.format(release=release.pk, ws=ws.pk)


@pytest.mark.parametrize(("kind", "name", "obj"), READS)
def test_read_matrix(kind, name, obj, setup, facilitator, other_dinsos_operator, dinsos_operator):
    release, ws = setup
    url = _url(kind, name, obj, release, ws)
    anonymous = client_for(None).get(url)
    assert anonymous.status_code == (302 if kind == "page" else 401)
    wrong_role = facilitator if name != "targeting:desil_template" else None
    if wrong_role:
        assert client_for(wrong_role).get(url).status_code == 403
    else:  # the template is for importers: the village operator (view only) is the wrong role
        from conftest import VILLAGE
        from tepat.accounts.services import user_create
        from tepat.core.actors import SYSTEM
        viewer = user_create(actor=SYSTEM, username="viewer_only", password="x-rahasia-123456", role="village_operator",
                             region_codes=[VILLAGE], full_name="V")
        assert client_for(viewer).get(url).status_code == 403
    wrong_region = client_for(other_dinsos_operator).get(url)
    if obj:
        assert wrong_region.status_code == 404
    else:
        assert wrong_region.status_code == 200
        assert str(release.pk) not in wrong_region.content.decode() and str(ws.pk) not in wrong_region.content.decode()
    right = client_for(dinsos_operator).get(url)
    assert right.status_code == 200, right.content[:500]


def _state() -> tuple:
    return (DesilRelease.objects.count(), FamilyDesil.objects.count(), PmtWeightSet.objects.count(),
            AuditEvent.objects.exclude(action__startswith="personal_data").exclude(action__startswith="auth").count())


def _upload(families) -> dict:
    return {"file": SimpleUploadedFile("baru.csv", desil_csv((families[1].kk_number, "", "3")), content_type="text/csv"),
            "region": DISTRICT, "region_code": DISTRICT, "period": "2027-T1", "source": "DTSEN"}


def test_upload_page_matrix(setup, families, village_operator, other_dinsos_operator, dinsos_operator,
                            django_capture_on_commit_callbacks):
    url = reverse("targeting:release_list")
    before = _state()
    assert client_for(None).post(url, _upload(families)).status_code == 302
    assert client_for(village_operator).post(url, _upload(families)).status_code == 403
    assert client_for(other_dinsos_operator).post(url, _upload(families)).status_code == 422  # not their region
    assert _state() == before
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(dinsos_operator).post(url, _upload(families))
    assert response.status_code == 302
    release = DesilRelease.objects.get(period="2027-T1")
    assert release.status == DesilRelease.Status.PUBLISHED and release.family_count == 1


def test_upload_api_matrix(setup, families, village_operator, other_dinsos_operator, dinsos_operator,
                           django_capture_on_commit_callbacks):
    url = "/api/v1/targeting/releases"
    before = _state()
    assert client_for(None).post(url, _upload(families)).status_code == 401
    assert client_for(village_operator).post(url, _upload(families)).status_code == 403
    assert client_for(other_dinsos_operator).post(url, _upload(families)).status_code == 404
    assert _state() == before
    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(dinsos_operator).post(url, _upload(families))
    assert response.status_code == 202
    release = DesilRelease.objects.get(pk=response.json()["id"])
    assert release.status == DesilRelease.Status.PUBLISHED
    # the same file again: its release, nothing new
    again = client_for(dinsos_operator).post(url, _upload(families))
    assert again.status_code == 200 and again.json()["id"] == str(release.pk)


def test_weight_set_create_matrix(setup, dinsos_operator, make_user, dinsos_supervisor):
    _release, _ws = setup
    city_supervisor = make_user("dinsos_supervisor", ["36.73"], "spv_kota")
    body = {"region_code": DISTRICT, "label": "v2", "weights": [{"variable": "floor", "value": "8", "points": -9}]}
    api = "/api/v1/targeting/pmt/weight-sets"
    page = reverse("targeting:weight_sets")
    form = {"region": DISTRICT, "label": "v2", "weights": "floor;8;;-9"}
    before = _state()
    assert client_for(None).post(api, json.dumps(body), content_type="application/json").status_code == 401
    assert client_for(dinsos_operator).post(api, json.dumps(body), content_type="application/json").status_code == 403
    assert client_for(city_supervisor).post(api, json.dumps(body), content_type="application/json").status_code == 404
    assert client_for(None).post(page, form).status_code == 302
    assert client_for(dinsos_operator).post(page, form).status_code == 403
    assert client_for(city_supervisor).post(page, form).status_code == 422
    assert _state() == before
    created = client_for(dinsos_supervisor).post(api, json.dumps(body), content_type="application/json")
    assert created.status_code == 201 and created.json()["version"] == 2
    assert client_for(dinsos_supervisor).post(page, form).status_code == 302
    assert PmtWeightSet.objects.filter(region_id=DISTRICT).count() == 3


def test_review_page_is_masked_for_masked_roles_and_logged(setup, families, make_user):
    from tepat.audit.models import AuditEvent

    release, _ws = setup
    head = make_user("village_head", ["36.04.05.2001"], "kades_m")
    response = client_for(head).get(reverse("targeting:release_missing", args=[release.pk]))
    assert response.status_code == 200
    text = response.content.decode()
    assert families[1].kk_number not in text and families[1].kk_number[:6] + "*" * 10 in text
    event = AuditEvent.objects.filter(action="personal_data.view", actor_id=head.pk).latest("seq")
    assert event.data["kind"] == "targeting.families_without_desil"


def test_report_values_are_masked_for_masked_roles_and_logged(dinsos_operator, families, make_user):
    from tepat.audit.models import AuditEvent

    unknown = "3604051506159999"
    release = desil_import(actor=dinsos_operator, source=desil_csv((families[0].kk_number, "", "2"), (unknown, "", "1")),
                           file_name="d.csv", period="P9", source_label="DTSEN", region_code=DISTRICT).release
    head = make_user("village_head", ["36.04.05.2001"], "kades_r")
    for url in (reverse("targeting:release_detail", args=[release.pk]),
                reverse("targeting:release_report", args=[release.pk]),
                f"/api/v1/targeting/releases/{release.pk}/issues"):
        text = client_for(head).get(url).content.decode("utf-8-sig")
        assert unknown not in text and unknown[:6] + "*" * 10 in text, url
        assert client_for(dinsos_operator).get(url).content.decode("utf-8-sig").count(unknown) >= 1
    kinds = set(AuditEvent.objects.filter(action="personal_data.view", actor_id=head.pk).values_list("data__kind", flat=True))
    assert {"targeting.desil_report", "targeting.desil_report_csv", "targeting.desil_report_api"} <= kinds
