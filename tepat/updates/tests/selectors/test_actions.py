"""One actions rule per workflow object (ADR 0020): for each object a table of (role, status) -> the actions
offered, and for every cell, every action the selector offers succeeds through its service (with its audit
event) while every action it withholds is refused and changes nothing.

Each action is tried in a savepoint that is rolled back afterwards, so one object serves every role and
action of its status."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

import polars as pl
import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from conftest import OTHER_VILLAGE, VILLAGE
from tepat.audit.models import AuditEvent
from tepat.core.exceptions import ApplicationError
from tepat.quality.adapters import FileAdapter
from tepat.quality.models import Flag, MatchRun
from tepat.quality.services.flags import flag_dismiss
from tepat.quality.services.runs import civil_match_run, run_create
from tepat.quality.tests.conftest import extract_rows, stale_world  # noqa: F401 - fixture
from tepat.updates import kinds
from tepat.updates.actions import (
    batch_actions,
    deliberation_actions,
    freeze_actions,
    objection_actions,
    period_actions,
    proposal_actions,
)
from tepat.updates.models import Proposal, SubmissionBatch
from tepat.updates.selectors.sessions import deliberation_minutes
from tepat.updates.services.deliberations import (
    deliberation_attendee_add,
    deliberation_cancel,
    deliberation_finalise,
    deliberation_sign,
)
from tepat.updates.services.determination import (
    period_create,
    period_determine_fail,
    period_determine_resume,
    period_determine_start,
)
from tepat.updates.services.documents import document_add
from tepat.updates.services.freezes import freeze_lift
from tepat.updates.services.from_flags import proposal_create_from_flag
from tepat.updates.services.objections import objection_create
from tepat.updates.services.proposals import proposal_assign, proposal_submit, proposal_withdraw
from tepat.updates.services.reviews import proposal_approve, proposal_pull_back, proposal_reject
from tepat.updates.services.submissions import submission_batch_export, submission_response_import
from tepat.updates.services.verification import verification_record
from tepat.updates.tests.factories import PDF_BYTES, pdf_upload
from tepat.updates.tests.world import World

ROLES = ("village_operator", "facilitator", "village_head", "dinsos_operator", "dinsos_supervisor", "auditor",
         "other_village_operator")


class _Rollback(Exception):
    pass


def _state(obj: Any) -> tuple:
    obj.refresh_from_db()
    return tuple(getattr(obj, f.attname) for f in obj._meta.concrete_fields if f.name != "updated_at")


def _check_cell(obj: Any, user: Any, offered: list[str], services: dict[str, Callable[[Any, Any], Any]]) -> None:
    """Every offered action succeeds and records an event; every withheld one is refused, changing nothing."""
    assert set(offered) <= set(services), offered
    for name, run in services.items():
        before, events = _state(obj), AuditEvent.objects.count()
        if name in offered:
            try:
                with transaction.atomic():
                    run(user, obj)
                    assert AuditEvent.objects.count() > events, (name, user.username)
                    raise _Rollback
            except _Rollback:
                pass
            except ApplicationError as exc:  # pragma: no cover - the failure message is the point
                pytest.fail(f"{user.username}: offered {name!r} was refused: {exc.message}")
        else:
            with pytest.raises(ApplicationError), transaction.atomic():
                run(user, obj)
            assert AuditEvent.objects.count() == events, (name, user.username)
        assert _state(obj) == before, (name, user.username)


# Proposal -----------------------------------------------------------------------------------------------------

def _visit(user: Any, proposal: Proposal) -> Any:
    results = {f.path: {"result": "confirmed"} for f in kinds.facts(proposal.kind, proposal.payload)}
    return verification_record(actor=user, proposal=proposal, visited_on=timezone.localdate(), household_found=True,
                               outcome="confirmed", results=results)


PROPOSAL_SERVICES: dict[str, Callable[[Any, Any], Any]] = {
    "submit": lambda u, p: proposal_submit(actor=u, proposal=p),
    "withdraw": lambda u, p: proposal_withdraw(actor=u, proposal=p, reason="salah input"),
    "assign": lambda u, p: proposal_assign(actor=u, proposal=p, facilitator=p._facilitator),
    "verify": _visit,
    "approve": lambda u, p: proposal_approve(actor=u, proposal=p, note="lengkap"),
    "reject": lambda u, p: proposal_reject(actor=u, proposal=p, reason="tidak layak"),
    "pull_back": lambda u, p: proposal_pull_back(actor=u, proposal=p, reason="KK ganda"),
    "add_document": lambda u, p: document_add(actor=u, proposal=p, kind="kk",
                                              upload=SimpleUploadedFile("kk.pdf", PDF_BYTES)),
}

VO, FAC, KADES, OP, SPV, AUD, OTHER = ROLES
DOC = "add_document"
PROPOSAL_TABLE: dict[str, dict[str, list[str]]] = {
    "draft": {VO: ["submit", "withdraw", DOC], FAC: ["submit", "withdraw", DOC], OP: ["submit", "withdraw", DOC],
              SPV: ["submit", "withdraw", DOC]},
    "submitted": {VO: ["withdraw", "assign", DOC], FAC: ["withdraw", DOC], OP: ["withdraw", "assign", DOC],
                  SPV: ["withdraw", "assign", DOC]},
    "in_verification": {VO: ["assign", DOC], FAC: ["verify", DOC], OP: ["assign", DOC], SPV: ["assign", DOC]},
    "verified": {VO: [DOC], FAC: [DOC], OP: [DOC], SPV: [DOC]},
    "accepted": {VO: [DOC], FAC: [DOC], OP: ["approve", "reject", DOC], SPV: ["approve", "reject", DOC]},
    "awaiting_supervisor": {VO: [DOC], FAC: [DOC], OP: [DOC], SPV: ["approve", "reject", DOC]},
    "approved": {VO: [DOC], FAC: [DOC], OP: [DOC], SPV: ["pull_back", DOC]},
    "withdrawn": {},
}


def _proposal_at(w: World, status: str) -> Proposal:
    if status == "awaiting_supervisor":
        return proposal_pull_back(actor=w.actors.dinsos_supervisor, proposal=w.approved, reason="periksa lagi")
    if status == "withdrawn":
        return proposal_withdraw(actor=w.actors.village_operator, proposal=w.draft, reason="salah input")
    return getattr(w, status)


@pytest.mark.parametrize("status", list(PROPOSAL_TABLE))
def test_proposal_actions_table_and_services(request, actors, auditor, other_village_operator, status):
    w = World(request)
    proposal = Proposal.objects.get(pk=_proposal_at(w, status).pk)
    assert proposal.status == status
    for role in ROLES:
        user = w.user(role)
        offered = proposal_actions(user, proposal)
        assert offered == PROPOSAL_TABLE[status].get(role, []), (status, role)
        proposal._facilitator = actors.facilitator
        _check_cell(proposal, user, offered, PROPOSAL_SERVICES)


def test_approval_is_withheld_while_a_freeze_covers_the_village(request, actors):
    w = World(request)
    proposal = w.accepted
    assert "approve" in proposal_actions(actors.dinsos_operator, proposal)
    w.freeze  # noqa: B018 - a freeze over the regency from today
    assert proposal_actions(actors.dinsos_operator, proposal) == ["reject", DOC]
    proposal._facilitator = actors.facilitator
    _check_cell(proposal, actors.dinsos_operator, ["reject", DOC], PROPOSAL_SERVICES)


def test_objection_actions_are_those_of_its_proposal(actors, family):
    objection = objection_create(actor=actors.village_operator, family=family, reason="not_eligible",
                                 statement="sudah mampu")
    assert objection_actions(actors.village_operator, objection) == ["withdraw", "assign", DOC]
    assert objection_actions(actors.village_head, objection) == []


# Village deliberation ---------------------------------------------------------------------------------------

DELIBERATION_SERVICES: dict[str, Callable[[Any, Any], Any]] = {
    "edit": lambda u, d: deliberation_attendee_add(actor=u, deliberation=d, name="Pak RW", position="Ketua RW"),
    "cancel": lambda u, d: deliberation_cancel(actor=u, deliberation=d, reason="jadwal bentrok"),
    "finalise": lambda u, d: deliberation_finalise(actor=u, deliberation=d),
    "sign": lambda u, d: deliberation_sign(actor=u, deliberation=d, signed_scan=pdf_upload()),
    "minutes": lambda u, d: deliberation_minutes(actor=u, deliberation=d),
}
MINUTES_ONLY = {FAC: ["minutes"], OP: ["minutes"], SPV: ["minutes"], AUD: ["minutes"]}
DELIBERATION_TABLE: dict[str, dict[str, list[str]]] = {
    "planned": {VO: ["edit", "cancel", "finalise"], KADES: ["edit", "cancel", "finalise"]},
    "finalised": {VO: ["sign", "minutes"], KADES: ["sign", "minutes"], **MINUTES_ONLY},
    "signed": {VO: ["minutes"], KADES: ["minutes"], **MINUTES_ONLY},
    "cancelled": {},
}


def _deliberation_at(w: World, status: str) -> Any:
    if status == "planned":
        return w.decided.deliberation  # one decided item and two attendees: ready to finalise
    if status == "signed":
        return deliberation_sign(actor=w.actors.village_head, deliberation=w.finalised, signed_scan=pdf_upload())
    if status == "cancelled":
        return deliberation_cancel(actor=w.actors.village_operator, deliberation=w.planned, reason="batal")
    return w.finalised


@pytest.mark.parametrize("status", list(DELIBERATION_TABLE))
def test_deliberation_actions_table_and_services(request, actors, auditor, other_village_operator, status):
    w = World(request)
    deliberation = type(w.planned).objects.get(pk=_deliberation_at(w, status).pk)
    assert deliberation.status == status
    for role in ROLES:
        user = w.user(role)
        offered = deliberation_actions(user, deliberation)
        assert offered == DELIBERATION_TABLE[status].get(role, []), (status, role)
        _check_cell(deliberation, user, offered, DELIBERATION_SERVICES)


# Determination period ---------------------------------------------------------------------------------------

PERIOD_SERVICES: dict[str, Callable[[Any, Any], Any]] = {
    "determine": lambda u, p: period_determine_start(actor=u, period=p, decree_number="SK-1",
                                                     decree_date=timezone.localdate()),
    "resume": lambda u, p: period_determine_resume(actor=u, period=p),
}
PERIOD_TABLE: dict[str, dict[str, list[str]]] = {
    "open": {SPV: ["determine"]},
    "open_after_an_open_one": {},  # an earlier period is not determined yet
    "open_frozen": {},
    "open_not_started": {},
    "running": {},  # determining, no error: not started twice
    "stopped": {SPV: ["resume"]},  # determining, stopped with an error
    "determined": {},
}


def _period_at(w: World, status: str) -> Any:
    spv = w.actors.dinsos_supervisor
    if status == "open_after_an_open_one":
        w.period  # noqa: B018
        return period_create(actor=w.actors.dinsos_operator, region_code="36.04", starts_on=date(2025, 8, 1))
    if status == "open_frozen":
        w.freeze  # noqa: B018
    if status == "open_not_started":
        return period_create(actor=w.actors.dinsos_operator, region_code="36.04",
                             starts_on=timezone.localdate().replace(day=1).replace(year=timezone.localdate().year + 1))
    if status in ("running", "stopped"):
        period = period_determine_start(actor=spv, period=w.period, decree_number="SK-7",
                                        decree_date=timezone.localdate())
        if status == "stopped":
            period_determine_fail(actor=spv, period_id=period.pk, error="OperationalError")
        return period
    if status == "determined":
        return w.two_periods[0]
    return w.period


@pytest.mark.parametrize("status", list(PERIOD_TABLE))
def test_period_actions_table_and_services(request, actors, auditor, other_village_operator, status):
    w = World(request)
    period = type(w.period).objects.get(pk=_period_at(w, status).pk)
    for role in ROLES:
        user = w.user(role)
        offered = period_actions(user, period)
        assert offered == PERIOD_TABLE[status].get(role, []), (status, role)
        _check_cell(period, user, offered, PERIOD_SERVICES)


# Submission batch -------------------------------------------------------------------------------------------

def _answer(user: Any, batch: SubmissionBatch) -> Any:
    record = batch.records.select_related("proposal").get()
    text = f"NO_BATCH;ID_USULAN;STATUS;KETERANGAN\n{batch.number};{record.proposal.reference};DITERIMA;\n"
    return submission_response_import(actor=user, batch=batch,
                                      upload=SimpleUploadedFile("jawaban.csv", text.encode(), content_type="text/csv"))


BATCH_SERVICES: dict[str, Callable[[Any, Any], Any]] = {
    "download": lambda u, b: submission_batch_export(actor=u, batch=b),
    "import_response": _answer,
}
BATCH_TABLE = {
    "sent": {OP: ["download", "import_response"], SPV: ["download", "import_response"]},
    "answered": {OP: ["download"], SPV: ["download"]},
}


@pytest.mark.parametrize("status", list(BATCH_TABLE))
def test_batch_actions_table_and_services(request, actors, auditor, other_village_operator, status):
    w = World(request)
    batch = w.batch
    if status == "answered":
        _answer(actors.dinsos_operator, batch)
    batch = SubmissionBatch.objects.get(pk=batch.pk)
    assert batch.status == status
    for role in ROLES:
        user = w.user(role)
        offered = batch_actions(user, batch)
        assert offered == BATCH_TABLE[status].get(role, []), (status, role)
        _check_cell(batch, user, offered, BATCH_SERVICES)


# Freeze -----------------------------------------------------------------------------------------------------

FREEZE_SERVICES: dict[str, Callable[[Any, Any], Any]] = {
    "lift": lambda u, f: freeze_lift(actor=u, freeze=f, reason="selesai"),
}


@pytest.mark.parametrize("lifted", [False, True])
def test_freeze_actions_table_and_services(request, actors, auditor, other_village_operator, lifted):
    w = World(request)
    freeze = w.freeze
    if lifted:
        freeze = freeze_lift(actor=actors.dinsos_supervisor, freeze=freeze, reason="selesai")
    for role in ROLES:
        user = w.user(role)
        offered = freeze_actions(user, freeze)
        assert offered == (["lift"] if role == SPV and not lifted else []), (lifted, role)
        _check_cell(freeze, user, offered, FREEZE_SERVICES)


# Data-quality flag (confirming creates a proposal, so this lives above both apps) ---------------------------

@pytest.fixture
def died_flag(stale_world, dinsos_operator, tmp_path):  # noqa: F811
    path = tmp_path / "extract.csv"
    pl.DataFrame(extract_rows(stale_world)).write_csv(path)
    run = run_create(actor=dinsos_operator, kind=MatchRun.Kind.CIVIL_REGISTRY, region_code=VILLAGE)
    civil_match_run(actor=dinsos_operator, run=run, adapter=FileAdapter(path), today=date(2026, 6, 1))
    return Flag.objects.get(kind="died")


FLAG_SERVICES: dict[str, Callable[[Any, Any], Any]] = {
    "confirm": lambda u, f: proposal_create_from_flag(actor=u, flag=f),
    "dismiss": lambda u, f: flag_dismiss(actor=u, flag=f, reason="sudah dicek"),
}


@pytest.mark.parametrize("status", ["open", "dismissed"])
def test_flag_actions_table_and_services(request, died_flag, actors, auditor, other_village_operator, status):
    from tepat.quality.actions import flag_actions

    w = World(request)
    flag = died_flag
    if status == "dismissed":
        flag = flag_dismiss(actor=actors.dinsos_operator, flag=flag, reason="sudah dicek")
    reviewers = {VO, OP, SPV}
    assert OTHER_VILLAGE not in flag.region_code
    for role in ROLES:
        user = w.user(role)
        offered = flag_actions(user, flag)
        assert offered == (["confirm", "dismiss"] if role in reviewers and status == "open" else []), (status, role)
        _check_cell(flag, user, offered, FLAG_SERVICES)
