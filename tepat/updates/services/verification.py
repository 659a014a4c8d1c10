"""Field verification (verifikasi dan validasi): the assigned facilitator's visit and its outcome."""

from __future__ import annotations

from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from tepat.core.exceptions import ValidationFailed
from tepat.core.messages import Issue
from tepat.updates import kinds
from tepat.updates.actions import ensure_proposal_action
from tepat.updates.models import Document, FieldVerification, Proposal
from tepat.updates.services.claims import claims_take
from tepat.updates.services.common import not_future, raise_if
from tepat.updates.services.documents import check_upload, store_document
from tepat.updates.workflow import lock, transition

Outcome = FieldVerification.Outcome
CONFIRMED, CORRECTED = "confirmed", "corrected"


def _coordinate(value: Any, field: str, bound: int, issues: list[Issue]) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        number = None
    if number is None or not -bound <= number <= bound:
        issues.append(Issue("coordinate", field, f"koordinat '{value}' tidak sah", f"coordinate '{value}' is invalid"))
        return None
    return number


def _accuracy(value: Any, issues: list[Issue]) -> int | None:
    if value in (None, ""):
        return None
    try:
        metres = round(float(value))
    except (TypeError, ValueError):
        metres = -1
    if not 0 <= metres <= 100_000:
        issues.append(Issue("accuracy", "accuracy_m", f"akurasi lokasi '{value}' tidak sah",
                            f"location accuracy '{value}' is invalid"))
        return None
    return metres


@transaction.atomic
def verification_record(
    *,
    actor: Any,
    proposal: Proposal,
    visited_on: date,
    household_found: bool,
    outcome: str,
    results: dict[str, dict[str, Any]] | None = None,
    notes: str = "",
    latitude: Any = None,
    longitude: Any = None,
    accuracy_m: Any = None,
    rejection_reason: str = "",
    photos: list[Any] | None = None,
) -> FieldVerification:
    """Record the visit. `results` maps each fact's path (see `kinds.facts`) to
    {"result": "confirmed"|"corrected", "value": <corrected value>}. Outcome "rejected" (with a reason)
    ends the proposal; otherwise it is confirmed, or corrected when any fact was corrected, and the
    corrected payload is what determination will apply.
    """
    proposal = lock(proposal)
    ensure_proposal_action(actor, proposal, "verify")
    results = results or {}
    issues: list[Issue] = []
    not_future(visited_on, "visited_on", timezone.localdate(), issues)
    if outcome not in Outcome.values:
        issues.append(Issue("choice", "outcome", "hasil verifikasi wajib dipilih", "the outcome is required"))
    rejected = outcome == Outcome.REJECTED
    if rejected and not rejection_reason.strip():
        issues.append(Issue("required", "rejection_reason", "alasan penolakan wajib diisi",
                            "a reason for rejection is required"))
    lat = _coordinate(latitude, "latitude", 90, issues)
    lon = _coordinate(longitude, "longitude", 180, issues)
    accuracy = _accuracy(accuracy_m, issues)
    base = proposal.payload
    fact_results: list[dict[str, Any]] = []
    corrections: dict[str, Any] = {}
    for fact in kinds.facts(proposal.kind, base):
        given = results.get(fact.path)
        if given is None:
            if not rejected:
                issues.append(Issue("required", f"facts.{fact.path}", f"fakta '{fact.label}' belum diperiksa",
                                    f"fact '{fact.label}' has not been checked"))
            continue
        result = given.get("result")
        if result not in (CONFIRMED, CORRECTED):
            issues.append(Issue("choice", f"facts.{fact.path}", "pilih sesuai atau dikoreksi",
                                "choose confirmed or corrected"))
            continue
        entry = {"path": fact.path, "label": fact.label, "proposed": fact.value, "result": result}
        if result == CORRECTED:
            entry["value"] = given.get("value")
            corrections[fact.path] = given.get("value")
        fact_results.append(entry)
    raise_if(issues)
    verified_payload = None
    if not rejected:
        outcome = Outcome.CORRECTED if corrections else Outcome.CONFIRMED
        try:
            verified_payload = kinds.validate(proposal.kind, kinds.apply_corrections(base, corrections),
                                              family=proposal.family, individual=proposal.individual)
        except ValidationFailed as exc:
            raise ValidationFailed([Issue(i.code, f"facts.{i.field}", i.id, i.en) for i in exc.issues]) from exc
        claims_take(proposal, verified_payload)  # a corrected KK/NIK must not collide with another open proposal
    verification = FieldVerification(
        proposal=proposal, verifier=actor, visited_on=visited_on, household_found=household_found,
        fact_results=fact_results, notes=notes.strip(), latitude=lat, longitude=lon, accuracy_m=accuracy,
        outcome=outcome,
        rejection_reason=rejection_reason.strip(),
    )
    verification.full_clean()
    verification.save()
    checked = [check_upload(photo, field="photos", images_only=True) for photo in photos or []]
    for photo in checked:
        store_document(actor=actor, checked=photo, kind=Document.Kind.PHOTO, region_code=proposal.region_id,
                       proposal=proposal, verification=verification)
    data = {"verification": str(verification.pk), "outcome": outcome, "household_found": household_found,
            "corrections": corrections}
    if rejected:
        transition(proposal, "reject_in_field", actor=actor, region_code=proposal.region_id, locked=True,
                   reason=rejection_reason.strip(), data=data,
                   updates={"closed_stage": Proposal.Status.IN_VERIFICATION,
                            "closed_reason": rejection_reason.strip()})
    else:
        name = "verify_emergency" if proposal.kind == Proposal.Kind.EMERGENCY else "verify"
        transition(proposal, name, actor=actor, region_code=proposal.region_id, locked=True, data=data,
                   updates={"verified_payload": verified_payload})
    return verification
