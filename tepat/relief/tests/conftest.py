"""Relief test fixtures: the item catalogue (seeded by migration 0003) is put back for every test, since a
transactional test's flush (the concurrency and browser tests) empties it for whatever runs after."""

from __future__ import annotations

import importlib

import pytest


@pytest.fixture(autouse=True)
def relief_catalogue(request):
    if request.node.get_closest_marker("django_db") is None and "db" not in request.fixturenames:
        return
    request.getfixturevalue("_django_db_helper")
    from django.apps import apps

    from tepat.relief.models import ReliefItem

    if not ReliefItem.objects.exists():
        importlib.import_module("tepat.relief.migrations.0003_relief_items").forwards(apps, None)
