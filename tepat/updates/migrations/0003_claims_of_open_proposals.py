"""Data: the conflict claims of proposals that were open before claims existed. Oldest first; a key already
claimed by an older open proposal is skipped (that pair of duplicates is then caught at verification, or
held back at determination, and the supervisor can pull one back)."""

from django.db import migrations

from tepat.updates.claims import OPEN_STATUSES, claim_keys


def forwards(apps, schema_editor):
    Proposal = apps.get_model("updates", "Proposal")
    ProposalClaim = apps.get_model("updates", "ProposalClaim")
    taken = set(ProposalClaim.objects.values_list("key", flat=True))
    rows = []
    for p in Proposal.objects.filter(status__in=OPEN_STATUSES).order_by("created_at").iterator(chunk_size=2000):
        for key in claim_keys(p.kind, p.verified_payload or p.payload, family_id=p.family_id,
                              individual_id=p.individual_id):
            if key not in taken:
                taken.add(key)
                rows.append(ProposalClaim(key=key, proposal_id=p.pk))
    ProposalClaim.objects.bulk_create(rows, batch_size=2000)


def backwards(apps, schema_editor):
    apps.get_model("updates", "ProposalClaim").objects.all().delete()


class Migration(migrations.Migration):
    dependencies = [("updates", "0002_determination_in_background_and_claims")]
    operations = [migrations.RunPython(forwards, backwards)]
