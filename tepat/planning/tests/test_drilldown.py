"""Computed realisations drill down to their records (issue 13 Done-when): each mapped indicator's figure is
the count of the records its drill-down lists; the page is scoped, masks identity numbers and is audited."""

from __future__ import annotations

from datetime import date

import pytest
from django.utils import timezone

from conftest import DISTRICT, OTHER_DISTRICT, assert_audited, audit_seq, client_for
from tepat.core.exceptions import ObjectNotFound
from tepat.planning.computed import SOURCES, drilldown, realisation_compute
from tepat.planning.models import Realisation
from tepat.planning.services import line_save
from tepat.planning.tests.factories import small_plan
from tepat.programs.tests.conftest import world  # noqa: F401 - the shared programme fixture

pytestmark = pytest.mark.django_db

MATRIX_ROUTES = {"page planning:drilldown", "page planning:realisation_compute"}
COMPLAINTS, KPM, MEALS, ITEMS, REFERRALS = (
    "1.06.04.2.01.09",
    "1.06.05.2.02.03",
    "1.06.06.2.01.01",
    "1.06.06.2.01.02",
    "1.06.04.2.01.12",
)
YEAR = timezone.localdate().year
QUARTER = (timezone.localdate().month - 1) // 3 + 1


def _plan(actor, codes=(COMPLAINTS, KPM, MEALS, ITEMS, REFERRALS)):
    plan = small_plan(actor, year=YEAR)
    for code in codes:
        line_save(actor=actor, plan=plan, code=code, target=10, unit=("Keluarga" if code == KPM else "Orang"))
    return plan


def _resolved_complaint(actor, family):
    from tepat.grievances.models import Complaint
    from tepat.grievances.tests.factories import about_family

    case = about_family(actor, family)
    Complaint.objects.filter(pk=case.pk).update(status="closed", resolved_at=timezone.now())
    return case


def test_each_figure_is_the_count_of_its_drilldown(world, dinsos_operator):  # noqa: F811
    from tepat.distribution.models import Channel
    from tepat.distribution.services.lists import distribution_create, list_version_create
    from tepat.distribution.services.receipts import receipt_record
    from tepat.grievances.tests.factories import about_family
    from tepat.programs.services.lists import list_approve, list_determine
    from tepat.relief.services.events import meals_record
    from tepat.relief.services.stock import stock_issue
    from tepat.relief.tests.factories import day, flood, household, receive, warehouse

    op = world.op
    case = _resolved_complaint(op, world.f_old2)
    about_family(op, world.f_five)  # open: not counted
    blist = list_approve(
        actor=world.spv, blist=list_determine(actor=op, release=world.sembako, period=world.period, tahap=1)
    )
    dist = distribution_create(actor=op, blist=blist, starts_on=date(YEAR, 1, 1), ends_on=date(YEAR, 12, 31))
    dlist = list_version_create(actor=op, dist=dist, channel=Channel.objects.get(code="POS_KANTOR"))
    entries = list(dlist.entries.order_by("pk"))
    receipt_record(
        actor=op,
        entry=entries[0],
        data={
            "outcome": "full",
            "collector": "self",
            "latitude": "-6.12",
            "longitude": "106.15",
            "accuracy_m": 8,
            "signature": "M0 0 L10 10",
            "device": "HP-01",
            "photos": ["a.jpg"],
        },
    )
    if len(entries) > 1:
        receipt_record(actor=op, entry=entries[1], data={"outcome": "none", "reason": "absent"})
    event = flood(op, occurred_on=day(0))
    fed = household(op, event)
    kitted = household(op, event, head_name="Kit", persons=[{"name": "A", "sex": 1, "age_years": 30}])
    meals_record(actor=op, event=event, household=fed, served_from=day(0), days=2)
    wh = warehouse(op)
    receive(op, wh, 5, code="family-kit")
    stock_issue(actor=op, warehouse=wh, item="family-kit", quantity=1, event=event, household=kitted)

    plan = _plan(op)
    got = realisation_compute(actor=op, plan=plan, quarter=QUARTER)
    assert (
        got[COMPLAINTS] == 1 and got[KPM] == 1 and got[MEALS] == 2 and got[ITEMS] == 1 and got[REFERRALS] == 0
    )
    for code, figure in got.items():
        d = drilldown(actor=op, plan=plan, code=code, quarter=QUARTER)
        assert d.count == figure, code
        assert (
            Realisation.objects.get(snapshot__plan=plan, snapshot__quarter=QUARTER, item__code=code).physical
            == figure
        )
    complaints = drilldown(actor=op, plan=plan, code=COMPLAINTS, quarter=QUARTER)
    assert [row[0] for row in complaints.rows] == [case.reference]
    kpm = drilldown(actor=op, plan=plan, code=KPM, quarter=QUARTER)
    assert [row[0] for row in kpm.rows] == [entries[0].kpm_ref]


