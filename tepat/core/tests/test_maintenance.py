import pytest
from django.db import connection

from tepat.core.maintenance import analyze_app_tables


@pytest.mark.django_db
def test_analyze_registry_tables_on_postgresql_only():
    tables = analyze_app_tables("registry")
    if connection.vendor == "postgresql":
        assert "registry_individual" in tables and "registry_family" in tables
    else:
        assert tables == []
