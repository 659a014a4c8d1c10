"""The distribution workflows' transitions tables (ADR 0014): the tahap (two-person close), a list version
(exported versions are immutable, a correction supersedes them), an entry's receipt outcome, a return-queue
item. Registered with `tepat.audit.transitions`; nothing else assigns `status` on these models."""

from __future__ import annotations

from tepat.audit.actions import AuditAction as A
from tepat.audit.transitions import Transition, Workflow, register, t
from tepat.distribution.models import Distribution, DistributionEntry, DistributionList, ReturnItem

D = Distribution.Status
L = DistributionList.Status
E = DistributionEntry.Status
Q = ReturnItem.Status

DISTRIBUTION_TRANSITIONS: dict[str, Transition] = {
    "request_close": t({D.OPEN}, D.CLOSE_REQUESTED, action=A.DISTRIBUTION_CLOSE_REQUEST),
    "close": t({D.CLOSE_REQUESTED}, D.CLOSED, action=A.DISTRIBUTION_CLOSE),
    "reopen": t({D.CLOSE_REQUESTED}, D.OPEN, action=A.DISTRIBUTION_CLOSE_REFUSE),
}

LIST_TRANSITIONS: dict[str, Transition] = {
    "export": t({L.DRAFT}, L.EXPORTED, action=A.DISTRIBUTION_LIST_EXPORT_FIRST),
    "supersede": t({L.DRAFT, L.EXPORTED}, L.SUPERSEDED, action=A.DISTRIBUTION_LIST_SUPERSEDE),
}

ENTRY_TRANSITIONS: dict[str, Transition] = {
    "deliver": t({E.PENDING}, E.DELIVERED, action=A.DISTRIBUTION_RECEIPT_RECORD),
    "deliver_partly": t({E.PENDING}, E.PARTLY, action=A.DISTRIBUTION_RECEIPT_RECORD),
    "not_deliver": t({E.PENDING}, E.NOT_DELIVERED, action=A.DISTRIBUTION_RECEIPT_RECORD),
}

RETURN_TRANSITIONS: dict[str, Transition] = {
    "complete": t({Q.OPEN}, Q.COMPLETED, action=A.DISTRIBUTION_RETURN_COMPLETE),
    "drop": t({Q.OPEN}, Q.DROPPED, action=A.DISTRIBUTION_RETURN_DROP),
}

register(Distribution, Workflow("distribution", DISTRIBUTION_TRANSITIONS))
register(DistributionList, Workflow("distribution_list", LIST_TRANSITIONS))
register(DistributionEntry, Workflow("distribution_entry", ENTRY_TRANSITIONS))
register(ReturnItem, Workflow("distribution_return", RETURN_TRANSITIONS))
