"""The desil release's transitions table (ADR 0014's one mechanism): importing → published | failed.

A published release is never edited and never moves again here: a correction is a new release.
"""

from __future__ import annotations

from tepat.audit.actions import AuditAction as A
from tepat.audit.transitions import Transition, Workflow, register, t
from tepat.targeting.models import DesilRelease

S = DesilRelease.Status

DESIL_RELEASE_TRANSITIONS: dict[str, Transition] = {
    # The one batch event of an import: the release's counts (no event per family).
    "publish": t({S.IMPORTING}, S.PUBLISHED, action=A.DESIL_RELEASE_PUBLISH),
    "fail": t({S.IMPORTING}, S.FAILED, action=A.DESIL_RELEASE_FAIL),
}

register(DesilRelease, Workflow("desil_release", DESIL_RELEASE_TRANSITIONS))
