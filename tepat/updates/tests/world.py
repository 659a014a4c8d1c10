"""Objects at the stage each endpoint or page needs, made lazily through the services."""

from datetime import date
from functools import cached_property

from django.utils import timezone

from tepat.updates.models import Proposal
from tepat.updates.services.determination import period_create, period_determine
from tepat.updates.services.freezes import freeze_create
from tepat.updates.services.proposals import proposal_assign, proposal_create
from tepat.updates.services.submissions import submission_batch_create
from tepat.updates.tests.factories import create, deliberate, new_family_payload, session, to_approved, verify


class World:
    """Objects at the stage each endpoint needs, made on first use through the services."""

    def __init__(self, request):
        self.request = request
        self.actors = request.getfixturevalue("actors")

    def user(self, name: str):
        return self.request.getfixturevalue(name)

    @cached_property
    def family(self):
        return self.request.getfixturevalue("family")

    @cached_property
    def draft(self):
        return proposal_create(actor=self.actors.village_operator, kind="new_family", source="village_operator",
                               payload=new_family_payload(), region_code="36.04.05.2001")

    @cached_property
    def submitted(self):
        return create(self.actors, "new_family", new_family_payload())

    @cached_property
    def in_verification(self):
        return proposal_assign(actor=self.actors.village_operator, proposal=self.submitted,
                               facilitator=self.actors.facilitator)

    @cached_property
    def verified(self):
        return verify(self.actors, create(self.actors, "new_family", new_family_payload()))

    @cached_property
    def accepted(self):
        proposal = verify(self.actors, create(self.actors, "new_family", new_family_payload()))
        deliberate(self.actors, [proposal])
        return Proposal.objects.get(pk=proposal.pk)

    @cached_property
    def approved(self):
        return to_approved(self.actors, create(self.actors, "new_family", new_family_payload()))

    @cached_property
    def planned(self):
        return session(self.actors)

    @cached_property
    def item(self):
        from tepat.updates.services.deliberations import deliberation_agenda_add

        [item] = deliberation_agenda_add(actor=self.actors.village_operator, deliberation=self.planned,
                                         proposals=[self.verified])
        return item

    @cached_property
    def decided(self):
        from tepat.updates.services.deliberations import deliberation_decide

        return deliberation_decide(actor=self.actors.village_operator, item=self.item, decision="accepted")

    @cached_property
    def finalised(self):
        return deliberate(self.actors, [self.verified], sign=False)

    @cached_property
    def batch(self):
        to_approved(self.actors, create(self.actors, "new_family", new_family_payload()))
        return submission_batch_create(actor=self.actors.dinsos_operator, region_code="36.04", destination="central")

    @cached_property
    def period(self):
        return period_create(actor=self.actors.dinsos_operator, region_code="36.04", starts_on=date(2025, 7, 1))

    @cached_property
    def two_periods(self):
        first = period_determine(actor=self.actors.dinsos_supervisor, period=self.period, decree_number="SK-7",
                                 decree_date=date(2025, 7, 31))
        to_approved(self.actors, create(self.actors, "new_family", new_family_payload()))
        second = period_create(actor=self.actors.dinsos_operator, region_code="36.04", starts_on=date(2025, 8, 1))
        second = period_determine(actor=self.actors.dinsos_supervisor, period=second, decree_number="SK-8",
                                  decree_date=date(2025, 8, 31) if date.today() > date(2025, 8, 31) else date.today())
        return first, second

    @cached_property
    def stopped_period(self):
        """A determination that stopped with an error (the worker died): it can be resumed."""
        from tepat.updates.services.determination import period_determine_fail, period_determine_start

        spv = self.actors.dinsos_supervisor
        period = period_determine_start(actor=spv, period=self.period, decree_number="SK-7",
                                        decree_date=timezone.localdate())
        return period_determine_fail(actor=spv, period_id=period.pk, error="OperationalError")

    @cached_property
    def freeze(self):
        today = timezone.localdate()
        return freeze_create(actor=self.actors.dinsos_supervisor, region_code="36.04", starts_on=today,
                             ends_on=today, reason="Pemilu")