def test_drilldown_masks_identity_numbers_for_a_role_without_full_view(world, make_user):  # noqa: F811
    from tepat.accounts.roles import Capability, capabilities_of
    from tepat.relief.services.events import meals_record
    from tepat.relief.tests.factories import day, flood, household

    op = world.op
    event = flood(op, occurred_on=day(0))
    hh = household(
        op, event, persons=[{"name": "Sarinah", "sex": 2, "age_years": 40, "nik": "3604054101850002"}]
    )
    meals_record(actor=op, event=event, household=hh, served_from=day(0), days=1)
    plan = _plan(op, codes=(MEALS,))
    viewer = next(
        (
            make_user(role, [DISTRICT])
            for role in ("province_viewer", "auditor")
            if Capability.PLANNING_VIEW in capabilities_of(role)
            and Capability.PERSONAL_DATA_FULL not in capabilities_of(role)
        ),
        None,
    )
    assert viewer is not None
    rows = drilldown(actor=viewer, plan=plan, code=MEALS, quarter=QUARTER).rows
    assert rows and "3604054101850002" not in str(rows) and "Sarinah" not in str(rows)
    assert rows[0][2].startswith("360405") and "*" in rows[0][2]


def test_drilldown_is_audited_scoped_and_refuses_unmapped_codes(dinsos_operator, other_dinsos_operator):
    plan = _plan(dinsos_operator, codes=(COMPLAINTS,))
    before = audit_seq()
    d = drilldown(actor=dinsos_operator, plan=plan, code=COMPLAINTS, quarter=1)
    assert d.count == 0
    assert_audited(
        "realisation.drilldown_view",
        actor=dinsos_operator,
        target=plan,
        after=before,
        code=COMPLAINTS,
        records=0,
    )
    with pytest.raises(ObjectNotFound):
        drilldown(actor=dinsos_operator, plan=plan, code="1.06.01.2.01.01", quarter=1)
    response = client_for(other_dinsos_operator).get(f"/renja/{plan.pk}/rincian/{COMPLAINTS}/1/")
    assert response.status_code == 404


def test_pages_matrix(dinsos_operator, other_dinsos_operator, village_operator, make_user):
    plan = _plan(dinsos_operator, codes=(COMPLAINTS,))
    page = f"/renja/{plan.pk}/rincian/{COMPLAINTS}/{QUARTER}/"
    compute = f"/renja/{plan.pk}/hitung/"
    before = audit_seq()
    for url, call in ((page, "get"), (compute, "post")):
        assert getattr(client_for(None), call)(url, {"quarter": QUARTER}).status_code == 302
        assert getattr(client_for(village_operator), call)(url, {"quarter": QUARTER}).status_code == 403
        assert getattr(client_for(other_dinsos_operator), call)(url, {"quarter": QUARTER}).status_code == 404
    assert audit_seq() == before
    viewer = make_user("province_viewer", [DISTRICT[:2]])
    assert client_for(viewer).post(compute, {"quarter": QUARTER}).status_code == 403  # view only, no edit
    response = client_for(dinsos_operator).get(page)
    assert response.status_code == 200 and b'data-drilldown-count="0"' in response.content
    assert client_for(dinsos_operator).post(compute, {"quarter": QUARTER}).status_code == 302
    assert Realisation.objects.filter(snapshot__plan=plan, item__code=COMPLAINTS).exists()
    detail = client_for(dinsos_operator).get(f"/renja/{plan.pk}/").content.decode()
    assert f"/renja/{plan.pk}/rincian/{COMPLAINTS}/{QUARTER}/" in detail
    assert OTHER_DISTRICT


def test_every_source_maps_a_code_of_the_nomenclature():
    from tepat.planning.models import NomenclatureItem
    from tepat.planning.tests.factories import version

    codes = set(NomenclatureItem.objects.filter(version=version()).values_list("code", flat=True))
    assert set(SOURCES) <= codes
