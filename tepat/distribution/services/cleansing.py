"""Pre-flight cleansing before a list version goes out: one pass over the candidate families, each failing
family with its reason codes (the catalogue below). Pure reads: `services.lists` puts the failures in the
"dikembalikan untuk dilengkapi" queue of their village and leaves them out of the version."""

from __future__ import annotations

from collections import Counter, defaultdict
from typing import Any

from tepat.registry.choices import FamilyStatus, Presence, Relation
from tepat.registry.identity import validate_nik
from tepat.registry.models import Family, Individual

# code: (Indonesian, English)
REASONS: dict[str, tuple[str, str]] = {
    "address_rt_rw": ("RT/RW kosong", "RT/RW missing"),
    "address_village": ("desa/kelurahan tidak valid", "village missing or not a village code"),
    "address_street": ("jalan/patokan kosong (wajib untuk antar ke rumah)",
                       "street or landmark missing (required for door-to-door delivery)"),
    "nik_structure": ("NIK penerima tidak sesuai struktur", "the recipient's NIK fails its structure check"),
    "no_recipient": ("tidak ada kepala keluarga/anggota hidup sebagai penerima",
                     "no living head or member to receive"),
    "region_code": ("kode wilayah keluarga berbeda dengan daftar", "the family's region code differs from the list"),
    "deceased": ("penerima atau seluruh anggota meninggal", "the recipient or every member has died"),
    "moved": ("penerima pindah", "the recipient has moved away"),
    "removed": ("keluarga sudah dihapus dari DTKS", "the family was removed from the registry"),
    "duplicate_kk": ("nomor KK ganda di tahap ini", "the KK number appears twice in this tahap"),
    "open_objection": ("ada sanggahan yang belum selesai", "an objection is still open"),
}

_OPEN_PROPOSAL = ("draft", "submitted", "in_verification", "verified", "accepted", "awaiting_supervisor",
                  "approved")
_MOVED = (Presence.MOVED_DOMESTIC, Presence.MOVED_ABROAD)


def reason_text(code: str, english: bool = False) -> str:
    pair = REASONS.get(code)
    return (pair[1] if english else pair[0]) if pair else code


def recipient_of(members: list[Individual]) -> Individual | None:
    """The head when living and present, else the first living present member (spouse first)."""
    living = [m for m in members if m.presence in (Presence.LIVING, Presence.NEW_MEMBER)]
    living.sort(key=lambda m: (m.relation != Relation.HEAD, m.relation != Relation.SPOUSE, m.relation, m.nik))
    return living[0] if living else None


def check(candidates: list[dict[str, Any]], *, standard: list[str]) -> tuple[dict[Any, list[str]], dict[Any, Any]]:
    """`candidates`: [{"family_id", "region_code", "kk_number"}]. Returns (failures {family_id: [codes]},
    recipients {family_id: Individual}) for the families that pass or fail."""
    from tepat.regions.models import Region
    from tepat.updates.models import Objection

    ids = [c["family_id"] for c in candidates]
    families = {f.pk: f for f in Family.objects.filter(pk__in=ids)}
    members: dict[Any, list[Individual]] = defaultdict(list)
    for m in Individual.objects.filter(family_id__in=ids).only(
            "id", "family_id", "nik", "name", "relation", "presence"):
        members[m.family_id].append(m)
    villages = set(Region.objects.filter(code__in={c["region_code"] for c in candidates},
                                         level=Region.Level.VILLAGE).values_list("code", flat=True))
    objected = set(Objection.objects.filter(family_id__in=ids, proposal__status__in=_OPEN_PROPOSAL)
                   .values_list("family_id", flat=True))
    kk_counts = Counter(c["kk_number"] for c in candidates if c["kk_number"])
    failures: dict[Any, list[str]] = {}
    recipients: dict[Any, Any] = {}
    for c in candidates:
        codes: list[str] = []
        family = families.get(c["family_id"])
        if family is None or family.status == FamilyStatus.REMOVED:
            failures[c["family_id"]] = ["removed"]
            continue
        if ("rt" in standard or "rw" in standard) and (not family.rt or not family.rw):
            codes.append("address_rt_rw")
        if "street" in standard and not (family.address or "").strip():
            codes.append("address_street")
        village_ok = c["region_code"] in villages
        if not village_ok:
            codes.append("address_village")
        if family.region_id != c["region_code"]:
            codes.append("region_code")
        fam_members = members.get(family.pk, [])
        head = next((m for m in fam_members if m.relation == Relation.HEAD), None)
        if fam_members and all(m.presence == Presence.DIED for m in fam_members):
            codes.append("deceased")
        elif fam_members and all(m.presence in (*_MOVED, Presence.DIED) for m in fam_members):
            codes.append("moved")
        recipient = recipient_of(fam_members)
        if recipient is None and not {"deceased", "moved"} & set(codes):
            codes.append("no_recipient")
        elif recipient is not None:
            if head is not None and head.presence in _MOVED and recipient.relation != Relation.SPOUSE:
                codes.append("moved")
            if not validate_nik(recipient.nik).ok:
                codes.append("nik_structure")
            recipients[family.pk] = recipient
        if c["kk_number"] and kk_counts[c["kk_number"]] > 1:
            codes.append("duplicate_kk")
        if family.pk in objected:
            codes.append("open_objection")
        if codes:
            failures[family.pk] = list(dict.fromkeys(codes))
    return failures, recipients

