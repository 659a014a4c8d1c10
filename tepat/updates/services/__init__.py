"""Every write of the data-update workflow, one module per step. Each service checks capability × region
(`tepat.updates.permissions`), moves statuses only through `tepat.updates.workflow`, and records audit
events in its own transaction. The registry is written only by `apply.py`, at determination."""
