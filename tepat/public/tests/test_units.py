"""No database: the public name mask, tracking codes, the suppression rule, the proof-of-work format."""

from __future__ import annotations

import re

from tepat.public import suppression
from tepat.public.challenge import challenge_solve
from tepat.public.services import tracking_code_clean, tracking_code_new
from tepat.registry.masking import public_name


def test_public_name_never_whole():
    assert public_name("Ahmad Suryana Putra") == "Ahmad S. P."
    assert public_name("Sumarni") == "Su•••"
    assert public_name("  ") == "•••"


def test_tracking_codes_are_random_and_human_friendly():
    codes = {tracking_code_new() for _ in range(500)}
    assert len(codes) == 500
    assert all(re.fullmatch(r"[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}-[2-9A-HJKMNP-Z]{4}", c) for c in codes)
    code = codes.pop()
    assert tracking_code_clean(code.lower().replace("-", " ")) == code
    assert tracking_code_clean("ABC") == ""


def test_suppression(settings):
    settings.TEPAT_PUBLIC_SUPPRESS_BELOW = 5
    assert [suppression.cell(n) for n in (0, 1, 4, 5, 1234)] == ["0", "< 5", "< 5", "5", "1.234"]
    assert suppression.amount(3, 900_000) == "–" and suppression.amount(7, 900_000) == "Rp 900.000"


def test_solver_format_matches_the_server(settings):
    import altcha

    from tepat.public.challenge import challenge_new

    settings.TEPAT_PUBLIC_POW_MAX_NUMBER = 200
    ok, error = altcha.verify_solution_v1(challenge_solve(challenge_new()), settings.SECRET_KEY)
    assert ok, error
