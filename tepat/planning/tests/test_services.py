"""Plans, lines, versions and quarterly realisation through the services: audited, scoped, refusing what
must be refused without changing anything."""

from datetime import date
from decimal import Decimal

import pytest

from conftest import DISTRICT, OTHER_DISTRICT, assert_audited, audit_seq
from tepat.audit.models import AuditEvent
from tepat.core.exceptions import (
    BusinessRuleViolation,
    InvalidTransition,
    ObjectNotFound,
    PermissionDeniedError,
    ValidationFailed,
)
from tepat.planning.models import (
    NomenclatureCrosswalk,
    NomenclatureItem,
    NomenclatureVersion,
    Plan,
    PlanLine,
    QuarterSnapshot,
    Realisation,
)
from tepat.planning.selectors import plan_figures, version_diff
from tepat.planning.services import line_save, plan_advance, realisation_save, snapshot_finalise
from tepat.planning.tests.factories import SUB_A, SUB_B, small_plan, version

pytestmark = pytest.mark.django_db
PAST = date(2026, 1, 15)


def test_the_seeded_nomenclature_is_source_001s_urusan_1_06():
    items = NomenclatureItem.objects.filter(version=version())
    assert items.filter(level=3).count() == 7
    assert items.filter(level=4).count() == 14
    assert items.get(code="1.06.04.2.01.10").name == "Pemberian Layanan Kedaruratan"
    assert items.get(code="1.06.04.2.01.10").parent.code == "1.06.04.2.01"
    assert items.get(code="1.06.04.2.01").parent.code == "1.06.04"


def test_crosswalk_maps_an_item_between_versions():
    newer = NomenclatureVersion.objects.create(code="kepmendagri-test", name="Versi uji")
    old = NomenclatureItem.objects.get(version=version(), code="1.06.04.2.01.10")
    new = NomenclatureItem.objects.create(version=newer, code="1.06.04.2.01.0010", level=5, name=old.name)
    NomenclatureCrosswalk.objects.create(source=old, target=new, note="4-digit sub-kegiatan numbers")
    assert old.crosswalk_out.get().target.code == "1.06.04.2.01.0010"


def test_plan_create_and_line_save_are_audited(dinsos_operator):
    after = audit_seq()
    plan = small_plan(dinsos_operator)
    assert plan.current_version.number == 1 and plan.status == Plan.Stage.DRAFT_INITIAL
    assert_audited("plan.create", actor=dinsos_operator, target=plan, after=after, year=2025)
    line = PlanLine.objects.get(version=plan.current_version, item__code=SUB_A)
    assert line.pagu == 100_000_000 and line.target == Decimal(20)
    assert line.indicator.startswith("Jumlah Orang")  # the item's indicator when none is given
    assert_audited("plan.line_save", actor=dinsos_operator, target=line, after=after, code=SUB_A, pagu=100_000_000)


def test_a_code_not_in_the_version_is_refused_and_nothing_changes(dinsos_operator):
    plan = small_plan(dinsos_operator)
    before, events = PlanLine.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationFailed) as exc:
        line_save(actor=dinsos_operator, plan=plan, code="1.06.04.2.01.99", target=1, indicator="x")
    issue = exc.value.issues[0]
    assert issue.code == "unknown_code" and "tidak ada dalam nomenklatur" in issue.id and "is not in" in issue.en
    assert PlanLine.objects.count() == before and AuditEvent.objects.count() == events


@pytest.mark.parametrize("pagu", ["12,5", "-1", "abc", 1.5])
def test_pagu_is_whole_rupiah(dinsos_operator, pagu):
    plan = small_plan(dinsos_operator)
    with pytest.raises(ValidationFailed):
        line_save(actor=dinsos_operator, plan=plan, code=SUB_A, pagu=pagu)
    assert PlanLine.objects.get(version=plan.current_version, item__code=SUB_A).pagu == 100_000_000


def test_pagu_accepts_indonesian_thousands(dinsos_operator):
    plan = small_plan(dinsos_operator)
    line = line_save(actor=dinsos_operator, plan=plan, code=SUB_A, pagu="1.250.000")
    assert line.pagu == 1_250_000


def test_wrong_role_and_wrong_region_are_refused(village_operator, other_dinsos_operator, auditor, dinsos_operator):
    plan = small_plan(dinsos_operator)
    with pytest.raises(PermissionDeniedError):
        line_save(actor=village_operator, plan=plan, code=SUB_A, target=1)
    with pytest.raises(PermissionDeniedError):
        line_save(actor=auditor, plan=plan, code=SUB_A, target=1)
    with pytest.raises(ObjectNotFound):
        line_save(actor=other_dinsos_operator, plan=plan, code=SUB_A, target=1)
    with pytest.raises(PermissionDeniedError):  # moving the plan on is the supervisor's
        plan_advance(actor=dinsos_operator, plan=plan)
    assert PlanLine.objects.get(version=plan.current_version, item__code=SUB_A).target == Decimal(20)


