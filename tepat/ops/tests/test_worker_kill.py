"""kill -9 of a real `tepat worker` in the middle of each kind of background job, on a few thousand rows:
import, export, civil-registry matching, duplicate search, determination and a beneficiary (eligibility)
list. The point of the kill is found by polling the job's progress (batches committed, families written,
people matched, proposals applied) or, for the one-transaction jobs, the job's state while the worker holds
it. Then the worker is started again (its start-up recovery fails the dead worker's task and job cleanly,
audited), the job is run again, and the result is the one an uninterrupted run gives: nothing
half-applied, no row twice.

The last test stands in for "PostgreSQL restarted in the middle of an import": the shared PostgreSQL server
of the development machine cannot be restarted by one test, so it cuts the worker's connections the way a
restart does, with `pg_terminate_backend(pid)` from another connection while the import runs, and checks
that the import fails and then completes to the same registry.

Real processes on the test database: PostgreSQL pass of `make test` (and CI). Machinery: `faults.py`.
"""

from __future__ import annotations

import random
from datetime import date
from pathlib import Path

import pytest
from django.core.management import call_command
from django.db import connection, transaction
from django.db.utils import OperationalError
from django.utils import timezone
from django_tasks.base import TaskResultStatus
from django_tasks_db.models import DBTaskResult

from conftest import DISTRICT, assert_audited
from tepat.audit.services import audit_verify
from tepat.core.actors import SYSTEM
from tepat.ops.tests.faults import POSTGRES_ONLY, Worker, enqueue, kill_when, run_worker, wait_for
from tepat.registry.choices import ACTIVE_PRESENCE
from tepat.registry.demo import demo_data_load, demo_generate_for_region
from tepat.registry.models import Family, Individual, ProgramParticipation

pytestmark = [
    pytest.mark.server,
    POSTGRES_ONLY,
    pytest.mark.django_db(transaction=True),
    pytest.mark.usefixtures("regions"),
]

HEADER = (
    "NO_KK;NIK;NAMA;JENIS_KELAMIN;TANGGAL_LAHIR;HUBUNGAN_KELUARGA;KECAMATAN;DESA_KELURAHAN;RT;RW;PKH;ID_DTKS"
)
VILLAGES = ("KRAMATWATU", "MARGASANA", "PEJATEN")


def _siks_file(path: Path, families: int = 700) -> dict[str, int]:
    """`families` families of 1–4 members over three villages of Kec. Kramatwatu (about 2.5 × rows)."""
    lines = [HEADER]
    members: dict[str, int] = {}
    serial = 0
    for family in range(families):
        kk = f"360405010115{family + 1:04d}"
        for member in range(1 + family % 4):
            serial += 1
            sex = 1 if member != 1 else 2
            day = 10 + member + (40 if sex == 2 else 0)
            relation = "KEPALA KELUARGA" if member == 0 else ("ISTRI" if member == 1 else "ANAK")
            lines.append(
                ";".join(
                    [
                        kk,
                        f"360405{day:02d}0{1 + member}{70 + member:02d}{serial:04d}",
                        f"Warga {family}-{member}",
                        "L" if sex == 1 else "P",
                        f"{10 + member:02d}-0{1 + member}-19{70 + member}",
                        relation,
                        "KEC. KRAMATWATU",
                        f"DESA {VILLAGES[family % 3]}",
                        str(family % 5 + 1),
                        "2",
                        "Y" if family % 2 else "T",
                        f"D{family}-{member}",
                    ]
                )
            )
            members[kk] = members.get(kk, 0) + 1
    path.write_text("\r\n".join(lines) + "\r\n", encoding="utf-8")
    return members


def _members_per_family() -> dict[str, int]:
    counts: dict[str, int] = {}
    for kk in Individual.objects.values_list("family__kk_number", flat=True):
        counts[kk] = counts.get(kk, 0) + 1
    return counts


def _registry_whole(expected: dict[str, int]) -> None:
    """Every family written has all the members the file gives it; no NIK and no KK twice."""
    written = _members_per_family()
    assert all(written[kk] == expected[kk] for kk in written), "a family was half written"
    assert Individual.objects.values("nik").distinct().count() == Individual.objects.count()
    assert Family.objects.values("kk_number").distinct().count() == Family.objects.count()


