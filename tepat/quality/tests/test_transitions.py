"""Match runs and flags move only along their transitions tables (tepat.audit.transitions), audited."""

import pytest

from conftest import VILLAGE, assert_audited, audit_seq
from tepat.audit.models import AuditEvent
from tepat.audit.transitions import allowed_transitions, transition
from tepat.core.actors import SYSTEM
from tepat.core.exceptions import InvalidTransition
from tepat.quality.models import MatchRun
from tepat.quality.services.runs import _fail, run_create


@pytest.mark.django_db
def test_a_failed_run_is_recorded_and_cannot_fail_or_finish_again():
    run = run_create(actor=SYSTEM, kind=MatchRun.Kind.DUPLICATES, region_code=VILLAGE)
    since = audit_seq()
    _fail(run, RuntimeError("disk full"), actor=SYSTEM)
    run.refresh_from_db()
    # An unexpected exception is named by its type only: its text may quote the uploaded file (issue 8.4b).
    safe = "kesalahan internal (RuntimeError) / internal error (RuntimeError)"
    assert run.status == MatchRun.Status.FAILED and run.error == safe and run.finished_at
    assert_audited("quality.run_fail", actor=SYSTEM, target=run, after=since, to="failed", error=safe)
    assert allowed_transitions(MatchRun, run.status) == []
    events = AuditEvent.objects.count()
    with pytest.raises(InvalidTransition) as exc:
        transition(run, "finish", actor=SYSTEM, region_code=run.region_code)
    assert exc.value.extra["current"] == "failed" and exc.value.extra["requested"] == "finish"
    run.refresh_from_db()
    assert run.status == MatchRun.Status.FAILED and AuditEvent.objects.count() == events
