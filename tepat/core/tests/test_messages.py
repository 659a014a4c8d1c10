from django.utils import translation

from tepat.core.messages import Issue


def test_issue_text_follows_the_active_language():
    issue = Issue("length", "nik", "NIK: harus 16 digit", "NIK: must be 16 digits")

    with translation.override("id"):
        assert issue.text == "NIK: harus 16 digit"
    with translation.override("en"):
        assert issue.text == "NIK: must be 16 digits"
    assert str(issue) == "NIK: harus 16 digit / NIK: must be 16 digits"


def test_issue_round_trips_through_a_dict():
    issue = Issue("region_unknown", "nik", "kode lama", "old code", severity="warning")

    data = issue.as_dict()

    assert data == {
        "code": "region_unknown",
        "field": "nik",
        "severity": "warning",
        "message_id": "kode lama",
        "message_en": "old code",
    }
    assert Issue.from_dict(data) == issue


def test_issue_from_a_dict_without_severity_is_an_error():
    issue = Issue.from_dict({"code": "c", "field": "f", "message_id": "i", "message_en": "e"})

    assert issue.severity == "error"
