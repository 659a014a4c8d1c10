"""Issue 9 items 3 and 5: periods in order, and determination as a resumable background run that commits in
chunks (the audit head lock is never held across the whole run)."""

from datetime import date, timedelta

import pytest
from django.db import connection
from django.urls import reverse
from django.utils import timezone

from conftest import DISTRICT, client_for
from tepat.audit.models import AuditEvent
from tepat.core.exceptions import BusinessRuleViolation, ValidationFailed
from tepat.registry import choices as c
from tepat.registry.models import Family
from tepat.updates.models import DeterminationPeriod, DeterminedFamily, Proposal
from tepat.updates.services import determination as d
from tepat.updates.services.determination import (
    period_create,
    period_determine,
    period_determine_resume,
    period_determine_run,
    period_determine_start,
)
from tepat.updates.tasks import period_determine_task
from tepat.updates.tests.factories import create, new_family_payload, to_approved

S = DeterminationPeriod.Status


def _period_row(period):
    return DeterminationPeriod.objects.filter(pk=period.pk).values().get()


# Item 3: periods in order ---------------------------------------------------------------------------------

def test_a_period_cannot_be_determined_before_it_starts(actors):
    starts = timezone.localdate() + timedelta(days=40)
    period = period_create(actor=actors.dinsos_operator, region_code=DISTRICT, starts_on=starts.replace(day=1))
    row, events = _period_row(period), AuditEvent.objects.count()

    with pytest.raises(BusinessRuleViolation) as exc:
        period_determine(actor=actors.dinsos_supervisor, period=period, decree_number="SK-9",
                         decree_date=timezone.localdate())

    assert f"{period.starts_on:%d-%m-%Y}" in exc.value.message and period.label in exc.value.message
    assert _period_row(period) == row and AuditEvent.objects.count() == events


def test_a_period_cannot_be_determined_before_its_predecessor(actors, period):
    later = period_create(actor=actors.dinsos_operator, region_code=DISTRICT, starts_on=date(2025, 8, 1))
    row, events = _period_row(later), AuditEvent.objects.count()

    with pytest.raises(BusinessRuleViolation) as exc:
        period_determine(actor=actors.dinsos_supervisor, period=later, decree_number="SK-8",
                         decree_date=date(2025, 8, 31))

    assert period.label in exc.value.message
    assert _period_row(later) == row and AuditEvent.objects.count() == events


def test_a_period_cannot_open_before_a_determined_one(actors):
    march = period_create(actor=actors.dinsos_operator, region_code=DISTRICT, starts_on=date(2026, 3, 1))
    period_determine(actor=actors.dinsos_supervisor, period=march, decree_number="SK-3",
                     decree_date=date(2026, 3, 31))
    count, events = DeterminationPeriod.objects.count(), AuditEvent.objects.count()

    with pytest.raises(ValidationFailed) as exc:
        period_create(actor=actors.dinsos_operator, region_code=DISTRICT, starts_on=date(2026, 1, 1))

    assert exc.value.issues[0].field == "starts_on" and "2026-03" in exc.value.issues[0].en
    assert DeterminationPeriod.objects.count() == count and AuditEvent.objects.count() == events
    # A later period is still fine.
    assert period_create(actor=actors.dinsos_operator, region_code=DISTRICT, starts_on=date(2026, 4, 1))


def test_versions_are_listed_by_determination_time(actors, period):
    from tepat.updates.selectors.sessions import period_list

    first = period_determine(actor=actors.dinsos_supervisor, period=period, decree_number="SK-7",
                             decree_date=date(2025, 7, 31))
    second = period_create(actor=actors.dinsos_operator, region_code=DISTRICT, starts_on=date(2025, 8, 1))
    second = period_determine(actor=actors.dinsos_supervisor, period=second, decree_number="SK-8",
                              decree_date=date(2025, 8, 31))
    opened = period_create(actor=actors.dinsos_operator, region_code=DISTRICT, starts_on=date(2025, 9, 1))

    assert list(period_list(actor=actors.dinsos_operator)) == [opened, second, first]
    assert second.determined_at > first.determined_at


# Item 5: background run ---------------------------------------------------------------------------------

def _approved_new_families(actors, n):
    return [to_approved(actors, create(actors, Proposal.Kind.NEW_FAMILY, new_family_payload(head=f"Kepala {i}")))
            for i in range(n)]