def _district(families: int = 800, duplicates: int = 0) -> int:
    data = demo_generate_for_region(region_code=DISTRICT, families=families, seed=15, duplicates=duplicates)
    demo_data_load(actor=SYSTEM, data=data, region_code=DISTRICT)
    with connection.cursor() as cursor:
        cursor.execute("ANALYZE registry_family; ANALYZE registry_individual")
    return Family.objects.count()


def _task(task_path: str) -> DBTaskResult:
    return DBTaskResult.objects.filter(task_path=task_path).order_by("-enqueued_at").first()


def _recovered(output: str, what: str) -> None:
    assert "recovered:" in output and what in output, output[-3000:]


def test_import_killed_between_batches_is_failed_then_continues_to_the_whole_file(tmp_path):
    from tepat.registry.models_transfer import ImportJob
    from tepat.registry.tasks import registry_import_task
    from tepat.registry.transfer.importer import registry_import_start

    source = tmp_path / "dtks.csv"
    expected = _siks_file(source)
    job = registry_import_start(actor=SYSTEM, source=source, batch_rows=50)
    enqueue(registry_import_task, job_id=str(job.pk))
    worker = Worker(tmp_path, "w-import").start()

    def progress():
        row = ImportJob.objects.get(pk=job.pk)
        return row.status == "running" and 2 <= row.batches_done < row.batches_total - 2 and row

    killed_at = kill_when(worker, progress, "two import batches committed")
    half = ImportJob.objects.get(pk=job.pk)
    assert half.status == "running" and half.batches_done >= killed_at.batches_done
    _registry_whole(expected)
    assert 0 < Family.objects.count() < len(expected)

    _recovered(run_worker(tmp_path, "w-restart"), f"registry import {job.pk}")
    half.refresh_from_db()
    assert half.status == "failed" and "worker" in half.error
    assert_audited("registry.import_fail", actor=SYSTEM, target=half)
    assert _task("tepat.registry.tasks.registry_import_task").status == TaskResultStatus.FAILED

    again = registry_import_start(actor=SYSTEM, source=source, batch_rows=50)
    assert again.pk == job.pk  # the same job continues
    enqueue(registry_import_task, job_id=str(job.pk))
    run_worker(tmp_path, "w-rerun")
    done = ImportJob.objects.get(pk=job.pk)
    assert done.status == "done" and done.batches_done == done.batches_total
    assert _members_per_family() == expected
    _registry_whole(expected)
    assert done.counts["individuals_created"] == sum(expected.values())
    assert done.counts["families_created"] == len(expected)
    assert ProgramParticipation.objects.count() == len(expected) // 2
    assert audit_verify().ok


def test_export_killed_half_way_is_failed_without_a_file_and_a_rerun_writes_it(tmp_path, dinsos_operator):
    from tepat.registry.models import ExportJob
    from tepat.registry.tasks import registry_export_task
    from tepat.registry.transfer.export_jobs import registry_export_start

    families = _district()
    job = registry_export_start(actor=dinsos_operator, region_code=DISTRICT, fmt="csv")
    enqueue(registry_export_task, job_id=str(job.pk))
    worker = Worker(tmp_path, "w-export").start()
    kill_when(
        worker,
        lambda: 0 < ExportJob.objects.get(pk=job.pk).families_done < families,
        "part of the families written",
    )

    assert not list((tmp_path / "media").rglob("*.csv"))  # the file is stored only at the end
    rerun = registry_export_start(actor=dinsos_operator, region_code=DISTRICT, fmt="csv")
    enqueue(registry_export_task, job_id=str(rerun.pk))

    # The restart: recovery first (the killed job), then the queue (the rerun).
    _recovered(run_worker(tmp_path, "w-restart"), f"registry export {job.pk}")
    job.refresh_from_db()
    assert job.status == ExportJob.Status.FAILED and job.error == "WorkerDied" and not job.file_name
    assert_audited("registry.export_fail", actor=SYSTEM, target=job)
    rerun.refresh_from_db()
    active = Individual.objects.filter(presence__in=ACTIVE_PRESENCE, family__status="active").count()
    assert rerun.status == ExportJob.Status.DONE and rerun.families_done == families
    assert rerun.rows == active and (tmp_path / "media" / rerun.file_name).is_file()
    lines = (tmp_path / "media" / rerun.file_name).read_text(encoding="utf-8-sig").splitlines()
    assert len(lines) - 1 == rerun.rows == len(set(lines[1:]))  # every row once


