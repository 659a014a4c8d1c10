"""/healthz: no login, the same answer for everyone, no personal data; 200 only when the database answers,
every migration is applied and a worker beat recently; 503 JSON otherwise."""

from datetime import timedelta
from unittest import mock

import pytest
from django.test import Client
from django.utils import timezone

from conftest import client_for
from tepat.ops.health import HeartbeatThread
from tepat.ops.models import WorkerHeartbeat

pytestmark = pytest.mark.django_db

# Public by design (monitoring): anonymous, every role and every region get the same answer, no personal data.
MATRIX_ROUTES = {"page ops:healthz"}


def _beat(seconds_ago: float = 0) -> None:
    moment = timezone.now() - timedelta(seconds=seconds_ago)
    WorkerHeartbeat.objects.update_or_create(worker_id="w1", defaults={
        "hostname": "h", "pid": 1, "started_at": moment, "last_seen": moment})


def test_healthy_when_a_worker_beat_recently():
    _beat(5)
    response = Client().get("/healthz")
    assert response.status_code == 200
    body = response.json()
    assert body["status"] == "ok"
    assert body["checks"]["database"]["ok"] and body["checks"]["migrations"] == {"ok": True, "unapplied": 0}
    assert body["checks"]["worker"]["ok"] and body["checks"]["worker"]["last_seen_seconds_ago"] >= 5
    assert response["Cache-Control"].startswith("max-age=0")


def test_no_worker_is_503():
    response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["worker"] == {"ok": False, "last_seen_seconds_ago": None,
                                                   "stale_after_seconds": 60, "oldest_waiting_task_seconds": 0}


def test_stale_worker_is_503(settings):
    settings.TEPAT_WORKER_STALE_SECONDS = 30
    _beat(31)
    assert Client().get("/healthz").status_code == 503


def test_unapplied_migration_is_503():
    _beat()
    with mock.patch("tepat.ops.health.unapplied_migrations", return_value=["registry.0099_new"]):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["migrations"] == {"ok": False, "unapplied": 1}


def test_database_down_is_503():
    with mock.patch("django.db.backends.base.base.BaseDatabaseWrapper.cursor", side_effect=RuntimeError("down")):
        response = Client().get("/healthz")
    assert response.status_code == 503
    assert response.json()["checks"]["database"] == {"ok": False, "error": "RuntimeError"}


def test_same_answer_for_every_role_and_no_personal_data(dinsos_operator):
    _beat()
    anonymous = Client().get("/healthz")
    signed_in = client_for(dinsos_operator).get("/healthz")
    assert anonymous.status_code == signed_in.status_code == 200
    assert anonymous.json()["checks"].keys() == signed_in.json()["checks"].keys()
    text = anonymous.content.decode()
    for leak in ("nik", "kk_number", "name", "username", "hostname", "pid"):
        assert leak not in text.lower()


def test_only_get():
    assert Client().post("/healthz").status_code == 405


def test_heartbeat_thread_beats_and_removes_its_row():
    thread = HeartbeatThread("test-worker")
    thread.beat()
    row = WorkerHeartbeat.objects.get(worker_id="test-worker")
    assert (timezone.now() - row.last_seen).total_seconds() < 5
    thread.stop_event.set()
    thread.stop()
    assert not WorkerHeartbeat.objects.filter(worker_id="test-worker").exists()
