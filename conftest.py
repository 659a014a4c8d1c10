"""Shared test fixtures: the region master (Banten and DKI Jakarta), actors per role and region,
and families made through the registry services.

Actor layout (all real Kemendagri codes):
  VILLAGE      36.04.05.2001 Kramatwatu (Kec. Kramatwatu, Kab. Serang)
  OTHER_VILLAGE 36.04.05.2002 Margasana (same kecamatan, another village)
  DISTRICT     36.04 Kabupaten Serang;  OTHER_DISTRICT 36.73 Kota Serang
"""

from __future__ import annotations

import itertools
from datetime import date

import pytest
from django.test import Client

from tepat.core.actors import SYSTEM
from tepat.regions.services import regions_load

TEST_PROVINCES = {"36", "31"}
VILLAGE = "36.04.05.2001"
OTHER_VILLAGE = "36.04.05.2002"
KECAMATAN = "36.04.05"
DISTRICT = "36.04"
OTHER_DISTRICT = "36.73"
OTHER_DISTRICT_VILLAGE = "36.73.05.1001"
PASSWORD = "rahasia-uji-123"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup, django_db_blocker):
    """Load the region master for the test provinces once per test database."""
    with django_db_blocker.unblock():
        _audit_truncate_triggers(enable=True)  # a reused database may hold them off from a last flush
        regions_load(actor=SYSTEM, provinces=TEST_PROVINCES)


@pytest.fixture(autouse=True)
def _empty_cache():
    """Django's default cache (the process's memory) holds short-lived copies of reads, e.g. the public
    region picker's options (ADR 0033): each test starts without what an earlier test's data left."""
    from django.core.cache import cache

    cache.clear()
    yield


@pytest.fixture(autouse=True)
def _restore_region_master(request, django_db_blocker):
    """A transactional test's flush empties every table, the session-loaded region master included;
    put it back so that tests running after it (pytest-django orders them last) still have it."""
    yield
    if {"transactional_db", "live_server"} & set(request.fixturenames):
        with django_db_blocker.unblock():
            regions_load(actor=SYSTEM, provinces=TEST_PROVINCES)


_AUDIT_TRUNCATE_TRIGGERS = (("audit_auditevent", "audit_event_no_truncate"),
                            ("audit_auditchainhead", "audit_head_no_truncate"))


def _audit_truncate_triggers(enable: bool) -> None:
    from django.db import connection

    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for table, trigger in _AUDIT_TRUNCATE_TRIGGERS:
            cursor.execute(f"ALTER TABLE {table} {'ENABLE' if enable else 'DISABLE'} TRIGGER {trigger}")


def _is_transactional(request) -> bool:
    marker = request.node.get_closest_marker("django_db")
    return bool({"transactional_db", "live_server"} & set(request.fixturenames)) or bool(
        marker and (marker.kwargs.get("transaction") or marker.kwargs.get("reset_sequences"))
    )


@pytest.fixture(autouse=True)
def _audit_truncate_allowed_for_flush(request, django_db_blocker):
    """PostgreSQL refuses TRUNCATE of the audit tables (tepat.audit migration 0004), and a transactional
    test's flush truncates every table: the trigger is on while the test runs and off just for the
    flush (this fixture depends on pytest-django's database helper, so it is torn down before it)."""
    if not _is_transactional(request):
        yield
        return
    request.getfixturevalue("_django_db_helper")
    with django_db_blocker.unblock():
        _audit_truncate_triggers(enable=True)
    yield
    with django_db_blocker.unblock():
        _audit_truncate_triggers(enable=False)


@pytest.fixture
def regions(db):
    """For transactional tests, whose flush removes the session-loaded regions: load them again."""
    regions_load(actor=SYSTEM, provinces=TEST_PROVINCES)


_serials = itertools.count(1)


def make_nik(*, region6: str = "360405", born: date = date(1985, 3, 14), sex: int = 1, serial: int | None = None) -> str:
    day = born.day + (40 if sex == 2 else 0)
    return f"{region6}{day:02d}{born.month:02d}{born.year % 100:02d}{(serial or next(_serials)) % 10000 or 1:04d}"


def make_kk(*, region6: str = "360405", issued: date = date(2015, 6, 2), serial: int | None = None) -> str:
    return f"{region6}{issued.day:02d}{issued.month:02d}{issued.year % 100:02d}{(serial or next(_serials)) % 10000 or 1:04d}"


def member_data(*, relation: int = 1, sex: int = 1, born: date = date(1985, 3, 14), name: str = "Ahmad Suryana",
                **extra) -> dict:
    data = {
        "nik": make_nik(born=born, sex=sex),
        "name": name,
        "sex": sex,
        "birth_place": "Serang",
        "birth_date": born,
        "relation": relation,
        "marital_status": 2,
    }
    data.update(extra)
    return data


@pytest.fixture
def make_user(db):
    from tepat.accounts.services import user_create

    counter = itertools.count(1)

    def _make(role: str, regions: list[str], username: str | None = None):
        return user_create(actor=SYSTEM, username=username or f"{role}{next(counter)}", password=PASSWORD,
                           role=role, region_codes=regions, full_name=f"Uji {role}")

    return _make


@pytest.fixture
def village_operator(make_user):
    return make_user("village_operator", [VILLAGE], "op_desa")


