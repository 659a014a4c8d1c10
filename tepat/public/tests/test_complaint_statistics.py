"""Complaint statistics on the transparency page, in the open-data CSV and the public API: received,
resolved and median days per kecamatan from `tepat.grievances.selectors.complaint_statistics`, through
the one small-cell rule, sensitive cases and cases outside the period left out."""

from __future__ import annotations

import csv
import io
from datetime import date, timedelta

import pytest
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from conftest import KECAMATAN, VILLAGE
from tepat.grievances.models import Complaint
from tepat.grievances.services import complaints as svc
from tepat.grievances.tests.factories import about_family, about_unregistered, assessed
from tepat.public import selectors
from tepat.regions.models import Region

pytestmark = pytest.mark.django_db


def _closed(actor, region: str, days: int, code: str = "service-information") -> Complaint:
    case = about_unregistered(actor, code=code, region=region)
    case = svc.complaint_close(actor=actor, complaint=assessed(actor, case), note="selesai")
    Complaint.objects.filter(pk=case.pk).update(created_at=case.resolved_at - timedelta(days=days))
    return case


@pytest.fixture
def cases(village_operator, family, make_user):
    """Kecamatan 36.04.05: 3 cases (1 resolved) + 1 sensitive → small cells. Another kecamatan: 6 cases,
    5 resolved after 2..6 days (median 4), + 1 sensitive resolved, + 1 from before the period."""
    other = (Region.objects.filter(code__startswith="36.04.", level=Region.Level.VILLAGE)
             .exclude(code__startswith=KECAMATAN + ".").order_by("code").first())
    operator = make_user("village_operator", [other.code], "op_desa_lain")
    _closed(village_operator, VILLAGE, 3)
    about_unregistered(village_operator)
    about_family(village_operator, family, "service-information")
    about_family(village_operator, family, "sensitive-trafficking")
    for days in (2, 3, 4, 5, 6):
        _closed(operator, other.code, days)
    about_unregistered(operator, region=other.code)
    sensitive = about_unregistered(operator, code="sensitive-violence", region=other.code)
    Complaint.objects.filter(pk=sensitive.pk).update(status="closed", resolved_at=timezone.now())
    old = about_unregistered(operator, region=other.code)
    Complaint.objects.filter(pk=old.pk).update(created_at=timezone.now() - timedelta(days=400))
    return other.code[:8]


def test_period_is_whole_months_to_date():
    assert selectors.complaint_period(date(2026, 12, 3)) == (date(2026, 1, 1), date(2026, 12, 3))
    assert selectors.complaint_period(date(2027, 2, 28)) == (date(2026, 3, 1), date(2027, 2, 28))


def test_statistics_suppressed_and_sensitive_left_out(cases):
    stats = selectors.complaint_statistics()
    rows = {r["kecamatan_code"]: r for r in stats["rows"]}
    assert set(rows) == {KECAMATAN, cases}
    assert rows[cases]["received"] == "6"  # not 7 (sensitive) nor 8 (before the period)
    assert rows[cases]["resolved"] == "5" and rows[cases]["median_days"] == "4"
    assert rows[cases]["suppressed"] is False
    assert rows[KECAMATAN]["received"] == "< 5" and rows[KECAMATAN]["resolved"] == "< 5"
    assert rows[KECAMATAN]["median_days"] == "–" and rows[KECAMATAN]["suppressed"] is True
    assert rows[KECAMATAN]["kecamatan"] == Region.objects.get(code=KECAMATAN).name


def test_page_csv_and_api_show_the_same_suppressed_figures(cases):
    client = Client()
    page = client.get(reverse("public:transparency")).content.decode()
    table = page[page.index("data-complaint-stats"):]
    assert "&lt; 5" in table and ">6<" in table and ">4<" in table
    assert "Not yet available" not in page and "Belum tersedia" not in page
    assert reverse("public:complaint_open_data") in page
    response = client.get(reverse("public:complaint_open_data"))
    assert response.status_code == 200 and response["Content-Type"].startswith("text/csv")
    rows = {r["kecamatan_code"]: r for r in csv.DictReader(io.StringIO(response.content.decode()))}
    assert rows[cases]["received"] == "6" and rows[cases]["median_days"] == "4"
    assert rows[KECAMATAN]["received"] == "< 5" and rows[KECAMATAN]["median_days"] == "–"
    api = {r["kecamatan_code"]: r for r in client.get("/api/v1/public/transparency/complaints").json()}
    assert api == rows
    today = timezone.localdate()
    assert api[cases]["until_month"] == f"{today:%Y-%m}"
    for text in (page, response.content.decode()):
        assert "Sarinah" not in text and "Budi Santoso" not in text and "0812" not in text


def test_no_complaints_says_so(db):
    page = Client().get(reverse("public:transparency")).content.decode()
    assert "data-complaint-stats" in page
    assert Client().get("/api/v1/public/transparency/complaints").json() == []
    text = Client().get(reverse("public:complaint_open_data")).content.decode()
    assert text.splitlines() == ["from_month,until_month,kecamatan_code,kecamatan,received,resolved,median_days"]
