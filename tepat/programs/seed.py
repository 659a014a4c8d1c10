"""The national programmes and their current amounts, as drafts for one regency and year
(`tepat seed-programmes`). Figures and sources from docs: FACTS.md §3.2 (desil per programme) and §4.

- PKH per member per year (2021–2025 unchanged; Okezone 2021-01-12, Tribunnews 2022-01-10 & 2022-02-27 citing
  Kemensos, Tempo 2025-01): pregnant/postpartum Rp3,000,000; early childhood 0–6 Rp3,000,000; SD Rp900,000;
  SMP Rp1,500,000; SMA Rp2,000,000; severe disability Rp2,400,000; elderly ≥ 70 Rp2,400,000. Caps
  (Tribunnews 2022-02-27): 2 pregnancies, 2 early-childhood children, 1 elderly, 1 disability. Max 4
  components per family: widely cited, UNVERIFIED (so it is data, editable per release). Four tahap of ¼.
- Sembako/BPNT Rp200,000 per family per month since 2020 (kalbarsatu.id citing Kemensos; zonabanten
  2020-10-23), paid in 3-month tranches (palpres 2024, tranche size UNVERIFIED).
- PBI-JK Rp42,000 per person per month, kelas III (Perpres 64/2020; pikiran-rakyat 2020-05-15).
- BLT Kesra 2025 Rp900,000 one-off for Oct–Dec (okezone 2025-11-26, 2025-12-04), desil 1–4.
- Desil: PKH 1–4, Sembako 1–5, PBI-JK 1–5 (bodaskarangjati.desa.id 2025-06-23, secondary; confirm against the
  current Kepmensos).
"""

from __future__ import annotations

from typing import Any

from django.db import transaction

from tepat.audit.services import audit_record
from tepat.programs.models import Programme, ProgrammeRelease
from tepat.programs.services.releases import release_create

QUARTERS = [{"tahap": 1, "label": "Jan–Mar", "share_bp": 2500}, {"tahap": 2, "label": "Apr–Jun", "share_bp": 2500},
            {"tahap": 3, "label": "Jul–Sep", "share_bp": 2500}, {"tahap": 4, "label": "Okt–Des", "share_bp": 2500}]
TRANCHES = [{"tahap": 1, "label": "Jan–Mar", "months": 3}, {"tahap": 2, "label": "Apr–Jun", "months": 3},
            {"tahap": 3, "label": "Jul–Sep", "months": 3}, {"tahap": 4, "label": "Okt–Des", "months": 3}]
SCHOOL_AGES = {"age_min": 6, "age_max": 21}


def _common_rules(desil_max: int) -> list[dict]:
    return [
        {"field": "desil", "op": "lte", "value": desil_max, "reason": "DESIL_ABOVE_LIMIT"},
        {"field": "members", "op": "gte", "value": 1, "reason": "NO_ACTIVE_MEMBER"},
        {"field": "civil_servant", "op": "lte", "value": 0, "reason": "CIVIL_SERVANT"},
        {"field": "flags", "op": "none_of", "value": ["on_list"], "reason": "ON_EXCLUSION_LIST"},
        {"field": "flags", "op": "none_of", "value": ["died"], "reason": "MEMBER_DIED_UNRESOLVED"},
        {"field": "flags", "op": "none_of", "value": ["duplicate_family"], "reason": "DUPLICATE_RECORD"},
    ]


NATIONAL: list[dict[str, Any]] = [
    {"code": "PKH", "name": "Program Keluarga Harapan", "kind": "pkh", "funding": "apbn", "participation": "pkh",
     "release": {
         "basis": "components", "max_components": 4, "component_priority": "amount", "schedule": QUARTERS,
         "source": "FACTS.md §4: Okezone 2021-01-12; Tribunnews 2022-01-10, 2022-02-27 (Kemensos); Tempo 2025-01. "
                   "Max 4 components UNVERIFIED.",
         "components": [
             {"code": "pregnant", "kind": "pregnant", "annual_amount": 3_000_000, "cap_per_family": 2, "order": 1},
             {"code": "early_childhood", "kind": "age", "age_min": 0, "age_max": 6, "annual_amount": 3_000_000,
              "cap_per_family": 2, "order": 2},
             {"code": "sd", "kind": "school_sd", **SCHOOL_AGES, "annual_amount": 900_000, "order": 3},
             {"code": "smp", "kind": "school_smp", **SCHOOL_AGES, "annual_amount": 1_500_000, "order": 4},
             {"code": "sma", "kind": "school_sma", **SCHOOL_AGES, "annual_amount": 2_000_000, "order": 5},
             {"code": "disability", "kind": "severe_disability", "annual_amount": 2_400_000, "cap_per_family": 1,
              "order": 6},
             {"code": "elderly", "kind": "age", "age_min": 70, "annual_amount": 2_400_000, "cap_per_family": 1,
              "order": 7},
         ],
         "rules": [*_common_rules(4), {"field": "components", "op": "gte", "value": 1, "reason": "NO_COMPONENT"}],
     }},
    {"code": "SEMBAKO", "name": "Program Sembako (BPNT)", "kind": "sembako", "funding": "apbn",
     "participation": "bpnt",
     "release": {"basis": "family_month", "amount": 200_000, "months": 12, "schedule": TRANCHES,
                 "source": "FACTS.md §4: kalbarsatu.id (Kemensos); zonabanten 2020-10-23; tranches palpres 2024.",
                 "rules": _common_rules(5)}},
    {"code": "PBI_JK", "name": "PBI Jaminan Kesehatan", "kind": "pbi_jk", "funding": "apbn", "participation": "pbi_jk",
     "release": {"basis": "person_month", "amount": 42_000, "months": 12,
                 "schedule": [{"tahap": m, "label": f"{m:02d}", "months": 1} for m in range(1, 13)],
                 "source": "FACTS.md §4: Perpres 64/2020; pikiran-rakyat 2020-05-15 (Kemenkeu).",
                 "rules": _common_rules(5)}},
    {"code": "BLT_KESRA", "name": "BLT Kesejahteraan Rakyat", "kind": "blt", "funding": "apbn", "participation": "",
     "release": {"basis": "one_off", "amount": 900_000, "months": 3,
                 "schedule": [{"tahap": 1, "label": "Okt–Des", "share_bp": 10_000}],
                 "source": "FACTS.md §4: okezone 2025-11-26, 2025-12-04.",
                 "rules": _common_rules(4)}},
]


@transaction.atomic
def programmes_seed(*, actor: Any, region_code: str, year: int) -> list[ProgrammeRelease]:
    """Create the national programmes (if missing) and a draft year for `region_code` of each that has none
    for `year`. Idempotent: rerunning leaves existing programmes and years alone."""
    made: list[ProgrammeRelease] = []
    for item in NATIONAL:
        programme, _ = Programme.objects.get_or_create(
            code=item["code"], defaults={"name": item["name"], "kind": item["kind"], "funding": item["funding"],
                                         "participation_code": item["participation"]})
        if ProgrammeRelease.objects.filter(programme=programme, region_id=region_code, year=year).exists():
            continue
        made.append(release_create(actor=actor, programme=programme, region_code=region_code, year=year,
                                   data=dict(item["release"])))
    audit_record(actor=actor, action="programmes.seed", region_code=region_code,
                 data={"year": year, "created": [f"{r.programme.code} v{r.version}" for r in made]})
    return made
