"""Achievement by indicator type, aggregation of quarters, n/a with its reason, predicate bands."""

from decimal import Decimal

import pytest

from tepat.planning.achievement import (
    REASON_NO_REALISATION,
    REASON_NO_TARGET,
    REASON_ZERO_TARGET,
    achievement,
    aggregate,
    cumulative,
    predicate,
)

D = Decimal


def test_flow_adds_the_quarters():
    assert aggregate("flow", [10, None, 5, 7]) == D(22)
    assert achievement("flow", 40, aggregate("flow", [10, None, 5, 7])).percent == D(55)


@pytest.mark.parametrize("kind", ["stock", "percentage"])
def test_stock_and_percentage_take_the_latest_reported_quarter(kind):
    assert aggregate(kind, [D("40"), D("55.5"), None, None]) == D("55.5")
    assert achievement(kind, 60, D("55.5")).percent == D("92.5")


def test_inverse_lower_is_better():
    # target 10 (e.g. % of complaints late), realised 8: better than the target
    assert achievement("inverse", 10, 8).percent == D(120)
    assert achievement("inverse", 10, 15).percent == D(50)
    assert achievement("inverse", 10, 30).percent == D(0)  # never below zero
    assert aggregate("inverse", [12, 9, None, None]) == D(9)


def test_empty_or_zero_target_is_na_with_its_reason_never_a_division_error():
    for kind in ("flow", "stock", "percentage", "inverse"):
        empty = achievement(kind, None, 5)
        zero = achievement(kind, 0, 5)
        assert empty.percent is None and empty.reason == REASON_NO_TARGET
        assert zero.percent is None and zero.reason == REASON_ZERO_TARGET
        assert "n/a" in empty.display() and "target kosong" in empty.display()
    none = achievement("flow", 10, None)
    assert none.reason == REASON_NO_REALISATION and not none.available


def test_no_quarter_reported_is_no_realisation():
    assert aggregate("flow", [None, None, None, None]) is None


def test_unknown_type_is_refused():
    with pytest.raises(ValueError):
        achievement("average", 1, 1)


def test_cumulative_against_the_five_year_target():
    # flow: the years add up (source 001, 1.06.01.2.01: 22 + 12 + 12 = 46 of 72 → 63,89 %)
    total = cumulative("flow", [22, 12, 12])
    assert total == D(46) and achievement("flow", 72, total).display() == "63,89"
    # percentage: the latest year (source 001, programme 1.06.04: 6,98 → 2,22 → 7,23 of 7,23 → 100 %)
    latest = cumulative("percentage", [D("6.98"), D("2.22"), D("7.23")])
    assert latest == D("7.23") and achievement("percentage", D("7.23"), latest).display() == "100"


def test_predicate_bands_default_and_configurable():
    assert predicate(D(95))[0] == "Sangat tinggi"
    assert predicate(D(91))[0] == "Sangat tinggi"
    assert predicate(D("90.99"))[0] == "Tinggi"
    assert predicate(D(70))[0] == "Sedang"
    assert predicate(D(55))[0] == "Rendah"
    assert predicate(D(10))[0] == "Sangat rendah"
    assert predicate(None) is None
    custom = ((D(100), "Tercapai", "Met"), (D(0), "Belum", "Not met"))
    assert predicate(D(99), custom) == ("Belum", "Not met")
    assert predicate(D(100), custom) == ("Tercapai", "Met")


@pytest.mark.django_db
def test_bands_are_seeded_from_permendagri_86():
    from tepat.planning.achievement import bands_from_db

    assert [b[0] for b in bands_from_db()] == [D(91), D(76), D(66), D(51), D(0)]
