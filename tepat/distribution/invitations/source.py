"""The default invitation source (settings.TEPAT_INVITATION_SOURCE): the distribution entries of one village
for one programme tahap, as `InvitationData`.

- Which distribution: the most recent one of `programme`/`tahap` that is not closed and whose region holds the
  village (a closed tahap prints nothing: it is locked).
- Which entries: those of the village in every channel's current version (never a superseded one), still
  awaiting distribution (an entry with a receipt has been met; its invitation is spent). Ordered by RT, RW
  and reference, as a village prints and hands them out.
- What is printed: the pseudonymous `kpm_ref`, the programme, tahap and amount, the tahap's last day as the
  expiry, the recipient's name masked by `tepat.registry.masking.public_name` (never the whole name, never
  the NIK or KK), the village's code and name, RT/RW.

Scope: `invitation_source` checked the print capability on the village; the entries are read through the
distribution's own scope filter as well (fail closed).
"""

from __future__ import annotations

from typing import Any

from tepat.distribution.invitations.data import InvitationData
from tepat.distribution.models import Distribution, DistributionEntry, DistributionList
from tepat.distribution.services.common import scoped
from tepat.regions.models import Region
from tepat.regions.selectors import ancestor_codes
from tepat.registry.masking import public_name


def distribution_for(*, village_code: str, programme: str, tahap: int) -> Distribution | None:
    """The open (or close-requested) distribution of `programme`/`tahap` that covers `village_code`."""
    regions = ancestor_codes(village_code)
    return (Distribution.objects.filter(programme_code=programme, tahap=tahap, region_code__in=regions)
            .exclude(status=Distribution.Status.CLOSED).order_by("-created_at").first())


def distribution_invitations(*, actor: Any, village_code: str, programme: str, tahap: int) -> list[InvitationData]:
    dist = distribution_for(village_code=village_code, programme=programme, tahap=tahap)
    if dist is None:
        return []
    region = Region.objects.filter(code=village_code).only("code", "name").first()
    village_name = region.name if region is not None else village_code
    entries = (scoped(actor, DistributionEntry.objects.filter(
        list__distribution=dist, region_code=village_code, status=DistributionEntry.Status.PENDING))
        .exclude(list__status=DistributionList.Status.SUPERSEDED)
        .order_by("rt", "rw", "kpm_ref").values("kpm_ref", "amount", "name", "rt", "rw"))
    return [InvitationData(kpm_ref=e["kpm_ref"], programme=dist.programme_code, tahap=dist.tahap, amount=e["amount"],
                           expires_on=dist.ends_on, recipient_name=public_name(e["name"]),
                           village_code=village_code, village_name=village_name, rt=e["rt"], rw=e["rw"])
            for e in entries]
