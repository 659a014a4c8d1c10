"""Concurrent issues from one stock (PostgreSQL, real transactions in threads): the balance rows are locked,
so the issues run one after another, exactly as many succeed as the stock covers, the rest are refused, and
the balance never goes below zero."""

from __future__ import annotations

import threading

import pytest
from django.db import connection, connections

from tepat.core.exceptions import BusinessRuleViolation
from tepat.relief.models import StockBalance, StockMovement
from tepat.relief.services.stock import stock_issue
from tepat.relief.tests.factories import day, flood, household, receive, warehouse

pytestmark = pytest.mark.django_db(transaction=True)
THREADS = 8


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="SQLite has no row locks to race on")
def test_concurrent_issues_never_take_more_than_the_balance(regions, dinsos_operator):
    if connection.vendor != "postgresql":
        pytest.skip("PostgreSQL only")
    import importlib

    from django.apps import apps

    # a transactional test's flush removes the catalogue migration 0003 seeded: put it back
    importlib.import_module("tepat.relief.migrations.0003_relief_items").forwards(apps, None)
    op = dinsos_operator
    event = flood(op)
    households = [household(op, event, head_name=f"KK {i}", persons=[{"name": f"KK {i}"}] * 3)
                  for i in range(THREADS)]
    wh = warehouse(op)
    receive(op, wh, 3, code="family-kit", expires_on=day(10), lot_code="C-1")
    receive(op, wh, 4, code="family-kit", expires_on=day(20), lot_code="C-2")  # 7 in all; 8 × 1 wanted
    barrier = threading.Barrier(THREADS)
    outcomes: list[str] = []
    lock = threading.Lock()

    def issue(hh):
        try:
            barrier.wait(timeout=30)
            stock_issue(actor=op, warehouse=wh, item="family-kit", quantity=1, event=event, household=hh)
            result = "ok"
        except BusinessRuleViolation as exc:
            result = f"refused:{exc.extra['balance']}"
        except Exception as exc:  # reported in the assertion below
            result = f"error:{exc!r}"
        finally:
            connections.close_all()
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=issue, args=(hh,)) for hh in households]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert sorted(outcomes) == ["ok"] * 7 + ["refused:0"], outcomes
    assert list(StockBalance.objects.filter(warehouse=wh).order_by("lot__code").values_list("quantity", flat=True)) \
        == [0, 0]
    issued = StockMovement.objects.filter(warehouse=wh, kind="issue")
    assert issued.count() == 7 and sum(issued.values_list("quantity", flat=True)) == -7
    assert min(issued.values_list("balance_after", flat=True)) == 0
    # FIFO held under contention: the earlier-expiring lot was emptied first
    first_three = [m.lot.code for m in issued.order_by("seq").select_related("lot")[:3]]
    assert first_three == ["C-1"] * 3
