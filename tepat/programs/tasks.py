"""Background jobs (django-tasks): determine a beneficiary list; progress and counts are on the list row."""

from __future__ import annotations

from django_tasks import task

from tepat.accounts.models import User
from tepat.core.actors import SYSTEM
from tepat.programs.models import BeneficiaryList
from tepat.programs.services.lists import list_determine_run


@task()
def list_determine_task(list_id: str) -> dict:
    blist = BeneficiaryList.objects.get(pk=list_id)
    actor = User.objects.get(pk=blist.created_by_id) if blist.created_by_id else SYSTEM
    blist = list_determine_run(actor=actor, list_id=list_id)
    return {"status": blist.status, **{k: v for k, v in (blist.counts or {}).items() if not isinstance(v, dict)}}
