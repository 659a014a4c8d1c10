"""The compact trace (two columns per entry instead of a row per family and clause), the columnar reads and
the set-based review items change no output: every entry, trace, count and review item of the test world
equals what the previous code wrote. The golden file was written by the code before this change
(`main` at 14201cc, `ListTrace` rows) on the same `world` fixture; ranks are left out (ties are broken by
the random family ids)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from tepat.programs.models import ListEntry
from tepat.programs.services.lists import list_determine

pytestmark = pytest.mark.django_db

GOLDEN = json.loads((Path(__file__).parent / "data" / "golden_lists_before_compact_trace.json").read_text())
NAMES = ["f_preg3", "f_kids3", "f_old2", "f_five", "f_rich", "f_nodesil", "f_adults", "f_other"]


def test_outputs_equal_the_code_before(world):
    runs = [("PKH1", world.pkh, 1), ("PKH2", world.pkh, 2), ("SEMBAKO1", world.sembako, 1), ("PBI3", world.pbi, 3)]
    for label, release, tahap in runs:
        blist = list_determine(actor=world.op, release=release, period=world.period, tahap=tahap)
        rows = {}
        for name in NAMES:
            e = ListEntry.objects.filter(list=blist, family_id=getattr(world, name).pk).first()
            if e is None:
                continue
            rows[name] = {"status": e.status, "eligible": e.eligible, "desil": e.desil, "persons": e.persons,
                          "annual": e.annual_amount, "tahap": e.tahap_amount, "reasons": e.reasons,
                          "change": e.change, "receiving": e.receiving, "components": e.components,
                          "trace": [list(t) for t in e.trace]}
        counts = {k: v for k, v in blist.counts.items() if k not in ("timings", "traces")}
        review = sorted(blist.review_items.values_list("kind", flat=True))
        expected = GOLDEN[label]
        assert rows == expected["rows"], label
        assert counts == expected["counts"], label
        assert review == expected["review"], label
        assert blist.counts["traces"] == sum(len(r["trace"]) for r in expected["rows"].values())


def test_trace_frame_gives_the_long_form_back():
    import polars as pl

    from tepat.programs.engine.evaluate import SEEN_SEP, trace_frame

    entries = pl.DataFrame({"idx": [0, 1, 2], "clause_passed": ["101", "", "01"],
                            "clause_seen": [f"3{SEEN_SEP}ya{SEEN_SEP}", "", f"a,b{SEEN_SEP}7"]},
                           schema={"idx": pl.UInt32, "clause_passed": pl.Utf8, "clause_seen": pl.Utf8})
    assert trace_frame(entries).rows() == [(0, 0, True, "3"), (0, 1, False, "ya"), (0, 2, True, ""),
                                           (2, 0, False, "a,b"), (2, 1, True, "7")]
