from datetime import timedelta

import pytest
from django.utils import timezone

from tepat.audit.models import AuditEvent
from tepat.core.exceptions import PermissionDeniedError, ValidationFailed
from tepat.updates.models import FreezePeriod
from tepat.updates.services.freezes import active_freeze, freeze_create, freeze_lift


def test_supervisor_freezes_and_lifts(actors):
    today = timezone.localdate()
    freeze = freeze_create(actor=actors.dinsos_supervisor, region_code="36.04", starts_on=today,
                           ends_on=today + timedelta(days=10), reason="Masa tenang Pemilu")
    assert active_freeze("36.04.05.2001") == freeze
    assert active_freeze("36.73.05.1001") is None
    assert active_freeze("36.04.05.2001", on=today + timedelta(days=11)) is None

    freeze_lift(actor=actors.dinsos_supervisor, freeze=freeze, reason="Keputusan KPU")

    assert active_freeze("36.04.05.2001") is None
    assert AuditEvent.objects.filter(action__startswith="freeze.").count() == 2


def test_only_the_supervisor_freezes(actors):
    today = timezone.localdate()
    with pytest.raises(PermissionDeniedError):
        freeze_create(actor=actors.dinsos_operator, region_code="36.04", starts_on=today, ends_on=today,
                      reason="x")
    assert not FreezePeriod.objects.exists()


def test_freeze_needs_reason_and_ordered_dates(actors):
    today = timezone.localdate()
    with pytest.raises(ValidationFailed) as exc:
        freeze_create(actor=actors.dinsos_supervisor, region_code="36.04", starts_on=today,
                      ends_on=today - timedelta(days=1), reason="")
    assert set(exc.value.by_field()) == {"reason", "ends_on"}
