"""Retention: uploads deleted after their job plus N days, failed jobs included, each deletion audited."""

import contextlib
from datetime import timedelta

from django.core.files.storage import default_storage
from django.core.management import call_command
from django.utils import timezone

from conftest import VILLAGE
from tepat.audit.models import AuditEvent
from tepat.core.actors import SYSTEM
from tepat.quality.models import MatchRun
from tepat.quality.services.retention import uploads_purge
from tepat.quality.services.runs import run_create
from tepat.registry.models_transfer import ImportJob
from tepat.registry.transfer.importer import registry_import_run, registry_import_start

CSV = b"NIK;NO_KK;NAMA\n1;2;x;extra;more\n"


def _aged(model, pk, days):
    model.objects.filter(pk=pk).update(updated_at=timezone.now() - timedelta(days=days))


def test_purge_deletes_old_uploads_of_done_and_failed_jobs_and_audits(db, dinsos_operator):
    job = registry_import_start(actor=SYSTEM, source=CSV, file_name="a.csv")
    with contextlib.suppress(Exception):
        registry_import_run(actor=SYSTEM, job_id=job.pk)
    job.refresh_from_db()
    assert job.status == ImportJob.Status.FAILED and default_storage.exists(job.file_path)
    default_storage.save("quality-extracts/x.csv", __import__("io").BytesIO(b"NIK\n1\n"))
    run = run_create(actor=dinsos_operator, kind=MatchRun.Kind.CIVIL_REGISTRY, region_code=VILLAGE,
                     options={"stored": "quality-extracts/x.csv"})
    MatchRun.objects.filter(pk=run.pk).update(status=MatchRun.Status.DONE)
    fresh = registry_import_start(actor=SYSTEM, source=CSV + b"\n", file_name="b.csv")
    ImportJob.objects.filter(pk=fresh.pk).update(status=ImportJob.Status.FAILED)

    assert uploads_purge(actor=SYSTEM, days=30)["import_files"] == 0  # nothing old enough yet
    _aged(ImportJob, job.pk, 31)
    _aged(MatchRun, run.pk, 31)
    counts = uploads_purge(actor=SYSTEM, days=30)
    assert counts["import_files"] == 1 and counts["run_files"] == 1
    job.refresh_from_db()
    assert job.file_purged_at is not None and not default_storage.exists(job.file_path)
    assert not default_storage.exists("quality-extracts/x.csv")
    assert default_storage.exists(ImportJob.objects.get(pk=fresh.pk).file_path)  # still within retention
    events = AuditEvent.objects.filter(action="upload.purge").order_by("seq")
    assert [(e.target_id, e.actor_label, e.data["kind"]) for e in events] == [
        (str(job.pk), "system", "registry_import"), (str(run.pk), "system", "civil_extract")]
    call_command("purge-uploads", "--days", "30", "--json")
    assert AuditEvent.objects.filter(action="upload.purge").count() == 2  # each file once
