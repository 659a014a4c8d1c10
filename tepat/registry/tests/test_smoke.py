from tepat.audit.models import AuditEvent
from tepat.audit.services import audit_verify
from tepat.registry.models import Individual


def test_family_fixture_is_audited(family):
    assert Individual.objects.filter(family=family).count() == 3
    assert AuditEvent.objects.filter(action="individual.add").count() == 3
    assert audit_verify().ok
