"""Every model has a place in the Citus plan (`tepat.ops.citus_plan`, docs/SCALING.md), and the plan fits
the rules Citus enforces: distributed tables carry the district code (read from a region field, directly or
through their foreign keys), their unique keys include it or the plan says how they stay unique, they refer
only to reference tables or to co-located distributed tables (a key that may cross districts is named, with
what replaces it), and reference and coordinator-local tables never refer to distributed ones."""

from __future__ import annotations

import pytest
from django.apps import apps
from django.db import models

from tepat.ops.citus_plan import DISTRIBUTION_COLUMN, PLAN


def _models() -> dict[str, type[models.Model]]:
    return {model._meta.label: model for model in apps.get_models()}


def _unique_keys(model: type[models.Model]) -> set[str]:
    """The unique keys other than the primary key, named "field" or "a+b"."""
    meta = model._meta
    keys = {f.name for f in meta.concrete_fields if f.unique and not f.primary_key}
    keys |= {
        "+".join(c.fields) for c in meta.constraints if isinstance(c, models.UniqueConstraint) and c.fields
    }
    keys |= {"+".join(fields) for fields in meta.unique_together}
    return keys


def _foreign_keys(model: type[models.Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.is_relation and f.related_model is not None]


def _resolve(model: type[models.Model], path: str) -> models.Field:
    current, parts = model, path.split("__")
    for part in parts[:-1]:
        relation = current._meta.get_field(part)
        assert relation.is_relation, f"{model._meta.label}: {part} in {path} is not a foreign key"
        current = relation.related_model
    return current._meta.get_field(parts[-1])


def test_every_model_is_placed_and_no_entry_is_stale():
    labels = set(_models())
    assert sorted(labels - set(PLAN)) == [], "models without a place in tepat/ops/citus_plan.py"
    assert sorted(set(PLAN) - labels) == [], "plan entries for models that do not exist"
    assert {p.kind for p in PLAN.values()} <= {"distributed", "reference", "local"}


@pytest.mark.parametrize("label", sorted(k for k, p in PLAN.items() if p.kind == "distributed"))
def test_distributed_table_carries_the_district_code_in_its_keys(label):
    model, placement = _models()[label], PLAN[label]
    end = _resolve(model, placement.source)
    assert "region" in end.name, f"{label}: {placement.source} does not end at a region field"
    assert end.model._meta.label == label or "__" in placement.source

    lacking = {key for key in _unique_keys(model) if DISTRIBUTION_COLUMN not in key.split("+")}
    declared = set(placement.prepend) | set(placement.global_unique)
    assert lacking == declared, (
        f"{label}: unique keys {sorted(lacking)} must each be listed in prepend "
        f"(made per district) or global_unique (kept national, saying how); "
        f"declared {sorted(declared)}"
    )
    assert not set(placement.prepend) & set(placement.global_unique)
    assert all(reason.strip() for reason in placement.global_unique.values())


@pytest.mark.parametrize("label", sorted(PLAN))
def test_foreign_keys_fit_the_placement(label):
    model, placement = _models()[label], PLAN[label]
    fks = {f.name: PLAN[f.related_model._meta.label] for f in _foreign_keys(model)}
    if placement.kind != "distributed":
        assert not (placement.source or placement.prepend or placement.global_unique or placement.cross)
        wrong = sorted(name for name, target in fks.items() if target.kind == "distributed")
        assert not wrong, f"{label} ({placement.kind}) refers to distributed tables: {wrong}"
        if placement.kind == "reference":
            to_local = sorted(name for name, target in fks.items() if target.kind == "local")
            assert not to_local, f"reference table {label} refers to coordinator-local tables: {to_local}"
        return
    to_local = sorted(name for name, target in fks.items() if target.kind == "local")
    assert not to_local, f"distributed table {label} refers to coordinator-local tables: {to_local}"
    for name, reason in placement.cross.items():
        assert name in fks and fks[name].kind == "distributed", (
            f"{label}.{name}: not a key to a distributed table"
        )
        assert reason.strip()


def test_the_distribution_path_of_each_table_is_the_one_of_what_it_refers_to():
    """A table distributed through a foreign key (`family__region`) reads the district of a row every node
    has (a distributed row it is co-located with, or a reference row such as the warehouse), never of a
    coordinator-local one."""
    for label, placement in PLAN.items():
        if placement.kind != "distributed" or "__" not in placement.source:
            continue
        first = _models()[label]._meta.get_field(placement.source.split("__")[0])
        assert PLAN[first.related_model._meta.label].kind != "local", (label, placement.source)
