"""Transitions of the follow-up tables (ADR 0014): a susulan batch (open → closed to additions), a susulan
entry (pending → paid | cancelled; a paid one never moves again), a post-check item (pending → answered |
unreachable). Registered with `tepat.audit.transitions`; nothing else assigns `status` on these models."""

from __future__ import annotations

from tepat.audit.actions import AuditAction as A
from tepat.audit.transitions import Transition, Workflow, register, t
from tepat.distribution.models_followup import PostCheckItem, SusulanBatch, SusulanEntry

B = SusulanBatch.Status
S = SusulanEntry.Status
P = PostCheckItem.Status

SUSULAN_BATCH_TRANSITIONS: dict[str, Transition] = {
    "close": t({B.OPEN}, B.CLOSED, action=A.SUSULAN_BATCH_CLOSE),
}
SUSULAN_ENTRY_TRANSITIONS: dict[str, Transition] = {
    "pay": t({S.PENDING}, S.PAID, action=A.SUSULAN_ENTRY_PAY),
    "cancel": t({S.PENDING}, S.CANCELLED, action=A.SUSULAN_ENTRY_CANCEL),
}
POSTCHECK_ITEM_TRANSITIONS: dict[str, Transition] = {
    "answer": t({P.PENDING}, P.ANSWERED, action=A.POSTCHECK_ANSWER),
    "unreachable": t({P.PENDING}, P.UNREACHABLE, action=A.POSTCHECK_ANSWER),
}

register(SusulanBatch, Workflow("susulan_batch", SUSULAN_BATCH_TRANSITIONS))
register(SusulanEntry, Workflow("susulan_entry", SUSULAN_ENTRY_TRANSITIONS))
register(PostCheckItem, Workflow("postcheck_item", POSTCHECK_ITEM_TRANSITIONS))
