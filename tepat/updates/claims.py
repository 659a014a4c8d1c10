"""What an open proposal would change, as conflict keys (pure: no database).

Two open proposals with a key in common would collide at determination (the same KK number or NIK
registered twice, the same member removed twice), so the second is refused when it is entered.
Keys: `kk:<KK number>`, `nik:<NIK>`, `family:<id>` (removing or changing a family), `member:<id>`
(removing or changing a member), `program:<family>:<program>:<member>`.
"""

from __future__ import annotations

from typing import Any

NEW_FAMILY_KINDS = frozenset({"new_family", "emergency"})
# Statuses in which a proposal may still reach the registry (its claims are held).
OPEN_STATUSES = frozenset({"draft", "submitted", "in_verification", "verified", "accepted", "awaiting_supervisor",
                           "approved"})


def claim_keys(kind: str, payload: dict[str, Any], *, family_id: Any = None, individual_id: Any = None) -> list[str]:
    """The conflict keys of a proposal of `kind` with this (clean) payload, sorted and without repeats."""
    keys: set[str] = set()

    def nik(value: Any) -> None:
        if value:
            keys.add(f"nik:{value}")

    if kind in NEW_FAMILY_KINDS:
        kk = (payload.get("family") or {}).get("kk_number")
        if kk:
            keys.add(f"kk:{kk}")
        for member in payload.get("members") or []:
            nik(member.get("nik"))
    elif kind == "add_member":
        nik((payload.get("member") or {}).get("nik"))
    elif kind == "change_data":
        changes = payload.get("changes") or {}
        if payload.get("target") == "member" and individual_id:
            keys.add(f"member:{individual_id}")
            nik(changes.get("nik"))
        elif family_id:
            keys.add(f"family:{family_id}")
            if changes.get("kk_number"):
                keys.add(f"kk:{changes['kk_number']}")
    elif kind == "remove_member" and individual_id:
        keys.add(f"member:{individual_id}")
    elif kind == "remove_family" and family_id:
        keys.add(f"family:{family_id}")
    elif kind == "program" and family_id:
        keys.add(f"program:{family_id}:{payload.get('program', '')}:{payload.get('member') or ''}")
    return sorted(keys)
