"""The one region helper: every prefix match of region codes goes through it."""

from tepat.regions.selectors import ancestor_codes, common_region, is_within, is_within_any


def test_is_within_matches_the_region_and_what_lies_under_it_only():
    assert is_within("36.04.05.2001", "36.04")
    assert is_within("36.04", "36.04")
    assert not is_within("36.041.05", "36.04")  # a longer code with the same characters is elsewhere
    assert not is_within("36.04", "36.04.05")
    assert is_within_any("36.73.05.1001", ["36.04", "36.73"]) and not is_within_any("31.71", ["36"])


def test_ancestor_codes_and_common_region():
    assert ancestor_codes("36.04.05.2001") == ["36", "36.04", "36.04.05", "36.04.05.2001"]
    assert ancestor_codes("36.04.05", include_self=False) == ["36", "36.04"]
    assert common_region(["36.04.05.2001", "36.04.07.2003"]) == "36.04"
    assert common_region(["36.04.05.2001"]) == "36.04.05.2001"
    assert common_region(["36.04", "31.71"]) == "" and common_region([]) == ""
