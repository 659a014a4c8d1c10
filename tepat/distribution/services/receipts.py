"""The per-person receipt: delivered in full / in part / not delivered, who collected, evidence (photos,
GPS with accuracy, time, signature, officer, device), the reason from one catalogue when not delivered.
One receipt per entry; the entry's status moves through the transitions table in the same transaction.

GPS outside the village is flagged, never refused. The region master has no village centroids, so the
flag is raised only when the data allows: when at least `CENTROID_MIN_RECEIPTS` earlier receipts of the
same village with an accuracy of at most 100 m give a median point, and the new point lies more than
`OUTSIDE_KM` from it (minus its own accuracy)."""

from __future__ import annotations

import math
import statistics
from datetime import datetime, timedelta
from decimal import Decimal, InvalidOperation
from typing import Any

from django.db import transaction
from django.utils import timezone

from tepat.audit.transitions import transition
from tepat.core.exceptions import BusinessRuleViolation, ValidationFailed
from tepat.core.messages import Issue
from tepat.distribution.models import DistributionEntry, DistributionList, Receipt
from tepat.distribution.services.common import RECEIPT, ensure, ensure_open

# code: (Indonesian, English) — the one catalogue of reasons for "not delivered"
REASONS: dict[str, tuple[str, str]] = {
    "deceased": ("meninggal dunia", "deceased"),
    "moved": ("pindah", "moved away"),
    "not_found": ("tidak ditemukan", "not found"),
    "absent": ("tidak hadir sampai batas waktu", "absent until the deadline"),
    "address_incomplete": ("alamat tidak lengkap", "address incomplete"),
    "refused": ("menolak", "refused"),
    "duplicate": ("ganda", "duplicate"),
}
CENTROID_MIN_RECEIPTS = 5
OUTSIDE_KM = 10.0
_TRANSITION = {Receipt.Outcome.FULL: "deliver", Receipt.Outcome.PARTLY: "deliver_partly",
               Receipt.Outcome.NONE: "not_deliver"}


def reason_text(code: str, english: bool = False) -> str:
    pair = REASONS.get(code)
    return (pair[1] if english else pair[0]) if pair else code


