from django.utils import translation

from tepat.audit.actions import ACTION_LABELS, AuditAction, action_label


def test_every_audit_action_has_a_label():
    missing = [member.value for member in AuditAction if member not in ACTION_LABELS]
    assert missing == []


def test_labels_are_words_not_codes():
    for member, label in ACTION_LABELS.items():
        assert "." not in str(label) and "_" not in str(label), member


def test_label_of_a_stored_string_and_an_unknown_one():
    with translation.override("en"):
        assert action_label("quality.run_finish") == "Data-quality run finished"
    assert action_label("no.such_action") == "no.such_action"
