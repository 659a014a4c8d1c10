"""The registry's transitions tables (ADR 0014): a family's status and an import job's.

Registered with the one mechanism, `tepat.audit.transitions.transition()`, which locks the row, refuses a
move the table does not allow and records the audit event.

`IMPORT_JOB_TRANSITIONS` is the table for `ImportJob`; the importer's one status function
(`transfer/jobs.py` `import_job_transition`) calls `transition(job, name, ...)` with it.
"""

from __future__ import annotations

from tepat.audit.actions import AuditAction as A
from tepat.audit.transitions import Transition, Workflow, register, t
from tepat.registry import choices as c
from tepat.registry.models import ExportJob, Family, ImportJob

S = c.FamilyStatus
J = ImportJob.Status

FAMILY_TRANSITIONS: dict[str, Transition] = {
    "remove": t({S.ACTIVE}, S.REMOVED, action=A.FAMILY_REMOVE),
}

IMPORT_JOB_TRANSITIONS: dict[str, Transition] = {
    # A rerun with the same resume key continues a job that is waiting, was killed while running, or failed.
    "start": t({J.PENDING, J.RUNNING, J.FAILED}, J.RUNNING, action=A.REGISTRY_IMPORT_START),
    "finish": t({J.RUNNING}, J.DONE, action=A.REGISTRY_IMPORT_FINISH),
    "fail": t({J.PENDING, J.RUNNING}, J.FAILED, action=A.REGISTRY_IMPORT_FAIL),
}

E = ExportJob.Status
EXPORT_JOB_TRANSITIONS: dict[str, Transition] = {
    "run": t({E.PENDING}, E.RUNNING, action=A.REGISTRY_EXPORT_RUN),  # created: registry.export_start
    "finish": t({E.RUNNING}, E.DONE, action=A.REGISTRY_EXPORT_FINISH),
    "fail": t({E.PENDING, E.RUNNING}, E.FAILED, action=A.REGISTRY_EXPORT_FAIL),
}

register(Family, Workflow("family", FAMILY_TRANSITIONS))
register(ExportJob, Workflow("registry.export", EXPORT_JOB_TRANSITIONS))
register(ImportJob, Workflow("registry.import", IMPORT_JOB_TRANSITIONS))
