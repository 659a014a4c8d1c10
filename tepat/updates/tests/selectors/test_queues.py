from datetime import timedelta

from django.utils import timezone

from conftest import client_for
from tepat.updates.models import Proposal
from tepat.updates.selectors.proposals import proposal_detail, stage_counts, work_queue
from tepat.updates.tests.factories import create, new_family_payload


def _age(proposal, days):
    Proposal.objects.filter(pk=proposal.pk).update(stage_entered_at=timezone.now() - timedelta(days=days))


def test_queue_shows_what_waits_for_each_role_with_sla(actors, settings):
    settings.TEPAT_UPDATES_SLA_DAYS = {"submitted": 2}
    old = create(actors, Proposal.Kind.NEW_FAMILY, new_family_payload())
    fresh = create(actors, Proposal.Kind.NEW_FAMILY, new_family_payload())
    _age(old, 5)

    queue = work_queue(actor=actors.village_operator)

    section = next(s for s in queue.sections if s.key == "to_assign")
    assert [p.reference for p in section.proposals] == [old.reference, fresh.reference]  # oldest first
    assert [p.overdue for p in section.proposals] == [True, False]
    assert section.proposals[0].age_days == 5
    assert queue.counts["submitted"] == {"count": 2, "overdue": 1, "label": str(Proposal.Status.SUBMITTED.label)}
    keys = {s.key for s in work_queue(actor=actors.facilitator).sections}
    assert "to_verify" in keys and "to_assign" not in keys
    assert {s.key for s in work_queue(actor=actors.dinsos_supervisor).sections} >= {"to_review", "to_approve_removal"}


def test_counts_are_one_query(actors, django_assert_num_queries):
    create(actors, Proposal.Kind.NEW_FAMILY, new_family_payload())
    actors.dinsos_operator._tepat_region_codes = ("36.04",)
    with django_assert_num_queries(1):
        stage_counts(actor=actors.dinsos_operator)


def test_page_highlights_the_overdue_rows(actors):
    old = create(actors, Proposal.Kind.NEW_FAMILY, new_family_payload())
    _age(old, 30)
    content = client_for(actors.village_operator).get("/pemutakhiran/").content.decode()
    assert f'class="is-overdue" data-reference="{old.reference}"' in content


def test_identity_numbers_are_masked_for_roles_without_full_access(actors, province_viewer):
    payload = new_family_payload()
    proposal = create(actors, Proposal.Kind.NEW_FAMILY, payload)
    kk = payload["family"]["kk_number"]

    shown = {row.label: row.after for row in proposal_detail(actor=province_viewer, proposal=proposal).changes}
    full = {row.label: row.after for row in proposal_detail(actor=actors.village_operator, proposal=proposal).changes}

    assert kk in full.values()
    assert kk not in shown.values()
    assert f"{kk[:6]}**********" in shown.values()  # region digits only (ADR 0008)
    response = client_for(province_viewer).get(f"/api/v1/updates/proposals/{proposal.pk}")
    assert response.status_code == 200
    assert kk not in response.content.decode()