def test_civil_match_killed_between_batches_keeps_its_flags_once_and_a_rerun_completes(tmp_path):
    from tepat.quality.adapters import FileAdapter
    from tepat.quality.models import CivilRegistryMatch, Flag, MatchRun
    from tepat.quality.services.runs import civil_match_run, run_create
    from tepat.quality.tasks import civil_match_task

    _district()
    extract = tmp_path / "dukcapil.csv"
    call_command("demo-civil-extract", region=DISTRICT, out=str(extract))

    def start() -> MatchRun:
        run = run_create(
            actor=SYSTEM,
            kind=MatchRun.Kind.CIVIL_REGISTRY,
            region_code=DISTRICT,
            source="uji",
            options={"path": str(extract)},
        )
        enqueue(civil_match_task, run_id=str(run.pk))
        return run

    killed = start()
    worker = Worker(tmp_path, "w-civil").start()

    def progress():
        run = MatchRun.objects.get(pk=killed.pk)
        return run.status == "running" and 0 < run.done < run.total and run

    kill_when(worker, progress, "part of the people matched")
    rerun = start()
    _recovered(run_worker(tmp_path, "w-restart"), f"civil_registry run {killed.pk}")
    killed.refresh_from_db()
    assert killed.status == MatchRun.Status.FAILED and "worker" in killed.error
    assert_audited("quality.run_fail", actor=SYSTEM, target=killed)
    # What the killed run committed is whole batches of its own, marked as a failed run's.
    assert CivilRegistryMatch.objects.filter(run=killed).count() % 100 == 0  # TEPAT_CIVIL_BATCH

    rerun.refresh_from_db()
    assert rerun.status == MatchRun.Status.DONE and rerun.done == rerun.total
    assert CivilRegistryMatch.objects.filter(run=rerun).count() == rerun.total
    assert CivilRegistryMatch.objects.filter(run=rerun).values("individual").distinct().count() == rerun.total
    flags = list(Flag.objects.values_list("fingerprint", flat=True))
    assert flags and len(flags) == len(set(flags))
    # A third, uninterrupted run finds the same facts: it raises no flag the two runs have not raised.
    third = civil_match_run(
        actor=SYSTEM,
        adapter=FileAdapter(extract),
        run=run_create(actor=SYSTEM, kind=MatchRun.Kind.CIVIL_REGISTRY, region_code=DISTRICT, source="uji"),
    )
    assert third.status == MatchRun.Status.DONE and third.counts["flags"] == 0
    assert Flag.objects.count() == len(flags)


def test_duplicate_search_killed_leaves_no_pair_and_a_rerun_raises_each_flag_once(tmp_path, dinsos_operator):
    from tepat.quality.models import CandidatePair, Flag, MatchRun
    from tepat.quality.services.runs import duplicates_run, run_create
    from tepat.quality.tasks import duplicates_task

    _district(families=800, duplicates=30)

    def start() -> MatchRun:
        run = run_create(actor=dinsos_operator, kind=MatchRun.Kind.DUPLICATES, region_code=DISTRICT)
        enqueue(duplicates_task, run_id=str(run.pk))
        return run

    killed = start()
    worker = Worker(tmp_path, "w-dup").start()
    kill_when(worker, lambda: MatchRun.objects.get(pk=killed.pk).status == "running", "the search running")
    assert not CandidatePair.objects.exists() and not Flag.objects.exists()
    rerun = start()

    _recovered(run_worker(tmp_path, "w-restart"), f"duplicates run {killed.pk}")
    killed.refresh_from_db()
    assert killed.status == MatchRun.Status.FAILED
    assert_audited("quality.run_fail", actor=SYSTEM, target=killed)
    assert not CandidatePair.objects.filter(run=killed).exists()
    rerun.refresh_from_db()
    assert rerun.status == MatchRun.Status.DONE
    pairs = CandidatePair.objects.filter(run=rerun).count()
    assert pairs >= 20 and Flag.objects.count() == pairs
    again = duplicates_run(
        actor=dinsos_operator,
        run=run_create(actor=dinsos_operator, kind=MatchRun.Kind.DUPLICATES, region_code=DISTRICT),
    )
    assert (
        again.status == MatchRun.Status.DONE and again.counts["flags"] == 0 and Flag.objects.count() == pairs
    )