def _km(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 6371.0 * 2 * math.asin(math.sqrt(a))


def gps_flag(village: str, lat: Decimal | None, lon: Decimal | None, accuracy: int | None) -> str:
    if lat is None or lon is None:
        return ""
    points = list(Receipt.objects.filter(entry__region_code=village, latitude__isnull=False,
                                         accuracy_m__lte=100).values_list("latitude", "longitude")[:500])
    if len(points) < CENTROID_MIN_RECEIPTS:
        return ""
    c_lat = statistics.median(float(p[0]) for p in points)
    c_lon = statistics.median(float(p[1]) for p in points)
    distance = _km(float(lat), float(lon), c_lat, c_lon) - (accuracy or 0) / 1000
    return "outside_village" if distance > OUTSIDE_KM else ""


def _decimal(value: Any, field: str, low: float, high: float, issues: list[Issue]) -> Decimal | None:
    if value in (None, ""):
        return None
    try:
        number = Decimal(str(value)).quantize(Decimal("0.000001"))
    except (InvalidOperation, ValueError):
        issues.append(Issue("invalid", field, f"{field} bukan angka", f"{field} is not a number"))
        return None
    if not low <= number <= high:
        issues.append(Issue("range", field, f"{field} di luar {low}…{high}", f"{field} outside {low}…{high}"))
        return None
    return number


def clean(entry: DistributionEntry, data: dict[str, Any]) -> dict[str, Any]:
    issues: list[Issue] = []
    outcome = str(data.get("outcome") or "")
    if outcome not in Receipt.Outcome.values:
        issues.append(Issue("required", "outcome", "pilih hasil: full, partly, none",
                            "choose the outcome: full, partly, none"))
    collector = str(data.get("collector") or "")
    reason = str(data.get("reason") or "")
    amount = data.get("amount")
    try:
        amount = int(amount) if amount not in (None, "") else (entry.amount if outcome == "full" else 0)
    except (TypeError, ValueError):
        issues.append(Issue("invalid", "amount", "jumlah harus bilangan bulat rupiah", "amount must be whole rupiah"))
        amount = 0
    if outcome in ("full", "partly"):
        if collector not in Receipt.Collector.values:
            issues.append(Issue("required", "collector", "siapa yang menerima: self, kk_member, authorised",
                                "who collected: self, kk_member, authorised"))
        if collector == "authorised" and not str(data.get("authority_letter") or "").strip():
            issues.append(Issue("required", "authority_letter", "penerima di luar KK wajib surat kuasa",
                                "someone outside the KK needs a letter of authority"))
        if collector in ("kk_member", "authorised") and not str(data.get("collector_name") or "").strip():
            issues.append(Issue("required", "collector_name", "nama pengambil wajib diisi",
                                "the collector's name is required"))
        if reason:
            issues.append(Issue("invalid", "reason", "alasan hanya untuk yang tidak tersalur",
                                "a reason is only for not delivered"))
        if outcome == "full" and amount != entry.amount:
            issues.append(Issue("amount", "amount", f"tersalur penuh berarti Rp {entry.amount}",
                                f"delivered in full means Rp {entry.amount}"))
        if outcome == "partly" and not 0 < amount < entry.amount:
            issues.append(Issue("amount", "amount", f"sebagian: antara Rp 1 dan Rp {entry.amount - 1}",
                                f"in part: between Rp 1 and Rp {entry.amount - 1}"))
    elif outcome == "none":
        if reason not in REASONS:
            issues.append(Issue("required", "reason", "alasan tidak tersalur dari katalog: " + ", ".join(REASONS),
                                "reason not delivered, from the catalogue: " + ", ".join(REASONS)))
        amount = 0
    lat = _decimal(data.get("latitude"), "latitude", -90, 90, issues)
    lon = _decimal(data.get("longitude"), "longitude", -180, 180, issues)
    accuracy = data.get("accuracy_m")
    try:
        accuracy = int(float(accuracy)) if accuracy not in (None, "") else None
        if accuracy is not None and accuracy < 0:
            raise ValueError
    except (TypeError, ValueError):
        issues.append(Issue("invalid", "accuracy_m", "akurasi GPS dalam meter", "GPS accuracy in metres"))
        accuracy = None
    when = data.get("received_at") or timezone.now()
    if isinstance(when, str):
        try:
            when = datetime.fromisoformat(when)
        except ValueError:
            issues.append(Issue("invalid", "received_at", "waktu tidak valid (ISO 8601)", "time is not ISO 8601"))
            when = timezone.now()
    if timezone.is_naive(when):
        when = timezone.make_aware(when)
    if when > timezone.now() + timedelta(minutes=10):
        issues.append(Issue("future", "received_at", "waktu di masa depan", "the time is in the future"))
    signature = str(data.get("signature") or "")
    if len(signature) > 200_000:
        issues.append(Issue("too_long", "signature", "tanda tangan terlalu besar", "the signature is too large"))
    if issues:
        raise ValidationFailed(issues)
    return {"outcome": outcome, "amount": amount, "collector": collector if outcome != "none" else "",
            "collector_name": str(data.get("collector_name") or "")[:150],
            "authority_letter": str(data.get("authority_letter") or "")[:100], "reason": reason,
            "latitude": lat, "longitude": lon, "accuracy_m": accuracy, "received_at": when,
            "signature": signature, "photos": [str(p)[:200] for p in (data.get("photos") or [])][:10],
            "device": str(data.get("device") or "")[:100], "note": str(data.get("note") or "")[:2000]}


@transaction.atomic
def receipt_record(*, actor: Any, entry: DistributionEntry, data: dict[str, Any]) -> Receipt:
    ensure(actor, RECEIPT, entry.region_code)
    entry = DistributionEntry.objects.select_for_update().select_related("list__distribution").get(pk=entry.pk)
    ensure_open(entry.list.distribution)
    if entry.list.status == DistributionList.Status.SUPERSEDED:
        raise BusinessRuleViolation("Versi daftar ini sudah diganti / This list version was replaced")
    if Receipt.objects.filter(entry=entry).exists():
        raise BusinessRuleViolation("Tanda terima KPM ini sudah dicatat / This KPM's receipt is already recorded")
    values = clean(entry, data)
    flag = gps_flag(entry.region_code, values["latitude"], values["longitude"], values["accuracy_m"])
    receipt = Receipt.objects.create(entry=entry, officer=actor, gps_flag=flag, **values)
    transition(entry, _TRANSITION[values["outcome"]], actor=actor, region_code=entry.region_code, locked=True,
               data={"kpm_ref": entry.kpm_ref, "outcome": values["outcome"], "amount": values["amount"],
                     "collector": values["collector"], "reason": values["reason"], "gps_flag": flag,
                     "photos": len(values["photos"]), "device": values["device"]})
    return receipt