def test_start_marks_the_period_and_the_run_finishes_it(actors, family, period):
    proposals = _approved_new_families(actors, 3)

    started = period_determine_start(actor=actors.dinsos_supervisor, period=period, decree_number="SK-7",
                                     decree_date=date(2025, 7, 31))

    assert (started.status, started.proposals_total) == (S.DETERMINING, 3)
    event = AuditEvent.objects.filter(action="determination_period.start").get()
    assert (event.actor_id, event.target_id) == (actors.dinsos_supervisor.pk, str(period.pk))
    assert set(Proposal.objects.filter(pk__in=[p.pk for p in proposals]).values_list("status", flat=True)) == {
        "approved"}

    done = period_determine_task.enqueue(period_id=str(period.pk), actor_id=actors.dinsos_supervisor.pk).return_value

    period.refresh_from_db()
    assert done == {"period": str(period.pk), "status": "determined", "applied": 3, "held": 0,
                    "families": Family.objects.filter(status=c.FamilyStatus.ACTIVE).count()}
    assert period.status == S.DETERMINED and period.family_count == 4
    assert AuditEvent.objects.filter(action="proposal.apply").count() == 3
    event = AuditEvent.objects.filter(action="determination_period.determine").get()
    assert (event.actor_id, event.target_id) == (actors.dinsos_supervisor.pk, str(period.pk))


def test_a_run_killed_half_way_resumes_without_duplicates(actors, family, period, monkeypatch):
    proposals = _approved_new_families(actors, 5)
    monkeypatch.setattr(d, "APPLY_CHUNK", 2)
    monkeypatch.setattr(d, "_BATCH", 2)
    period_determine_start(actor=actors.dinsos_supervisor, period=period, decree_number="SK-7",
                           decree_date=date(2025, 7, 31))
    real_apply, real_freeze = d.proposal_apply_to_registry, d._freeze_batch
    calls = {"apply": 0, "freeze": 0}

    def dying_apply(**kwargs):
        calls["apply"] += 1
        if calls["apply"] == 4:  # in the second chunk, after its first proposal was applied
            raise SystemExit("worker killed")
        return real_apply(**kwargs)

    monkeypatch.setattr(d, "proposal_apply_to_registry", dying_apply)
    with pytest.raises(SystemExit):
        period_determine_run(actor=actors.dinsos_supervisor, period_id=period.pk)

    period.refresh_from_db()
    assert (period.status, period.applied_count) == (S.DETERMINING, 2)  # the first chunk committed, the second not
    assert Proposal.objects.filter(status="applied").count() == 2
    assert Family.objects.count() == 3

    monkeypatch.setattr(d, "proposal_apply_to_registry", real_apply)

    def dying_freeze(*args, **kwargs):
        calls["freeze"] += 1
        if calls["freeze"] == 3:
            raise SystemExit("worker killed again")
        return real_freeze(*args, **kwargs)

    monkeypatch.setattr(d, "_freeze_batch", dying_freeze)
    with pytest.raises(SystemExit):
        period_determine_run(actor=actors.dinsos_supervisor, period_id=period.pk)
    period.refresh_from_db()
    assert (period.status, period.frozen_count) == (S.DETERMINING, 4)

    monkeypatch.setattr(d, "_freeze_batch", real_freeze)
    period = period_determine_run(actor=actors.dinsos_supervisor, period_id=period.pk)

    assert period.status == S.DETERMINED
    assert (period.applied_count, period.family_count) == (5, 6)
    assert Family.objects.count() == 6  # every new family once
    assert Proposal.objects.filter(pk__in=[p.pk for p in proposals], status="applied").count() == 5
    assert AuditEvent.objects.filter(action="proposal.apply").count() == 5
    assert AuditEvent.objects.filter(action="family.create").count() == 6
    assert DeterminedFamily.objects.filter(period=period).count() == 6
    assert period.individual_count == 3 + 5 * 2
    # Running it again changes nothing.
    events = AuditEvent.objects.count()
    assert period_determine_run(actor=actors.dinsos_supervisor, period_id=period.pk).status == S.DETERMINED
    assert AuditEvent.objects.count() == events


