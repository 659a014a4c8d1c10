"""The one catalogue the rules speak: reason codes (with the text a citizen reads, Indonesian and English),
the facts a clause may test, the tests, and who qualifies for a component.

A rule that names a fact, a test or a reason not listed here is refused at release (`rules_check`).
"""

from __future__ import annotations

from dataclasses import dataclass

# ---- reasons --------------------------------------------------------------------------------------

ADMINISTRATIVE = "administrative"
NOT_ELIGIBLE = "not_eligible"
OTHER_PROGRAMME = "other_programme"
DATA_ERROR = "data_error"
DELIVERY_RISK = "delivery_risk"

CATEGORIES = {
    ADMINISTRATIVE: ("Administratif", "Administrative"),
    NOT_ELIGIBLE: ("Tidak memenuhi syarat", "Not eligible"),
    OTHER_PROGRAMME: ("Dilayani program lain", "Served by another programme"),
    DATA_ERROR: ("Kesalahan data", "Data error"),
    DELIVERY_RISK: ("Risiko penyaluran", "Delivery risk"),
}


@dataclass(frozen=True, slots=True)
class Reason:
    code: str
    category: str
    id: str  # what the family reads, in Indonesian
    en: str


REASONS: dict[str, Reason] = {r.code: r for r in (
    Reason("DESIL_ABOVE_LIMIT", NOT_ELIGIBLE,
           "Peringkat kesejahteraan (desil) keluarga Anda di atas batas program ini.",
           "Your family's welfare rank (desil) is above this programme's limit."),
    Reason("DESIL_MISSING", ADMINISTRATIVE,
           "Keluarga Anda belum memiliki peringkat desil resmi pada data yang dipakai.",
           "Your family has no official desil in the data used."),
    Reason("NO_COMPONENT", NOT_ELIGIBLE,
           "Tidak ada anggota keluarga yang memenuhi komponen program (ibu hamil, anak usia dini, anak sekolah, "
           "disabilitas berat, lanjut usia).",
           "No family member meets a programme component (pregnancy, early childhood, schoolchild, severe "
           "disability, elderly)."),
    Reason("NO_ACTIVE_MEMBER", DATA_ERROR,
           "Tidak ada anggota keluarga yang tercatat masih tinggal bersama keluarga (meninggal atau pindah).",
           "No family member is recorded as still living with the family (died or moved)."),
    Reason("MEMBER_DIED_UNRESOLVED", DATA_ERROR,
           "Ada laporan anggota keluarga meninggal yang belum diselesaikan.",
           "A reported death of a family member has not been resolved yet."),
    Reason("MOVED_UNRESOLVED", DELIVERY_RISK,
           "Ada laporan keluarga atau anggotanya pindah yang belum diselesaikan.",
           "A reported move of the family or a member has not been resolved yet."),
    Reason("DUPLICATE_RECORD", DATA_ERROR,
           "Data keluarga Anda diduga ganda dan sedang diperiksa.",
           "Your family's record is suspected to be a duplicate and is being checked."),
    Reason("NIK_NOT_MATCHED", DATA_ERROR,
           "NIK anggota keluarga belum padan dengan data Dukcapil.",
           "A member's NIK is not yet matched with the civil registry (Dukcapil)."),
    Reason("ON_EXCLUSION_LIST", NOT_ELIGIBLE,
           "Keluarga Anda tercatat pada daftar pengecualian (mis. ASN/TNI/Polri atau keluarga mampu).",
           "Your family is on an exclusion list (e.g. civil servants or well-off families)."),
    Reason("CIVIL_SERVANT", NOT_ELIGIBLE,
           "Ada anggota keluarga yang bekerja sebagai ASN/TNI/Polri/BUMN.",
           "A family member works as a civil servant, soldier, police officer or for a state company."),
    Reason("SERVED_BY_OTHER_PROGRAMME", OTHER_PROGRAMME,
           "Keluarga Anda sudah menerima program lain yang tidak dapat digabung dengan program ini.",
           "Your family already receives another programme that cannot be combined with this one."),
    Reason("NOT_PPKS", NOT_ELIGIBLE,
           "Keluarga Anda tidak tercatat dalam kategori PPKS yang menjadi sasaran program ini.",
           "Your family is not listed under the PPKS category this programme targets."),
    Reason("AGE_NOT_MET", NOT_ELIGIBLE,
           "Usia anggota keluarga tidak memenuhi syarat program ini.",
           "The family members' ages do not meet this programme's requirement."),
    Reason("NOT_IN_VERSION", ADMINISTRATIVE,
           "Keluarga Anda tidak ada lagi dalam DTKS yang ditetapkan untuk periode ini.",
           "Your family is no longer in the DTKS determined for this period."),
    Reason("RESERVE_QUOTA", ADMINISTRATIVE,
           "Keluarga Anda memenuhi syarat tetapi kuota wilayah sudah penuh; Anda masuk daftar cadangan.",
           "Your family is eligible but the area's quota is full; you are on the reserve list."),
    Reason("SUBSTITUTED", ADMINISTRATIVE,
           "Keluarga Anda digantikan oleh keluarga cadangan (alasan tercatat).",
           "Your family was replaced by a reserve family (the reason is recorded)."),
)}