def test_determination_killed_between_chunks_resumes_and_applies_each_proposal_once(tmp_path, make_user):
    from tepat.updates.models import DeterminationPeriod, DeterminedFamily, Proposal
    from tepat.updates.services.determination import (
        period_create,
        period_determine_resume,
        period_determine_start,
    )
    from tepat.updates.tasks import period_determine_task

    families = _district(families=400)
    operator = make_user("dinsos_operator", [DISTRICT])
    supervisor = make_user("dinsos_supervisor", [DISTRICT])
    now = timezone.now()
    targets = list(Family.objects.exclude(programs__program="pkh").values_list("pk", "region_id")[:180])
    Proposal.objects.bulk_create(
        [
            Proposal(
                reference=f"USL-FAULT-{i:04d}",
                kind="program",
                source="district",
                region_id=region,
                family_id=pk,
                payload={"program": "pkh", "member": "", "note": ""},
                status="approved",
                stage_entered_at=now,
                approved_at=now,
                created_by=operator,
            )
            for i, (pk, region) in enumerate(targets)
        ]
    )
    pkh_before = ProgramParticipation.objects.filter(program="pkh").count()
    period = period_create(actor=operator, region_code=DISTRICT, starts_on=date(2025, 7, 1))
    period = period_determine_start(
        actor=supervisor, period=period, decree_number="SK-FAULT", decree_date=date(2025, 7, 31)
    )
    enqueue(period_determine_task, period_id=str(period.pk), actor_id=supervisor.pk)
    worker = Worker(tmp_path, "w-det").start()

    def progress():
        row = DeterminationPeriod.objects.get(pk=period.pk)
        return 0 < row.applied_count < row.proposals_total and row

    kill_when(worker, progress, "a chunk of proposals applied")
    _recovered(run_worker(tmp_path, "w-restart"), f"determination {period.pk}")
    period.refresh_from_db()
    assert period.status == "determining" and "worker" in period.error  # stopped: the page offers resume
    assert_audited("determination_period.fail", actor=SYSTEM, target=period)
    applied = Proposal.objects.filter(applied_period=period).count()
    assert applied == period.applied_count and applied % 50 == 0  # whole chunks, each counted
    assert ProgramParticipation.objects.filter(program="pkh").count() == pkh_before + applied

    period = period_determine_resume(actor=supervisor, period=period)
    enqueue(period_determine_task, period_id=str(period.pk), actor_id=supervisor.pk)
    run_worker(tmp_path, "w-resume")
    period.refresh_from_db()
    assert period.status == "determined" and period.applied_count + period.held_count == len(targets)
    assert period.applied_count == len(targets)
    pkh = list(ProgramParticipation.objects.filter(program="pkh").values_list("family_id", flat=True))
    assert len(pkh) == len(set(pkh)) == pkh_before + len(targets)  # each proposal applied once
    assert DeterminedFamily.objects.filter(period=period).count() == period.family_count == families
    assert audit_verify().ok


