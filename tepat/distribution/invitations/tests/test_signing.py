"""Signed invitation tokens: round trip, tampering, expiry, unknown and retired keys, rotation, bad data."""

from __future__ import annotations

import base64
from dataclasses import replace
from datetime import date

import pytest
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.test import override_settings

from tepat.core.exceptions import ValidationFailed
from tepat.distribution.invitations import signing
from tepat.distribution.invitations.tests.factories import TODAY, invitation


def _reason(token: str, today: date = TODAY) -> str:
    with pytest.raises(signing.InvitationTokenError) as caught:
        signing.verify(token, today=today)
    assert caught.value.id_text and caught.value.en_text  # both languages, always
    assert caught.value.id_text != caught.value.en_text
    return caught.value.code


def test_round_trip_gives_the_payload_and_fits_a_qr_code():
    data = invitation()
    token = signing.sign(data)
    payload = signing.verify(token, today=TODAY)
    assert (payload.kpm_ref, payload.programme, payload.tahap, payload.amount, payload.expires_on,
            payload.village_code, payload.key_id) == ("KPM-0000001", "BPNT", 4, 600_000, date(2026, 12, 31),
                                                      "36.04.05.2001", "inv-2026")
    assert len(token) < 200 and token.isascii()
    assert "Ahmad" not in base64.urlsafe_b64decode(token.split(".")[0] + "==").decode()  # no name in the code
    # printed tokens wrap over lines and get typed with spaces: still the same token
    assert signing.verify(token[:50] + "\n" + token[50:100] + " " + token[100:], today=TODAY) == payload


def test_changed_amount_with_the_old_signature_is_refused():
    token = signing.sign(invitation())
    payload_text, signature = token.split(".")
    raw = base64.urlsafe_b64decode(payload_text + "==").replace(b"|600000|", b"|900000|")
    forged = base64.urlsafe_b64encode(raw).rstrip(b"=").decode() + "." + signature
    assert _reason(forged) == "bad_signature"


def test_any_changed_character_of_the_signature_is_refused():
    token = signing.sign(invitation())
    i = len(token) - 10
    flipped = token[:i] + ("A" if token[i] != "A" else "B") + token[i + 1:]
    assert _reason(flipped) == "bad_signature"


@pytest.mark.parametrize("token", ["", "abc", "a.b.c", "!!!.???", "MXw.AAAA"])
def test_garbage_is_malformed(token):
    assert _reason(token) == "malformed"


def test_expiry_day_is_still_valid_and_the_day_after_is_refused():
    token = signing.sign(invitation(expires_on=date(2026, 12, 31)))
    assert signing.verify(token, today=date(2026, 12, 31)).kpm_ref == "KPM-0000001"
    assert _reason(token, today=date(2027, 1, 1)) == "expired"


def test_unknown_key_is_refused():
    other = signing.generate_key_text()
    with override_settings(TEPAT_INVITATION_KEYS={"stranger": other}, TEPAT_INVITATION_KEY_ID="stranger"):
        token = signing.sign(invitation())
    assert _reason(token) == "unknown_key"


def test_a_key_of_the_same_id_but_another_secret_does_not_verify():
    with override_settings(TEPAT_INVITATION_KEYS={"inv-2026": signing.generate_key_text()}):
        token = signing.sign(invitation())
    assert _reason(token) == "bad_signature"


def test_retired_key_known_only_by_its_public_half_still_verifies():
    retired = settings.TEST_INVITATION_RETIRED_PRIVATE_KEY
    with override_settings(TEPAT_INVITATION_KEYS={"inv-2025": retired}, TEPAT_INVITATION_KEY_ID="inv-2025"):
        old_token = signing.sign(invitation())
    assert signing.verify(old_token, today=TODAY).key_id == "inv-2025"
    with override_settings(TEPAT_INVITATION_PUBLIC_KEYS={}):  # the public key withdrawn: revoked
        assert _reason(old_token) == "unknown_key"


def test_rotation_new_key_signs_old_tokens_still_verify():
    old_token = signing.sign(invitation())
    new_secret = signing.generate_key_text()
    keys = {**settings.TEPAT_INVITATION_KEYS, "inv-2027": new_secret}
    with override_settings(TEPAT_INVITATION_KEYS=keys, TEPAT_INVITATION_KEY_ID="inv-2027"):
        new_token = signing.sign(invitation())
        assert signing.verify(new_token, today=TODAY).key_id == "inv-2027"
        assert signing.verify(old_token, today=TODAY).key_id == "inv-2026"
        assert set(signing.public_keys()) == {"inv-2026", "inv-2027", "inv-2025"}
        # the same invitation under either key is one invitation (single use survives a reprint)
        assert signing.verify(new_token, today=TODAY).token_id == signing.verify(old_token, today=TODAY).token_id


def test_public_keys_are_public_halves_only():
    keys = signing.public_keys()
    assert set(keys) == {"inv-2026", "inv-2025"}
    assert settings.TEPAT_INVITATION_KEYS["inv-2026"] not in keys.values()
    assert all(len(base64.urlsafe_b64decode(k + "=")) == 32 for k in keys.values())


def test_missing_current_key_is_a_configuration_error():
    with override_settings(TEPAT_INVITATION_KEY_ID="nope"), pytest.raises(ImproperlyConfigured):
        signing.sign(invitation())


@pytest.mark.parametrize("change,field", [
    ({"kpm_ref": "3604051403850001"}, "kpm_ref"),  # a NIK is not a pseudonymous reference
    ({"kpm_ref": "KPM 1|x"}, "kpm_ref"),
    ({"programme": "BP|NT"}, "programme"),
    ({"tahap": 0}, "tahap"),
    ({"amount": -5}, "amount"),
    ({"amount": 600_000.5}, "amount"),
    ({"village_code": "36.04.05"}, "village_code"),
])
def test_bad_data_is_refused_with_the_field_named_in_both_languages(change, field):
    with pytest.raises(ValidationFailed) as caught:
        signing.sign(replace(invitation(), **change))
    issue = caught.value.issues[0]
    assert issue.field == field and issue.id and issue.en and issue.id != issue.en


def test_keygen_command_prints_a_working_pair():
    import io

    from django.core.management import call_command

    out = io.StringIO()
    call_command("invitation-keygen", "--id", "inv-new", stdout=out)
    lines = out.getvalue().splitlines()
    secret = lines[0].split("=", 1)[1].split(":", 1)[1]
    public = lines[2].rsplit(":", 1)[1]
    with override_settings(TEPAT_INVITATION_KEYS={"inv-new": secret}, TEPAT_INVITATION_KEY_ID="inv-new",
                           TEPAT_INVITATION_PUBLIC_KEYS={}):
        token = signing.sign(invitation())
        assert signing.public_keys() == {"inv-new": public}
    with override_settings(TEPAT_INVITATION_KEYS={}, TEPAT_INVITATION_PUBLIC_KEYS={"inv-new": public}):
        assert signing.verify(token, today=TODAY).key_id == "inv-new"  # the public half alone verifies
