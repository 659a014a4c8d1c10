"""Confirming a data-quality flag creates the right proposal, in one transaction with the flag's review."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest

from conftest import VILLAGE, assert_audited
from tepat.audit.models import AuditEvent
from tepat.core.exceptions import InvalidTransition, PermissionDeniedError, ValidationFailed
from tepat.quality.adapters import FileAdapter
from tepat.quality.models import Flag, MatchRun, MergeJournal
from tepat.quality.services.runs import civil_match_run, duplicates_run, run_create
from tepat.quality.tests.conftest import duplicate_world, extract_rows, stale_world  # noqa: F401 - fixtures
from tepat.updates.models import Proposal
from tepat.updates.services.from_flags import proposal_create_from_flag


@pytest.fixture
def civil_flags(stale_world, dinsos_operator, tmp_path):  # noqa: F811
    path = tmp_path / "extract.csv"
    pl.DataFrame(extract_rows(stale_world)).write_csv(path)
    run = run_create(actor=dinsos_operator, kind=MatchRun.Kind.CIVIL_REGISTRY, region_code=VILLAGE)
    civil_match_run(actor=dinsos_operator, run=run, adapter=FileAdapter(path), today=date(2026, 6, 1))
    return {flag.kind if flag.kind != "nik_not_matched" else f"nik:{flag.civil_match.result}": flag
            for flag in Flag.objects.select_related("civil_match")}


def test_died_flag_becomes_remove_member(civil_flags, village_operator):
    flag = civil_flags["died"]
    proposal = proposal_create_from_flag(actor=village_operator, flag=flag)
    assert proposal.kind == Proposal.Kind.REMOVE_MEMBER and proposal.source == Proposal.Source.DATA_QUALITY
    assert proposal.individual_id == flag.individual_id
    assert proposal.payload["reason"] == "died" and proposal.payload["on_date"] == "2026-01-02"
    assert proposal.source_reference.startswith("FLAG-")
    flag.refresh_from_db()
    assert flag.status == Flag.Status.CONFIRMED and flag.proposal_reference == proposal.reference
    assert AuditEvent.objects.filter(action="quality.flag_confirm", target_id=str(flag.pk)).exists()
    with pytest.raises(InvalidTransition):
        proposal_create_from_flag(actor=village_operator, flag=flag)


def test_moved_flag_becomes_remove_member_moved(civil_flags, dinsos_operator):
    proposal = proposal_create_from_flag(actor=dinsos_operator, flag=civil_flags["moved"])
    assert proposal.payload["reason"] == "moved_domestic" and "Kota Tangerang" in proposal.payload["note"]


def test_birth_date_mismatch_becomes_change_data_with_the_registry_value(civil_flags, village_operator):
    proposal = proposal_create_from_flag(actor=village_operator, flag=civil_flags["nik:birth_date_differs"])
    assert proposal.kind == Proposal.Kind.CHANGE_DATA
    assert proposal.payload["changes"] == {"birth_date": "2010-11-03"}


def test_unknown_nik_needs_the_corrected_value_and_refusal_changes_nothing(civil_flags, village_operator):
    flag = civil_flags["nik:nik_unknown"]
    proposals, events = Proposal.objects.count(), AuditEvent.objects.count()
    with pytest.raises(ValidationFailed):
        proposal_create_from_flag(actor=village_operator, flag=flag)
    flag.refresh_from_db()
    assert flag.status == Flag.Status.OPEN
    assert Proposal.objects.count() == proposals and AuditEvent.objects.count() == events


def test_wrong_role_is_refused_and_nothing_changes(civil_flags, village_head):
    flag = civil_flags["died"]
    with pytest.raises(PermissionDeniedError):
        proposal_create_from_flag(actor=village_head, flag=flag)
    flag.refresh_from_db()
    assert flag.status == Flag.Status.OPEN and not Proposal.objects.exists()


def test_duplicate_flag_becomes_merge_with_journal(duplicate_world, dinsos_operator, village_operator):  # noqa: F811
    w = duplicate_world
    run = run_create(actor=dinsos_operator, kind=MatchRun.Kind.DUPLICATES, region_code="36.04.05",
                     options={"threshold": 0.6, "threads": 1, "u_pairs": 1e7})
    duplicates_run(actor=dinsos_operator, run=run)
    flag = Flag.objects.get(kind="duplicate", pair__kind="probable",
                            pair__left__in=[w["wife"], w["wife_again"]], pair__right__in=[w["wife"], w["wife_again"]])
    proposal = proposal_create_from_flag(actor=village_operator, flag=flag, keep=w["wife"].pk)
    assert proposal.kind == Proposal.Kind.REMOVE_MEMBER and proposal.individual_id == w["wife_again"].pk
    assert proposal.payload["reason"] == "duplicate"
    journal = MergeJournal.objects.get(flag=flag)
    assert (journal.kept_id, journal.dropped_id) == (w["wife"].pk, w["wife_again"].pk)
    assert_audited("quality.merge_journal", actor=village_operator, target=journal, kept=str(w["wife"].pk))
    assert_audited("quality.flag_confirm", actor=village_operator, target=flag, to="confirmed")
    conflicts = {c["field"]: (c["kept"], c["dropped"]) for c in journal.conflicts}
    assert conflicts["name"] == ("Siti Aminah", "Siti Aminh")
    assert conflicts["nik"] == (w["wife"].nik, "")
    assert conflicts["external_id"] == ("", "DTKS-3-02")
    assert "birth_date" not in conflicts
    assert "name: Siti Aminah / Siti Aminh" in proposal.payload["note"]


def test_duplicate_family_and_household_nik(duplicate_world, dinsos_operator):  # noqa: F811
    w = duplicate_world
    run = run_create(actor=dinsos_operator, kind=MatchRun.Kind.DUPLICATES, region_code="36.04.05",
                     options={"threshold": 0.6, "threads": 1, "u_pairs": 1e7})
    duplicates_run(actor=dinsos_operator, run=run)
    kk_flag = Flag.objects.get(kind="duplicate_family")
    keep = kk_flag.pair.left_family_id if kk_flag.pair.left_family_id == w["family"].pk else kk_flag.pair.right_family_id
    proposal = proposal_create_from_flag(actor=dinsos_operator, flag=kk_flag, keep=keep)
    assert proposal.kind == Proposal.Kind.REMOVE_FAMILY and proposal.family_id == w["same_kk"].pk
    household = Flag.objects.get(kind="nik_in_household")
    with pytest.raises(ValidationFailed):
        proposal_create_from_flag(actor=dinsos_operator, flag=household)
    new_nik = "3604054211100777"
    proposal = proposal_create_from_flag(actor=dinsos_operator, flag=household, changes={"nik": new_nik})
    assert proposal.kind == Proposal.Kind.CHANGE_DATA and proposal.payload["changes"] == {"nik": new_nik}
