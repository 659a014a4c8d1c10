"""`commit_without_flush_wait` (ADR 0033): only inside a transaction, only that transaction."""

import pytest
from django.db import connection, transaction

from tepat.core.db import commit_without_flush_wait

pytestmark = pytest.mark.django_db(transaction=True)  # no test-wide transaction around ours


def _synchronous_commit() -> str:
    with connection.cursor() as cursor:
        cursor.execute("SHOW synchronous_commit")
        return cursor.fetchone()[0]


def test_refused_outside_a_transaction():
    with pytest.raises(RuntimeError):
        commit_without_flush_wait()


@pytest.mark.skipif(connection.vendor != "postgresql", reason="a PostgreSQL setting; nothing to do on SQLite")
def test_applies_to_its_own_transaction_only():
    before = _synchronous_commit()
    with transaction.atomic():
        commit_without_flush_wait()
        assert _synchronous_commit() == "off"
    assert _synchronous_commit() == before
