"""Readable per-field evidence of a probable pair, in Indonesian and English."""

from __future__ import annotations


def evidence(row: dict) -> list[dict]:
    """Readable per-field evidence for one pair, in Indonesian and English."""
    items: list[dict] = []
    sim = float(row.get("name_similarity") or 0.0)
    if row.get("name_key_l") and row.get("name_key_l") == row.get("name_key_r"):
        items.append({"field": "name", "similarity": 1.0, "level": "equal", "text_id": "nama sama",
                      "text_en": "name equal"})
    else:
        items.append({"field": "name", "similarity": round(sim, 2),
                      "text_id": f"nama {sim:.2f} mirip", "text_en": f"name {sim:.2f} similar"})
    nik_l, nik_r = row.get("nik_l"), row.get("nik_r")
    if not nik_l or not nik_r:
        items.append({"field": "nik", "level": "missing", "text_id": "NIK kosong di salah satu",
                      "text_en": "NIK missing on one side"})
    elif nik_l == nik_r:
        items.append({"field": "nik", "level": "equal", "text_id": "NIK sama", "text_en": "NIK equal"})
    elif sum(a != b for a, b in zip(nik_l, nik_r, strict=False)) == 1:
        items.append({"field": "nik", "level": "one_digit", "text_id": "NIK beda satu angka",
                      "text_en": "NIK one digit apart"})
    else:
        items.append({"field": "nik", "level": "different", "text_id": "NIK berbeda", "text_en": "NIK differs"})
    if row.get("birth_date_l") == row.get("birth_date_r"):
        items.append({"field": "birth_date", "level": "equal", "text_id": "tanggal lahir sama",
                      "text_en": "birth date equal"})
    elif row.get("birth_date_l") == row.get("bd_swapped_r"):
        items.append({"field": "birth_date", "level": "swapped", "text_id": "tanggal dan bulan lahir tertukar",
                      "text_en": "birth day and month swapped"})
    elif row.get("birth_date_l") and row.get("birth_date_r") and \
            int(row["birth_date_l"]) // 10000 == int(row["birth_date_r"]) // 10000:
        items.append({"field": "birth_date", "level": "same_year", "text_id": "tahun lahir sama",
                      "text_en": "same birth year"})
    else:
        items.append({"field": "birth_date", "level": "different", "text_id": "tanggal lahir berbeda",
                      "text_en": "birth date differs"})
    if row.get("sex_l") != row.get("sex_r"):
        items.append({"field": "sex", "level": "different", "text_id": "jenis kelamin berbeda",
                      "text_en": "sex differs"})
    if row.get("village_l") == row.get("village_r"):
        items.append({"field": "village", "level": "equal", "text_id": "desa sama", "text_en": "same desa"})
    elif row.get("kecamatan_l") == row.get("kecamatan_r"):
        items.append({"field": "village", "level": "kecamatan", "text_id": "kecamatan sama",
                      "text_en": "same kecamatan"})
    else:
        items.append({"field": "village", "level": "different", "text_id": "wilayah berbeda",
                      "text_en": "different area"})
    household = int(row.get("household") or 0)
    if household:
        items.append({"field": "household", "level": str(household),
                      "text_id": f"{household} anggota keluarga lain juga sama",
                      "text_en": f"{household} other family member(s) also match"})
    return items


def evidence_text(items: list[dict], language: str = "en") -> str:
    key = "text_en" if language.startswith("en") else "text_id"
    return ", ".join(item[key] for item in items)