def test_versions_through_the_transitions_and_the_diff_explains_every_change(dinsos_operator, dinsos_supervisor):
    plan = small_plan(dinsos_operator)
    after = audit_seq()
    plan = plan_advance(actor=dinsos_supervisor, plan=plan, reason="hasil forum perangkat daerah")
    assert plan.status == Plan.Stage.DRAFT_FINAL and plan.current_version.number == 2
    assert_audited("plan.advance", actor=dinsos_supervisor, target=plan, after=after, to="rancangan_akhir")
    with pytest.raises(ValidationFailed) as exc:  # a change of target or budget needs its reason
        line_save(actor=dinsos_operator, plan=plan, code=SUB_A, target=25)
    assert exc.value.issues[0].field == "change_reason"
    line_save(actor=dinsos_operator, plan=plan, code=SUB_A, target=25, pagu=120_000_000,
              change_reason="tambahan lansia terlantar hasil pendataan")
    line_save(actor=dinsos_operator, plan=plan, code="1.06.04.2.01.12", target=5, unit="Orang", pagu=10_000_000,
              change_reason="layanan rujukan baru")
    v1, v2 = plan.versions.order_by("number")
    changes = {c.code: c for c in version_diff(v1, v2)}
    assert set(changes) == {SUB_A, "1.06.04.2.01.12"}
    assert changes[SUB_A].fields["target"] == (Decimal(20), Decimal(25))
    assert changes[SUB_A].fields["pagu"] == (100_000_000, 120_000_000)
    assert "pagu: 100000000 → 120000000 (+20000000)" in changes[SUB_A].explanation()
    assert changes[SUB_A].reason == "tambahan lansia terlantar hasil pendataan"
    assert changes["1.06.04.2.01.12"].kind == "added"
    # the old version is frozen
    with pytest.raises(BusinessRuleViolation):
        from tepat.planning.services import _ensure_current
        _ensure_current(plan, v1)
    plan = plan_advance(actor=dinsos_supervisor, plan=plan)
    plan = plan_advance(actor=dinsos_supervisor, plan=plan)
    plan = plan_advance(actor=dinsos_supervisor, plan=plan)  # a perubahan may be amended again
    assert [v.stage for v in plan.versions.order_by("number")] == [
        "rancangan_awal", "rancangan_akhir", "dpa_murni", "perubahan", "perubahan"]


def test_realisation_per_quarter_and_achievement(dinsos_operator, dinsos_supervisor):
    plan = small_plan(dinsos_operator)
    after = audit_seq()
    entry = realisation_save(actor=dinsos_operator, plan=plan, quarter=1, code=SUB_A, physical=5,
                             financial="20.000.000", today=PAST)
    assert_audited("realisation.save", actor=dinsos_operator, target=entry, after=after, quarter=1, code=SUB_A,
                   financial=20_000_000)
    realisation_save(actor=dinsos_operator, plan=plan, quarter=2, code=SUB_A, physical=7, financial=30_000_000,
                     today=PAST)
    realisation_save(actor=dinsos_operator, plan=plan, quarter=1, code="1.06.04", physical="6.5", today=PAST)
    realisation_save(actor=dinsos_operator, plan=plan, quarter=2, code="1.06.04", physical="7.0", today=PAST)
    figures = {f.line.item.code: f for f in plan_figures(plan)}
    assert figures[SUB_A].realisation == Decimal(12)  # flow: 5 + 7
    assert figures[SUB_A].achievement.percent == Decimal(60)
    assert figures[SUB_A].predicate[0] == "Rendah"  # 51–65
    assert figures[SUB_A].financial == 50_000_000 and figures[SUB_A].financial_achievement.percent == Decimal(50)
    assert figures["1.06.04"].realisation == Decimal("7.0")  # percentage: the latest quarter
    assert figures[SUB_B].achievement.reason[1] == "no realisation reported"
    snapshot = snapshot_finalise(actor=dinsos_supervisor, plan=plan, quarter=1)
    assert snapshot.status == QuarterSnapshot.Status.FINAL
    assert_audited("realisation.finalise", actor=dinsos_supervisor, target=snapshot, to="final")
    with pytest.raises(BusinessRuleViolation):
        realisation_save(actor=dinsos_operator, plan=plan, quarter=1, code=SUB_A, physical=99, today=PAST)
    assert Realisation.objects.get(snapshot=snapshot, item__code=SUB_A).physical == Decimal(5)
    with pytest.raises(InvalidTransition):
        snapshot_finalise(actor=dinsos_supervisor, plan=plan, quarter=1)


def test_realisation_for_a_quarter_not_yet_begun_is_refused(dinsos_operator):
    plan = small_plan(dinsos_operator)
    with pytest.raises(ValidationFailed) as exc:
        realisation_save(actor=dinsos_operator, plan=plan, quarter=3, code=SUB_A, physical=1, today=date(2025, 5, 1))
    assert exc.value.issues[0].code == "future_period"
    assert not Realisation.objects.exists()


def test_realisation_for_a_code_outside_the_plan_is_refused(dinsos_operator):
    plan = small_plan(dinsos_operator)
    with pytest.raises(ValidationFailed):
        realisation_save(actor=dinsos_operator, plan=plan, quarter=1, code="1.06.05.2.02.02", physical=1, today=PAST)
    assert not Realisation.objects.exists()


def test_other_district_cannot_see_the_plan(dinsos_operator, other_dinsos_operator):
    from tepat.planning.selectors import access_plan, plans_visible

    plan = small_plan(dinsos_operator)
    assert list(plans_visible(dinsos_operator)) == [plan]
    assert not plans_visible(other_dinsos_operator).exists()
    with pytest.raises(ObjectNotFound):
        access_plan(actor=other_dinsos_operator, plan_id=plan.pk)
    assert DISTRICT != OTHER_DISTRICT