def test_eligibility_list_killed_in_its_transaction_writes_nothing_and_a_new_list_completes(
    tmp_path, make_user
):
    from tepat.programs.models import BeneficiaryList, ListEntry, ReviewItem
    from tepat.programs.seed import programmes_seed
    from tepat.programs.services.lists import list_determine_start
    from tepat.programs.services.releases import release_release
    from tepat.programs.tasks import list_determine_task
    from tepat.targeting.models import DesilRelease, FamilyDesil
    from tepat.updates.services.determination import period_create, period_determine

    families = _district(families=1500)
    operator = make_user("dinsos_operator", [DISTRICT])
    supervisor = make_user("dinsos_supervisor", [DISTRICT])
    period = period_create(actor=operator, region_code=DISTRICT, starts_on=date(2025, 7, 1))
    period = period_determine(
        actor=supervisor, period=period, decree_number="SK-ELIG", decree_date=date(2025, 7, 31)
    )
    desil = DesilRelease.objects.create(
        region_id=DISTRICT, period="2025-T3", source="uji", status=DesilRelease.Status.PUBLISHED
    )
    rng = random.Random(15)
    FamilyDesil.objects.bulk_create(
        [
            FamilyDesil(release=desil, family_id=pk, desil=rng.randint(1, 10), matched_by="kk")
            for pk in Family.objects.values_list("pk", flat=True)
        ]
    )
    drafts = {r.programme.code: r for r in programmes_seed(actor=operator, region_code=DISTRICT, year=2025)}
    pkh = release_release(actor=operator, release=drafts["PKH"])

    def start() -> BeneficiaryList:
        blist = list_determine_start(actor=operator, release=pkh, period=period, tahap=1)
        enqueue(list_determine_task, list_id=str(blist.pk))
        return blist

    killed = start()
    worker = Worker(tmp_path, "w-elig").start()

    def in_its_transaction() -> bool:
        """The worker holds the list row (it locks it first, in the one transaction that writes)."""
        try:
            with transaction.atomic():
                BeneficiaryList.objects.select_for_update(nowait=True).get(pk=killed.pk)
        except OperationalError:
            return True
        return False

    kill_when(worker, in_its_transaction, "the list's transaction open")
    assert not ListEntry.objects.exists() and not ReviewItem.objects.exists()
    rerun = start()

    _recovered(run_worker(tmp_path, "w-restart"), f"beneficiary list {killed.pk}")
    killed.refresh_from_db()
    assert killed.status == BeneficiaryList.Status.FAILED and killed.error == "WorkerDied"
    assert_audited("beneficiary_list.fail", actor=SYSTEM, target=killed)
    rerun.refresh_from_db()
    assert rerun.status == BeneficiaryList.Status.DETERMINED
    entries = list(ListEntry.objects.filter(list=rerun).values_list("family_id", flat=True))
    assert len(entries) == len(set(entries)) == families
    assert not ListEntry.objects.filter(list=killed).exists()


def test_import_whose_database_connections_are_cut_fails_and_continues_to_the_whole_file(tmp_path):
    """Stands in for "PostgreSQL restarted in the middle of an import". The development machine's
    PostgreSQL server is shared (other sessions' tests and benchmarks run on it), so it is not restarted;
    instead another connection ends every backend of the worker with `pg_terminate_backend(pid)` while the
    import is between batches — what the worker sees of a restart: its connections dropped mid-work."""
    from tepat.registry.models_transfer import ImportJob
    from tepat.registry.tasks import registry_import_task
    from tepat.registry.transfer.importer import registry_import_start

    source = tmp_path / "dtks.csv"
    expected = _siks_file(source)
    job = registry_import_start(actor=SYSTEM, source=source, batch_rows=50)
    enqueue(registry_import_task, job_id=str(job.pk))
    worker = Worker(tmp_path, "w-import").start()
    wait_for(
        lambda: ImportJob.objects.get(pk=job.pk).batches_done >= 2, worker, "two import batches committed"
    )
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
            "WHERE datname = current_database() AND pid <> pg_backend_pid() AND application_name = %s",
            ["tepat-fault-worker"],  # worker_settings.WORKER_APPLICATION_NAME: the worker's backends only
        )
        assert cursor.fetchall(), "the worker's backends"

    def settled():
        row = ImportJob.objects.get(pk=job.pk)
        task = _task("tepat.registry.tasks.registry_import_task")
        return row.status != "running" or task.status != TaskResultStatus.RUNNING or not worker.alive()

    deadline_job = wait_for_settled(settled, worker)
    worker.stop()  # whatever it does next (it may go on polling for tasks), this import run is over
    half = ImportJob.objects.get(pk=job.pk)
    assert half.status in ("running", "failed") and half.batches_done < half.batches_total, deadline_job
    _registry_whole(expected)

    assert registry_import_start(actor=SYSTEM, source=source, batch_rows=50).pk == job.pk
    enqueue(registry_import_task, job_id=str(job.pk))
    run_worker(tmp_path, "w-restart")  # recovery (if the task was left running), then the rerun
    done = ImportJob.objects.get(pk=job.pk)
    assert done.status == "done" and _members_per_family() == expected
    _registry_whole(expected)
    assert audit_verify().ok


def wait_for_settled(predicate, worker: Worker, timeout: float = 60) -> str:
    """After the connections are cut: until the import run noticed (job or task no longer running) or
    the worker ended; returns the worker's output for the failure message."""
    import time

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if predicate():
            return worker.output()[-2000:]
        time.sleep(0.05)
    raise AssertionError(
        f"the import did not notice its lost connection in {timeout} s:\n{worker.output()[-3000:]}"
    )
