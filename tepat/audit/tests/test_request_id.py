"""A client-supplied X-Request-ID reaches the hash-chained trail only after tepat.core.middleware checked
it (ASCII letters, digits, ".", "_", "-"; 8 to 64); anything else is replaced by a fresh id."""

import pytest

from tepat.audit.models import AuditEvent


@pytest.mark.django_db
@pytest.mark.parametrize(("incoming", "kept"), [("proxy-id-12345678", True), ("trailing-newline\n", False),
                                                ("<img src=x onerror=1>", False), ("x" * 65, False)])
def test_only_a_valid_client_request_id_reaches_the_hash_chained_trail(client, incoming, kept):
    before = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    response = client.post("/akun/masuk/", {"username": "nobody-here", "password": "wrong-password-1"},
                           headers={"X-Request-ID": incoming})

    stored = list(AuditEvent.objects.filter(seq__gt=before).values_list("request_id", flat=True))
    assert stored, "the failed sign-in is recorded"
    assert set(stored) == {response["X-Request-ID"]}
    assert (stored[0] == incoming) is kept
    assert all(len(value) <= 64 and value.isascii() and value.strip() == value for value in stored)