def reason(code: str) -> Reason:
    return REASONS[code]


# ---- facts a clause may test ----------------------------------------------------------------------

@dataclass(frozen=True, slots=True)
class Fact:
    name: str
    kind: str  # "int", "bool", "set" (a set of codes)
    id: str
    en: str
    sensitive: bool = False  # health/disability/pregnancy: its value is hidden from masked readers


FIELDS: dict[str, Fact] = {f.name: f for f in (
    Fact("desil", "int", "desil resmi (1–10)", "official desil (1–10)"),
    Fact("members", "int", "jumlah anggota yang tinggal bersama", "members living with the family"),
    Fact("components", "int", "jumlah komponen yang memenuhi syarat (setelah batas)",
         "eligible components (after caps)", sensitive=True),
    Fact("pregnant", "int", "ibu hamil/nifas", "pregnant/postpartum members", sensitive=True),
    Fact("children_0_6", "int", "anak usia 0–6 tahun", "children aged 0–6"),
    Fact("elderly_70", "int", "lansia 70 tahun ke atas", "members aged 70 or over"),
    Fact("elderly_60", "int", "lansia 60 tahun ke atas", "members aged 60 or over"),
    Fact("severe_disability", "int", "penyandang disabilitas berat", "members with severe disability",
         sensitive=True),
    Fact("civil_servant", "int", "anggota ASN/TNI/Polri/BUMN", "civil-servant members"),
    Fact("head_age", "int", "usia kepala keluarga", "age of the head of family"),
    Fact("ppks", "set", "kategori PPKS/kesejahteraan", "PPKS/welfare categories"),
    Fact("flags", "set", "tanda kualitas data yang terbuka", "open data-quality flags"),
    Fact("programmes", "set", "program yang sedang diterima", "programmes currently received"),
)}

# "programme.<participation code>" tests whether the family currently receives that programme (the frozen
# version's participation list): the exclusivity matrix is the set of these clauses across releases.
PROGRAMME_FIELD = "programme."

OPS = {
    "lte": ("≤", "int"), "gte": ("≥", "int"), "eq": ("=", "int"), "between": ("antara / between", "int"),
    "is_true": ("ya / yes", "bool"), "is_false": ("tidak / no", "bool"),
    "any_of": ("salah satu dari / any of", "set"), "none_of": ("tidak satu pun dari / none of", "set"),
}


def fact_of(field: str) -> Fact | None:
    if field.startswith(PROGRAMME_FIELD) and len(field) > len(PROGRAMME_FIELD):
        code = field[len(PROGRAMME_FIELD):]
        return Fact(field, "bool", f"menerima program {code}", f"receives programme {code}")
    return FIELDS.get(field)


# ---- components ------------------------------------------------------------------------------------

# Who qualifies, from the frozen member facts (registry codes, FACTS §3.3/§4):
#   pregnant          pregnant == true
#   age               age_min ≤ age ≤ age_max (whole years on the list's reference date)
#   school_sd/smp/sma attending school (participation 2) at that level, age within age_min–age_max
#   severe_disability any functional difficulty "cannot at all" (1) or "a lot" (2)
COMPONENT_KINDS = {
    "pregnant": ("ibu hamil/nifas", "pregnant or postpartum"),
    "age": ("rentang usia", "age range"),
    "school_sd": ("anak SD/sederajat", "primary-school child"),
    "school_smp": ("anak SMP/sederajat", "junior-secondary child"),
    "school_sma": ("anak SMA/sederajat", "senior-secondary child"),
    "severe_disability": ("disabilitas berat", "severe disability"),
}
SENSITIVE_COMPONENT_KINDS = frozenset({"pregnant", "severe_disability"})

# Education codes (registry.choices.Education) per school level.
SCHOOL_LEVELS = {"school_sd": (1, 2, 3), "school_smp": (4, 5, 6), "school_sma": (7, 8, 9, 10)}
