"""Typo-tolerant name search behind one small interface.

PostgreSQL: pg_trgm word similarity on the indexed name key (GIN index, see migration).
Elsewhere (SQLite): RapidFuzz over the name keys of the rows already narrowed to the actor's scope.
Both take the same scoped queryset and return individual ids, best match first.
"""

from __future__ import annotations

from django.db import connection
from django.db.models import QuerySet
from rapidfuzz import fuzz, process

from tepat.registry.identity import name_key
from tepat.registry.models import Individual

# `%>` (trigram_word_similar) uses pg_trgm.word_similarity_threshold, 0.6 by default; the explicit
# filter below keeps the two in step if the server setting is lowered.
PG_THRESHOLD = 0.6
FALLBACK_CUTOFF = 82


def uses_trigram_index() -> bool:
    return connection.vendor == "postgresql"


def name_match_ids(individuals: QuerySet[Individual], query: str, *, limit: int = 500) -> list:
    key = name_key(query)
    if not key:
        return []
    if uses_trigram_index():
        return _trigram_ids(individuals, key, limit)
    return _fuzzy_ids(individuals, key, limit)


def _trigram_ids(individuals: QuerySet[Individual], key: str, limit: int) -> list:
    from django.contrib.postgres.search import TrigramWordSimilarity

    rows = (
        individuals.filter(name_key__trigram_word_similar=key)
        .annotate(similarity=TrigramWordSimilarity(key, "name_key"))
        .filter(similarity__gte=PG_THRESHOLD)
        .order_by("-similarity", "name_key")
        .values_list("id", flat=True)[:limit]
    )
    return list(rows)


def _fuzzy_ids(individuals: QuerySet[Individual], key: str, limit: int) -> list:
    choices = dict(individuals.values_list("id", "name_key").iterator(chunk_size=20000))
    matches = process.extract(key, choices, scorer=fuzz.WRatio, score_cutoff=FALLBACK_CUTOFF, limit=limit)
    return [match_id for _name, _score, match_id in matches]