@pytest.fixture
def other_village_operator(make_user):
    return make_user("village_operator", [OTHER_VILLAGE], "op_desa_lain")


@pytest.fixture
def facilitator(make_user):
    return make_user("facilitator", [VILLAGE], "psm")


@pytest.fixture
def village_head(make_user):
    return make_user("village_head", [VILLAGE], "kades")


@pytest.fixture
def dinsos_operator(make_user):
    return make_user("dinsos_operator", [DISTRICT], "op_dinsos")


@pytest.fixture
def other_dinsos_operator(make_user):
    return make_user("dinsos_operator", [OTHER_DISTRICT], "op_dinsos_kota")


@pytest.fixture
def dinsos_supervisor(make_user):
    return make_user("dinsos_supervisor", [DISTRICT], "spv_dinsos")


@pytest.fixture
def province_viewer(make_user):
    return make_user("province_viewer", ["36"], "dinsos_prov")


@pytest.fixture
def auditor(make_user):
    return make_user("auditor", [DISTRICT], "auditor")


@pytest.fixture
def other_auditor(make_user):
    return make_user("auditor", [OTHER_DISTRICT], "auditor_kota")


@pytest.fixture
def administrator(make_user):
    return make_user("administrator", [DISTRICT], "admin")


@pytest.fixture
def unassigned_operator(make_user):
    return make_user("dinsos_operator", [], "tanpa_wilayah")


def assert_audited(action: str, *, actor, target=None, target_type: str = "", target_id: str = "",
                   region_code: str | None = None, after: int = 0, **data):
    """The audit event a write must leave: `action` by `actor` on `target` (a model instance, or
    `target_type` + `target_id`), recorded after event number `after`, whose data holds `data`.
    Returns the newest such event; fails naming what was recorded instead."""
    from tepat.audit.actions import AuditAction
    from tepat.audit.models import AuditEvent
    from tepat.core.actors import is_system

    AuditAction(action)  # a typo in the test is an error, not a pass
    events = AuditEvent.objects.filter(action=str(action), seq__gt=after)
    if target is not None:
        target_type, target_id = target._meta.label_lower, str(target.pk)
    if target_type:
        events = events.filter(target_type=target_type, target_id=str(target_id))
    if is_system(actor):
        events = events.filter(actor_id__isnull=True, actor_label=actor.get_username())
    else:
        events = events.filter(actor_id=actor.pk)
    if region_code is not None:
        events = events.filter(region_code=region_code)
    matching = [e for e in events.order_by("-seq") if all(e.data.get(k) == v for k, v in data.items())]
    if not matching:
        recorded = list(AuditEvent.objects.filter(seq__gt=after).order_by("-seq")
                        .values_list("action", "actor_label", "target_type", "target_id")[:10])
        raise AssertionError(f"no audit event {action} by {actor} on {target_type}:{target_id} {data or ''}; "
                             f"recorded: {recorded}")
    return matching[0]


def audit_seq() -> int:
    """The number of the last audit event (pass to `assert_audited(after=...)`)."""
    from tepat.audit.models import AuditEvent

    last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
    return last or 0


def assert_moved(proposal, name: str, *, actor, from_status: str | None = None, to_status: str | None = None):
    """A proposal's history row for transition `name`, by `actor`, and its audit event."""
    from tepat.updates.models import ProposalTransition

    rows = ProposalTransition.objects.filter(proposal_id=proposal.pk, name=name)
    if getattr(actor, "is_authenticated", False):
        rows = rows.filter(actor_id=actor.pk)
    else:
        rows = rows.filter(actor__isnull=True)
    if from_status is not None:
        rows = rows.filter(from_status=from_status)
    if to_status is not None:
        rows = rows.filter(to_status=to_status)
    row = rows.order_by("-occurred_at").first()
    assert row is not None, (f"no history row '{name}' by {actor} on proposal {proposal.pk}; has: "
                             f"{list(ProposalTransition.objects.filter(proposal_id=proposal.pk).values_list('name', flat=True))}")
    assert_audited(f"proposal.{name}", actor=actor, target=proposal, to=row.to_status)
    return row


def client_for(user) -> Client:
    client = Client()
    if user is not None:
        client.force_login(user)
    return client


@pytest.fixture
def family(dinsos_operator):
    """An active family in VILLAGE with a head, a wife and a child, made through the services."""
    from tepat.registry.services import family_create

    return family_create(correction_reason="koreksi uji",
        actor=dinsos_operator,
        region_code=VILLAGE,
        data={"kk_number": make_kk(), "rw": "2", "rt": "05", "address": "Kp. Kramat", "floor": 8, "wall": 4},
        members=[
            member_data(relation=1, sex=1, born=date(1980, 1, 5), name="Budi Santoso"),
            member_data(relation=2, sex=2, born=date(1983, 7, 21), name="Siti Aminah"),
            member_data(relation=3, sex=1, born=date(2010, 11, 2), name="Rizki Pratama"),
        ],
    )


@pytest.fixture
def other_village_family(dinsos_operator):
    from tepat.registry.services import family_create

    return family_create(correction_reason="koreksi uji",
        actor=dinsos_operator,
        region_code=OTHER_VILLAGE,
        data={"kk_number": make_kk(), "rw": "1", "rt": "1"},
        members=[member_data(relation=1, name="Dedi Kurniawan", born=date(1975, 4, 9))],
    )
