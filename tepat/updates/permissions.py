"""What each role may do in the data-update workflow: the `updates.*` capabilities of
`tepat.accounts.roles.Capability` (granted per role in ROLE_CAPABILITIES), under the short names this app uses.

The check is `tepat.accounts.access.ensure_permission`: capability first (403, reveals nothing), then region
scope (404, exactly like absent).
"""

from __future__ import annotations

from tepat.accounts.access import actor_can as updates_can
from tepat.accounts.access import ensure_capability as ensure_updates_capability
from tepat.accounts.access import ensure_permission as ensure_updates_permission
from tepat.accounts.roles import Capability

__all__ = ["UpdatesCapability", "ensure_updates_capability", "ensure_updates_permission", "updates_can"]


class UpdatesCapability:
    VIEW = Capability.UPDATES_VIEW
    PROPOSE = Capability.UPDATES_PROPOSE
    ASSIGN = Capability.UPDATES_ASSIGN
    VERIFY = Capability.UPDATES_VERIFY
    DELIBERATE = Capability.UPDATES_DELIBERATE
    REVIEW = Capability.UPDATES_REVIEW
    APPROVE_REMOVAL = Capability.UPDATES_APPROVE_REMOVAL
    SUBMIT = Capability.UPDATES_SUBMIT
    PLAN_PERIOD = Capability.UPDATES_PLAN_PERIOD
    DETERMINE = Capability.UPDATES_DETERMINE
    FREEZE = Capability.UPDATES_FREEZE
