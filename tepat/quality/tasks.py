"""Background jobs (django-tasks). Each takes the run's id; progress is on the `MatchRun` row."""

from __future__ import annotations

from django_tasks import task

from tepat.accounts.models import User
from tepat.core.actors import SYSTEM
from tepat.quality.adapters import FileAdapter, HttpAdapter
from tepat.quality.models import MatchRun
from tepat.quality.services.lists import external_list_run, stored_copy
from tepat.quality.services.runs import civil_match_run, duplicates_run


def _actor(run: MatchRun):
    # A run without a person behind it was started by the system (command line, schedule).
    return User.objects.get(pk=run.actor_id) if run.actor_id else SYSTEM


@task()
def civil_match_task(run_id: str) -> dict:
    run = MatchRun.objects.get(pk=run_id)
    options = run.options or {}
    if options.get("stored"):  # an uploaded extract, kept in the storage until the retention purge
        with stored_copy(options["stored"], options.get("file_name", "")) as path:
            return civil_match_run(actor=_actor(run), run=run, adapter=FileAdapter(path)).counts
    adapter = FileAdapter(options["path"]) if options.get("path") else HttpAdapter.from_settings()
    run = civil_match_run(actor=_actor(run), run=run, adapter=adapter)
    return run.counts


@task()
def duplicates_task(run_id: str) -> dict:
    run = MatchRun.objects.get(pk=run_id)
    return duplicates_run(actor=_actor(run), run=run).counts


@task()
def external_list_task(run_id: str) -> dict:
    """Read and match an uploaded list (`external_list_upload` stored it and opened the run)."""
    run = MatchRun.objects.get(pk=run_id)
    return external_list_run(actor=_actor(run), run=run).run.counts


@task()
def uploads_purge_task() -> dict:
    """The retention purge in the worker (enqueue daily from the scheduler)."""
    from tepat.quality.services.retention import uploads_purge

    return uploads_purge(actor=SYSTEM)