def test_a_failed_run_is_recorded_and_can_be_resumed(actors, period, monkeypatch):
    _approved_new_families(actors, 1)
    period_determine_start(actor=actors.dinsos_supervisor, period=period, decree_number="SK-7",
                           decree_date=date(2025, 7, 31))

    def broken(**kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(d, "proposal_apply_to_registry", broken)
    result = period_determine_task.enqueue(period_id=str(period.pk), actor_id=actors.dinsos_supervisor.pk)

    assert result.status == "FAILED"  # the worker marks the task failed; the period keeps the error

    period.refresh_from_db()
    assert period.status == S.DETERMINING and "disk full" in period.error
    event = AuditEvent.objects.filter(action="determination_period.fail").get()
    assert event.target_id == str(period.pk) and "disk full" in event.data["error"]

    monkeypatch.undo()
    period_determine_resume(actor=actors.dinsos_supervisor, period=period)
    period = period_determine_run(actor=actors.dinsos_supervisor, period_id=period.pk)
    assert (period.status, period.applied_count, period.error) == (S.DETERMINED, 1, "")


def test_approvals_during_the_run_wait_for_the_next_period(actors, period):
    _approved_new_families(actors, 1)
    period_determine_start(actor=actors.dinsos_supervisor, period=period, decree_number="SK-7",
                           decree_date=date(2025, 7, 31))
    late = _approved_new_families(actors, 1)[0]
    late.approved_at = timezone.now() + timedelta(seconds=1)
    late.save(update_fields=["approved_at"])

    period = period_determine_run(actor=actors.dinsos_supervisor, period_id=period.pk)

    late.refresh_from_db()
    assert period.applied_count == 1 and late.status == "approved"


@pytest.mark.django_db(transaction=True)
def test_each_chunk_commits_on_its_own(regions, make_user, monkeypatch):
    """No transaction spans the run: between chunks nothing is open, so the audit head lock is free."""
    from tepat.updates.tests.factories import Actors

    actors = Actors(make_user("village_operator", ["36.04.05.2001"]), make_user("facilitator", ["36.04.05.2001"]),
                    make_user("village_head", ["36.04.05.2001"]), make_user("dinsos_operator", ["36.04"]),
                    make_user("dinsos_supervisor", ["36.04"]))
    period = period_create(actor=actors.dinsos_operator, region_code=DISTRICT, starts_on=date(2025, 7, 1))
    _approved_new_families(actors, 3)
    monkeypatch.setattr(d, "APPLY_CHUNK", 1)
    monkeypatch.setattr(d, "_BATCH", 1)
    outside: list[bool] = []
    real_chunk, real_step = d._apply_chunk, d._freeze_step

    def chunk(*args):
        outside.append(not connection.in_atomic_block)
        return real_chunk(*args)

    def step(*args):
        outside.append(not connection.in_atomic_block)
        return real_step(*args)

    monkeypatch.setattr(d, "_apply_chunk", chunk)
    monkeypatch.setattr(d, "_freeze_step", step)

    period = period_determine(actor=actors.dinsos_supervisor, period=period, decree_number="SK-7",
                              decree_date=date(2025, 7, 31))

    assert period.status == S.DETERMINED and period.applied_count == 3
    assert len(outside) == 4 + 4 and all(outside)


def test_the_page_starts_the_run_and_shows_progress_and_holds(actors, period, django_capture_on_commit_callbacks):
    from tepat.updates.models import ProposalClaim

    payload = new_family_payload()
    first = create(actors, Proposal.Kind.NEW_FAMILY, payload)
    ProposalClaim.objects.all().delete()
    twin = new_family_payload(head="Dadang")
    twin["family"]["kk_number"] = payload["family"]["kk_number"]
    second = create(actors, Proposal.Kind.NEW_FAMILY, twin)
    ProposalClaim.objects.all().delete()
    to_approved(actors, first)
    ProposalClaim.objects.all().delete()
    to_approved(actors, second)
    client = client_for(actors.dinsos_supervisor)

    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        response = client.post(reverse("updates:period_determine", args=[period.pk]),
                               {"decree_number": "SK-7", "decree_date": "2025-07-31"})

    assert len(callbacks) == 1
    assert response.status_code == 302 and response.url == reverse("updates:period_detail", args=[period.pk])
    page = client.get(response.url).content.decode()
    assert 'data-phase="done"' in page and f'data-held="{second.reference}"' in page
    assert "kk_in_use" not in page and payload["family"]["kk_number"] in page  # the full reason for Dinsos
    partial = client.get(reverse("updates:period_progress", args=[period.pk])).content.decode()
    assert "hx-get" not in partial  # finished: no more polling


def test_a_running_period_page_polls(actors, period):
    period_determine_start(actor=actors.dinsos_supervisor, period=period, decree_number="SK-7",
                           decree_date=date(2025, 7, 31))

    page = client_for(actors.dinsos_supervisor).get(reverse("updates:period_detail", args=[period.pk]))

    body = page.content.decode()
    assert page.status_code == 200 and 'data-phase="applying"' in body
    assert reverse("updates:period_progress", args=[period.pk]) in body


def test_a_chunk_writes_its_events_at_its_end_and_the_run_reports_its_timings(actors, period, monkeypatch):
    """The audit chain head is not taken while proposals are applied (page views do not wait for them):
    the chunk's events are written together at its end, one per registry change and one `proposal.apply`
    per proposal, in order."""
    from conftest import assert_audited, audit_seq
    from tepat.audit.models import AuditChainHead

    proposals = _approved_new_families(actors, 3)
    period_determine_start(actor=actors.dinsos_supervisor, period=period, decree_number="SK-7",
                           decree_date=date(2025, 7, 31))
    before = audit_seq()
    heads: list[int] = []
    real_apply = d.proposal_apply_to_registry

    def watched(**kwargs):
        heads.append(AuditChainHead.objects.get(pk=1).last_seq)
        return real_apply(**kwargs)

    monkeypatch.setattr(d, "proposal_apply_to_registry", watched)
    stats = d.DeterminationStats()

    period = period_determine_run(actor=actors.dinsos_supervisor, period_id=period.pk, stats=stats)

    assert heads == [before] * 3  # nothing written (no head lock) until the chunk's end
    actions = list(AuditEvent.objects.filter(seq__gt=before).order_by("seq").values_list("action", flat=True))
    one = ["family.create", "individual.add", "individual.add", "proposal.apply"]
    assert actions == one * 3 + ["determination_period.determine"]
    for proposal in proposals:
        proposal.refresh_from_db()
        assert_audited("proposal.apply", actor=actors.dinsos_supervisor, target=proposal, after=before,
                       to="applied", period=period.label)
    assert (stats.chunks, stats.events, stats.batches) == (1, 12, 1)
    assert 0 < stats.max_audit_lock_seconds <= stats.max_chunk_seconds <= stats.apply_seconds
    assert stats.freeze_seconds > 0 and period.family_count == 3


def test_a_held_proposal_leaves_no_registry_event_only_its_hold(actors, family, period):
    """The savepoint of a conflicting proposal drops its registry rows and its deferred events alike."""
    from conftest import VILLAGE, assert_audited, audit_seq, member_data
    from tepat.registry.services import family_create
    from tepat.updates.models import DeterminationHold

    payload = new_family_payload()
    clash = to_approved(actors, create(actors, Proposal.Kind.NEW_FAMILY, payload))
    # After the approval the KK number is taken in the registry directly: applying it must fail.
    family_create(actor=actors.dinsos_operator, correction_reason="test fixture", region_code=VILLAGE,
                  data={"kk_number": payload["family"]["kk_number"]}, members=[member_data(relation=1)])
    fine = _approved_new_families(actors, 1)[0]
    before, families = audit_seq(), Family.objects.count()

    period = period_determine(actor=actors.dinsos_supervisor, period=period, decree_number="SK-7",
                              decree_date=date(2025, 7, 31))

    assert (period.applied_count, period.held_count) == (1, 1)
    assert Family.objects.count() == families + 1
    hold = DeterminationHold.objects.get(period=period)
    assert hold.proposal_id == clash.pk and hold.issues[0]["code"] == "kk_in_use"
    assert_audited("proposal.hold", actor=actors.dinsos_supervisor, target=clash, after=before)
    assert_audited("proposal.apply", actor=actors.dinsos_supervisor, target=fine, after=before)
    created = AuditEvent.objects.filter(seq__gt=before, action="family.create")
    assert created.count() == 1 and created.get().target_id == str(Proposal.objects.get(pk=fine.pk).family_id)
