"""The matching engine: set-based comparisons on polars frames, no database access.

`names` (tolerant name keys and similarity), `exact` (exact duplicate kinds), `probable` (Fellegi–Sunter, ADR 0013),
`civil` (comparison with a civil-registry extract), `lists` (an external list against the registry).
Services read the registry into frames, call these, and store the results.
"""
