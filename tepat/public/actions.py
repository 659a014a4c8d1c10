"""What staff may do on a citizen report now (ADR 0020): the village queue's actions. Forwarding and
marking abuse need `updates.propose` in the report's village; the objector's contact needs
`updates.review` (Dinsos): the village never sees who objected."""

from __future__ import annotations

from typing import Any

from tepat.accounts.actions import Actions, rule
from tepat.accounts.roles import Capability as C
from tepat.public import transitions  # noqa: F401  (registers the table)
from tepat.public.models import CitizenReport

S = CitizenReport.Status

REPORT_ACTIONS = Actions(
    rules={
        "forward": rule(C.UPDATES_PROPOSE, transition="forward"),
        "mark_abuse": rule(C.UPDATES_PROPOSE, transition="mark_abuse"),
        "view_contact": rule(C.UPDATES_REVIEW),
    },
    region=lambda report: report.region_id,
)


def report_actions(actor: Any, report: CitizenReport) -> list[str]:
    return REPORT_ACTIONS.offered(actor, report)


def ensure_report_action(actor: Any, report: CitizenReport, name: str) -> None:
    REPORT_ACTIONS.ensure(actor, report, name)
