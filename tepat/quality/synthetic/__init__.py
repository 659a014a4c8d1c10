"""A second synthetic population, written independently of `tepat.registry.demo` (nothing imported from it or
copied): other name sources and naming customs, Zipf-like name frequencies, twins, namesakes, heaped "unknown"
birth dates, households, and second listings injected the way they happen (a household listed again after a
move, a person kept in the parents' family and listed in the new one) with typos, spelling variants, day and
month swapped, missing or mistyped NIKs. Ground truth: the `person` column (one value per real person).

`population(people=..., seed=...)` → `Population` (polars frames, no database). The duplicate benchmark and
the tests of `tepat.quality.matching.probable` use it beside the demo generator.
"""

from tepat.quality.synthetic.population import Population, population, truth_pairs

__all__ = ["Population", "population", "truth_pairs"]
