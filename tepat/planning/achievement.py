"""Achievement (capaian) by indicator type, with n/a and its reason instead of a division error.

- flow: quarters add up; achievement = realisation / target.
- stock and percentage: the latest reported quarter is the year's figure; achievement = realisation / target.
- inverse (lower is better): achievement = (2 × target − realisation) / target, never below 0 (the usual
  formula for negative indicators in the Permendagri 86/2017 evaluation); a zero target of an inverse
  indicator is met by a zero realisation only, so it is n/a as well.
- cumulative against the five-year (Renstra) target: flow indicators add the years; stock and percentage take
  the latest year.

Every result carries a reason when there is no figure: an empty target, a zero target, no realisation.
Predicates come from the PredicateBand rows (Permendagri 86/2017: ≥ 91 very high, 76–90 high, 66–75 medium,
51–65 low, ≤ 50 very low), configurable.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

FLOW, STOCK, PERCENTAGE, INVERSE = "flow", "stock", "percentage", "inverse"
TYPES = (FLOW, STOCK, PERCENTAGE, INVERSE)

REASON_NO_TARGET = ("target kosong", "no target")
REASON_ZERO_TARGET = ("target nol", "target is zero")
REASON_NO_REALISATION = ("belum ada realisasi", "no realisation reported")

DEFAULT_BANDS: tuple[tuple[Decimal, str, str], ...] = (
    (Decimal(91), "Sangat tinggi", "Very high"),
    (Decimal(76), "Tinggi", "High"),
    (Decimal(66), "Sedang", "Medium"),
    (Decimal(51), "Rendah", "Low"),
    (Decimal(0), "Sangat rendah", "Very low"),
)


@dataclass(frozen=True, slots=True)
class Achievement:
    percent: Decimal | None
    reason: tuple[str, str] | None = None  # (Indonesian, English) when percent is None

    @property
    def available(self) -> bool:
        return self.percent is not None

    def display(self, places: int = 2) -> str:
        if self.percent is None:
            return f"n/a ({self.reason[0]} / {self.reason[1]})" if self.reason else "n/a"
        return format_percent(self.percent, places)


def to_decimal(value: object) -> Decimal | None:
    if value is None or value == "":
        return None
    if isinstance(value, Decimal):
        return value
    if isinstance(value, (int, float)):
        return Decimal(str(value))
    text = str(value).strip()
    if not text:
        return None
    return Decimal(text)


def format_percent(value: Decimal, places: int = 2) -> str:
    q = Decimal(1).scaleb(-places)
    text = f"{value.quantize(q, rounding=ROUND_HALF_UP):f}"
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text.replace(".", ",")


def aggregate(indicator_type: str, quarters: Sequence[object | None]) -> Decimal | None:
    """The year's realisation from the quarters' figures (None where nothing was reported)."""
    values = [to_decimal(v) for v in quarters]
    reported = [v for v in values if v is not None]
    if not reported:
        return None
    if indicator_type == FLOW:
        return sum(reported, Decimal(0))
    if indicator_type in (STOCK, PERCENTAGE, INVERSE):
        return next(v for v in reversed(values) if v is not None)
    raise ValueError(f"unknown indicator type {indicator_type!r}")


def achievement(indicator_type: str, target: object, realisation: object) -> Achievement:
    if indicator_type not in TYPES:
        raise ValueError(f"unknown indicator type {indicator_type!r}")
    t = to_decimal(target)
    r = to_decimal(realisation)
    if t is None:
        return Achievement(None, REASON_NO_TARGET)
    if t == 0:
        return Achievement(None, REASON_ZERO_TARGET)
    if r is None:
        return Achievement(None, REASON_NO_REALISATION)
    if indicator_type == INVERSE:
        return Achievement(max(Decimal(0), (2 * t - r) / t * 100))
    return Achievement(r / t * 100)


def cumulative(indicator_type: str, yearly: Iterable[object | None]) -> Decimal | None:
    """Realisation over the Renstra years so far (flow: the sum; others: the latest year)."""
    return aggregate(indicator_type, list(yearly))


def predicate(percent: Decimal | None, bands: Sequence[tuple[Decimal, str, str]] = DEFAULT_BANDS
              ) -> tuple[str, str] | None:
    """The (Indonesian, English) predicate for an achievement; None for n/a."""
    if percent is None:
        return None
    for minimum, label_id, label_en in sorted(bands, key=lambda b: b[0], reverse=True):
        if percent >= minimum:
            return label_id, label_en
    return None


def bands_from_db() -> tuple[tuple[Decimal, str, str], ...]:
    from tepat.planning.models import PredicateBand

    rows = tuple((b.minimum, b.label_id, b.label_en) for b in PredicateBand.objects.all())
    return rows or DEFAULT_BANDS
